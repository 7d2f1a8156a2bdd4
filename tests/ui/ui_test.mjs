// The /ui dashboard end to end: a real sim-upstream (one local model made to
// fail every call, so that its provider's breaker opens) and a real gateway
// with a store, both on loopback with ports picked by the OS, a workload
// through the OpenAI API, then Debian's headless Chromium signs in with the
// admin key and checks every panel. Screenshots go to
// $SWITCHYARD_UI_SCREENSHOTS.
// Run: SWITCHYARD_BINARY=... SWITCHYARD_SIM_CONFIG=config/sim-upstream.yaml node --test ui_test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const binary = process.env.SWITCHYARD_BINARY;
const shots = process.env.SWITCHYARD_UI_SCREENSHOTS || path.resolve('screenshots');
const adminKey = 'sk-admin-ui-test';
const failingModel = 'qwen3:1.7b'; // the ollama provider's model
const children = [];
let work;
let url;
let browser;
let page;
let gatewayEnv;

function start(args, env) {
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line.split(':').pop())));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

/// Starts `serve` as a cluster node; resolves with its HTTP and cluster
/// ports (its first two stdout lines).
function startNode(args, env) {
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const ports = [];
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      ports.push(Number(line.split(':').pop()));
      if (ports.length === 2) resolve({ http: ports[0], cluster: ports[1] });
    });
    child.once('exit', (code) => reject(new Error(`cluster node exited ${code}`)));
  });
}

/// The default fleet with no delays and no faults, but one local model that
/// answers every call with a 500.
function simConfig() {
  const lines = fs.readFileSync(process.env.SWITCHYARD_SIM_CONFIG, 'utf8').split('\n');
  const names = [];
  for (const line of lines.slice(lines.indexOf('models:') + 1)) {
    const m = /^ {2}("[^"]+"|[^\s#"][^:]*|[^\s#]\S*):\s*$/.exec(line);
    if (m) names.push(m[1]);
  }
  assert.ok(names.length >= 5, 'the sim config lists models');
  const out = ['version: 1', 'seed: 7', 'time_scale: 1', 'hang_ms: 1000', 'defaults:',
    '  latency_ms: 1', '  ttft_ms: 1', '  tokens_per_second: 0', '  output_tokens: 30', 'models:'];
  for (const n of names) {
    out.push(n.replace(/"/g, '') === failingModel ? `  ${n}:\n    faults: {http_500: 1.0}` : `  ${n}: {}`);
  }
  return out.join('\n') + '\n';
}

async function call(pathname, { key = adminKey, method = 'GET', body } = {}) {
  const headers = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + pathname, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual',
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* html or empty */ }
  return { status: res.status, headers: res.headers, text, json };
}

const chat = (content) => call('/v1/chat/completions', {
  method: 'POST', body: { model: 'auto', messages: [{ role: 'user', content }] },
});

before(async () => {
  assert.ok(binary, 'SWITCHYARD_BINARY must name the switchyard executable');
  assert.ok(process.env.SWITCHYARD_SIM_CONFIG, 'SWITCHYARD_SIM_CONFIG must name config/sim-upstream.yaml');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ui-'));
  fs.mkdirSync(shots, { recursive: true });
  fs.writeFileSync(path.join(work, 'sim.yaml'), simConfig());
  const simPort = await start(['sim-upstream', '--config', path.join(work, 'sim.yaml'),
    '--listen', '127.0.0.1:0'], process.env);
  const base = `http://127.0.0.1:${simPort}`;
  const env = {
    ...process.env,
    OPENAI_BASE_URL: `${base}/v1`, MISTRAL_BASE_URL: `${base}/v1`,
    LMSTUDIO_BASE_URL: `${base}/v1`, OPENROUTER_BASE_URL: `${base}/v1`,
    ANTHROPIC_BASE_URL: base, GEMINI_BASE_URL: `${base}/v1beta`,
    COHERE_BASE_URL: `${base}/v2`, OLLAMA_BASE_URL: base,
    OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'x', GEMINI_API_KEY: 'x',
    MISTRAL_API_KEY: 'x', COHERE_API_KEY: 'x', OPENROUTER_API_KEY: 'x',
    SWITCHYARD_ADMIN_KEY: adminKey,
  };
  gatewayEnv = env;
  const port = await start(['serve', '--listen', '127.0.0.1:0', '--threads', '2',
    '--data-dir', path.join(work, 'data'), '--daily-budget', '5'], env);
  url = `http://127.0.0.1:${port}`;

  // The workload: simple tasks (local first: the failing local model trips
  // its breaker) and critical ones (ensembles of commercial models: spend).
  const simple = ['say hello', 'what is 2 plus 2', 'name a colour', 'say goodbye'];
  const critical = ['Audit production deployment for security vulnerabilities',
    'Write a fibonacci function in Python with tests', 'Plan the migration of our billing database'];
  for (let i = 0; i < 12; ++i) assert.equal((await chat(simple[i % simple.length])).status, 200);
  for (let i = 0; i < 6; ++i) assert.equal((await chat(critical[i % critical.length])).status, 200);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // Root needs --no-sandbox; the rest keeps Chromium off the network,
    // which this machine refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

after(async () => {
  if (browser) await browser.close();
  for (const c of children) c.kill('SIGTERM');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('without the admin key the dashboard and its data are refused', async () => {
  const ui = await call('/ui', { key: '' });
  assert.equal(ui.status, 401);
  assert.match(ui.text, /admin key/);
  assert.equal((await call('/ui/app.js', { key: '' })).status, 401);
  assert.equal((await call('/v1/decisions', { key: '' })).status, 401);
  assert.equal((await call('/v1/analytics/spend', { key: '' })).status, 401);
  // A wrong key gets no session.
  const wrong = await fetch(`${url}/ui/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=sk-not-it',
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  // A made-up session cookie is no session.
  const forged = await fetch(`${url}/ui/`, { headers: { cookie: 'switchyard_session=' + 'ab'.repeat(32) } });
  assert.equal(forged.status, 401);
  // A client key is not the admin key.
  const created = await call('/v1/keys', { method: 'POST', body: { name: 'client' } });
  assert.equal(created.status, 201);
  const client = await call('/v1/decisions', { key: created.json.key });
  assert.equal(client.status, 403);
});

test('the login sets an HttpOnly, SameSite=Strict session cookie that is not the key', async () => {
  const res = await fetch(`${url}/ui/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `key=${encodeURIComponent(adminKey)}`,
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/ui/');
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^switchyard_session=[0-9a-f]{64};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.ok(!cookie.includes(adminKey));
  const session = cookie.split(';')[0];
  const index = await fetch(`${url}/ui/`, { headers: { cookie: session } });
  assert.equal(index.status, 200);
  const etag = index.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(`${url}/ui/`, { headers: { cookie: session, 'if-none-match': etag } });
  assert.equal(again.status, 304);
});

test('decision pages walk back through the log reading about `limit` records', async () => {
  const first = await call('/v1/decisions?limit=5');
  assert.equal(first.status, 200);
  assert.equal(first.json.data.length, 5);
  assert.equal(first.json.has_more, true);
  // The page plus the one record that says there is more.
  assert.ok(first.json.records_read <= 6, `read ${first.json.records_read} records for 5 rows`);
  const second = await call(`/v1/decisions?limit=5&before=${first.json.next_before}`);
  const ids = (p) => p.json.data.map((d) => d.id);
  assert.equal(second.json.data.length, 5);
  assert.ok(ids(second).every((id) => id < ids(first).at(-1)), 'older than the first page');
  const newer = await call(`/v1/decisions?limit=100&after=${ids(second)[0]}`);
  assert.deepEqual(ids(newer), ids(first));
  assert.equal((await call('/v1/decisions?limit=0')).status, 400);
  assert.equal((await call('/v1/decisions?before=nonsense')).status, 400);
});

test('the dashboard shows decisions, evidence, a plan\'s steps, replay, spend and an open breaker', async () => {
  await page.goto(`${url}/ui`);
  await page.fill('#key', adminKey);
  await Promise.all([page.waitForURL(`${url}/ui/`), page.click('button[type=submit]')]);

  // Live decisions: the whole workload (18 tasks).
  await page.waitForFunction(() => document.querySelectorAll('#decisions-body tr').length >= 18);
  await page.screenshot({ path: path.join(shots, 'decisions.png') });
  // New decisions arrive through polling while the page is open.
  const before = await page.locator('#decisions-body tr').count();
  assert.equal((await chat('Audit production deployment for security vulnerabilities')).status, 200);
  await page.waitForFunction((n) => document.querySelectorAll('#decisions-body tr').length > n, before);

  // A critical decision's evidence: candidates with points per factor.
  const row = page.locator('#decisions-body tr', { hasText: 'security_audit' }).first();
  await row.click();
  await page.waitForSelector('#evidence table.candidates tbody tr');
  const header = await page.locator('#evidence table.candidates thead').innerText();
  for (const factor of ['quality', 'cost', 'history', 'learned', 'preference', 'diversity', 'vendor']) {
    assert.ok(header.includes(factor), `the evidence shows the ${factor} points`);
  }
  assert.ok(await page.locator('#evidence table.candidates tbody tr').count() >= 2);
  // Filtered-out models and why: the failing local model's breaker is open.
  await page.waitForSelector('#evidence table.filtered tbody tr');
  const filtered = await page.locator('#evidence table.filtered').innerText();
  assert.match(filtered, /breaker/);
  // Replay reproduces the decision.
  await page.click('#replay');
  await page.waitForSelector('#replay-result.identical, #replay-result.different');
  assert.match(await page.locator('#replay-result').innerText(), /^identical/);
  await page.screenshot({ path: path.join(shots, 'evidence.png') });
  await page.click('#drawer-close');

  // A plan's steps: a critic plan, asked for, shows each step with its model,
  // result and cost, and its replay recomputes every step's routing too.
  const planned = await call('/v1/chat/completions', {
    method: 'POST',
    body: { model: 'auto', messages: [{ role: 'user', content: 'Write a fibonacci function in Python with tests' }],
      switchyard: { plan: 'critic' } },
  });
  assert.equal(planned.status, 200);
  assert.equal(planned.headers.get('x-switchyard-plan'), 'critic');
  const planRow = page.locator(`#decisions-body tr[data-id="${planned.headers.get('x-switchyard-decision-id')}"]`);
  await planRow.waitFor();
  await planRow.click();
  await page.waitForSelector('#evidence table.steps tbody tr');
  assert.match(await page.locator('#evidence h2[data-plan]').innerText(), /critic/);
  const roles = await page.locator('#evidence table.steps tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.dataset.role));
  assert.ok(roles.includes('synthesis') && roles.includes('critic'), `the steps: ${roles}`);
  const synthesis = page.locator('#evidence table.steps tbody tr[data-role=synthesis]').first();
  assert.equal(await synthesis.locator('td.result').innerText(), 'ok');
  assert.match(await synthesis.innerText(), /\d\.\d{4}/, 'the synthesis has a cost');
  await page.click('#replay');
  await page.waitForSelector('#replay-result.identical, #replay-result.different');
  assert.match(await page.locator('#replay-result').innerText(), /^identical/);
  await page.screenshot({ path: path.join(shots, 'plan.png') });
  await page.click('#drawer-close');

  // Spend: a chart with data, against the budgets and the always-best line.
  await page.click('#tabs button[data-tab=spend]');
  await page.waitForSelector('#spend-chart canvas');
  const spend = await page.evaluate(async () => (await fetch('/v1/analytics/spend?bucket=minute')).json());
  const total = spend.total_usd.reduce((a, b) => a + b, 0);
  assert.ok(total > 0, 'the workload cost something');
  assert.ok(spend.always_best_usd.reduce((a, b) => a + b, 0) > 0);
  assert.ok(spend.by_model.length >= 2);
  const legend = await page.locator('#spend .u-legend').innerText();
  assert.match(legend, /total/);
  assert.match(legend, /always/);
  assert.match(await page.locator('#budgets-body').innerText(), /today/);
  await page.screenshot({ path: path.join(shots, 'spend.png') });

  // Providers: the breaker that injected faults opened shows as open, with
  // the transition in its history.
  await page.click('#tabs button[data-tab=providers]');
  await page.waitForSelector('#providers-body tr[data-provider=ollama]');
  assert.match(await page.locator('#providers-body tr[data-provider=ollama] td.breaker').innerText(), /open/);
  assert.match(await page.locator('#breaker-history').innerText(), /ollama\s+closed\s+open/);
  // Its trips and the retries columns: the opened breaker tripped at least
  // once, and the failing model's 500s were retried (retryable errors).
  const providerHeader = await page.locator('#providers thead').first().innerText();
  assert.match(providerHeader, /trips/);
  assert.match(providerHeader, /retries/);
  const ollama = page.locator('#providers-body tr[data-provider=ollama]');
  assert.ok(Number(await ollama.locator('td.trips').innerText()) >= 1, 'the open breaker tripped');
  const retries = await page.locator('#providers-body td.retries').allInnerTexts();
  assert.ok(retries.length >= 2 && retries.every((r) => /^\d+$/.test(r)), `retries shown: ${retries}`);
  await page.screenshot({ path: path.join(shots, 'providers.png') });

  // Models: performance with sample sizes, and the learned weights chart.
  await page.click('#tabs button[data-tab=models]');
  await page.waitForSelector('#models-body tr');
  await page.selectOption('#weights-type', 'security_audit');
  await page.waitForSelector('#weights-chart canvas');
  await page.screenshot({ path: path.join(shots, 'models.png') });

  // Experiments: start one from the form, see its arms collect samples from
  // traffic, stop it from its button.
  await page.click('#tabs button[data-tab=experiments]');
  await page.fill('#experiment-form input[name=id]', 'ui-ab');
  await page.selectOption('#experiment-type', 'general');
  await page.fill('#experiment-form input[name=arms]', 'gpt-4o-mini, claude-haiku-4');
  await page.selectOption('#experiment-form select[name=metric]', 'success');
  await page.fill('#experiment-form input[name=min_samples_per_arm]', '2');
  await page.click('#experiment-form button[type=submit]');
  await page.waitForFunction(() => /^(started|could not)/.test(document.querySelector('#experiment-result').textContent));
  assert.equal(await page.locator('#experiment-result').innerText(), 'started ui-ab');
  const experiment = page.locator('#experiments-body tr[data-experiment=ui-ab]');
  await experiment.waitFor();
  assert.match(await experiment.innerText(), /running/);
  const general = ['say hello', 'say goodbye', 'name a colour', 'say hi'];
  // The arms split traffic by a hash seeded with the start time, so 8 tasks
  // all land in one arm once in 128 runs: send 8 more until both have some
  // (at most 40 in all).
  let sent = 0;
  let counts = [];
  while (sent < 40) {
    for (let i = 0; i < 8; ++i, ++sent) assert.equal((await chat(general[sent % general.length])).status, 200);
    // Samples arrive once the calls settle: wait until the row counts them
    // all, re-clicking the tab (which refreshes the panel at once) each poll.
    await page.waitForFunction((n) => {
      document.querySelector('#tabs button[data-tab=experiments]').click();
      const row = document.querySelector('#experiments-body tr[data-experiment=ui-ab]');
      const arms = [...(row ? row.textContent : '').matchAll(/: n (\d+)/g)];
      return arms.reduce((a, m) => a + Number(m[1]), 0) >= n;
    }, sent, { polling: 200, timeout: 5000 });
    counts = [...(await experiment.innerText()).matchAll(/(gpt-4o-mini|claude-haiku-4): n (\d+)/g)]
      .map((m) => Number(m[2]));
    if (counts.length === 2 && counts.every((n) => n >= 1)) break;
  }
  assert.equal(counts.length, 2, 'both arms listed');
  assert.equal(counts.reduce((a, b) => a + b, 0), sent, `every general task joined an arm: ${counts}`);
  assert.ok(counts.every((n) => n >= 1), `both arms got traffic: ${counts}`);
  await page.screenshot({ path: path.join(shots, 'experiments.png') });
  await experiment.locator('button').click();
  await page.waitForFunction(() => /stopped/.test(
    document.querySelector('#experiments-body tr[data-experiment=ui-ab]').textContent));
  const stopped = await call('/v1/experiments');
  assert.equal(stopped.json.data.find((x) => x.id === 'ui-ab').running, false);
});

test('the cluster panel lists both members of a 2-node cluster as alive', async () => {
  const serve = (id, seeds) => startNode(['serve', '--listen', '127.0.0.1:0', '--threads', '1',
    '--node-id', id, '--cluster-listen', '127.0.0.1:0', ...(seeds ? ['--cluster-seeds', seeds] : [])],
  gatewayEnv);
  const a = await serve('a');
  const b = await serve('b', `127.0.0.1:${a.cluster}`);
  const nodeUrl = `http://127.0.0.1:${a.http}`;
  const clusterOf = async (port) => (await fetch(`http://127.0.0.1:${port}/v1/cluster`,
    { headers: { authorization: `Bearer ${adminKey}` } })).json();
  // Wait (with a deadline) until both nodes see each other alive.
  const deadline = Date.now() + 10000;
  for (;;) {
    const views = await Promise.all([clusterOf(a.http), clusterOf(b.http)]);
    if (views.every((v) => (v.members || []).filter((m) => m.state === 'alive').length === 2)) break;
    assert.ok(Date.now() < deadline, `the nodes did not see each other: ${JSON.stringify(views)}`);
    await new Promise((r) => setImmediate(r));
  }

  // A browser context of its own: cookies ignore ports, and the first
  // gateway's session means nothing to node a.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const nodePage = await context.newPage();
  await nodePage.goto(`${nodeUrl}/ui`);
  await nodePage.fill('#key', adminKey);
  await Promise.all([nodePage.waitForURL(`${nodeUrl}/ui/`), nodePage.click('button[type=submit]')]);
  await nodePage.locator('#cluster-tab').waitFor({ state: 'visible' });
  await nodePage.click('#cluster-tab');
  for (const id of ['a', 'b']) {
    const row = nodePage.locator(`#cluster-body tr[data-member=${id}]`);
    await row.waitFor();
    assert.equal(await row.locator('td.state').innerText(), 'alive');
  }
  assert.match(await nodePage.locator('#cluster-body tr[data-member=a]').innerText(), /this node/);
  assert.match(await nodePage.locator('#cluster-summary').innerText(), /node a: 2 member/);
  await nodePage.screenshot({ path: path.join(shots, 'cluster.png') });
  await context.close();
});
