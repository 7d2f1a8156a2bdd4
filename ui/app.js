// The switchyard dashboard: plain JS, no framework. Every fetch carries the
// session cookie (same origin); a 401 sends the browser back to the login.
'use strict';

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ''));
  return e;
};
const fmtUsd = (v) => (v == null ? '—' : v < 0.01 ? v.toFixed(6) : v.toFixed(4));
const fmtTime = (ms) => new Date(ms).toLocaleTimeString();
const fmtPct = (v) => (v * 100).toFixed(1) + '%';
const palette = ['#2858b8', '#d9730d', '#1f7a3a', '#b3261e', '#7048c8', '#0f8a8a',
                 '#a66300', '#c2185b', '#5d6d2a', '#455a64', '#8d6e63', '#1e88e5'];
const TASK_TYPES = ['code_generation', 'code_review', 'testing', 'refactoring', 'reasoning',
  'planning', 'analysis', 'security_audit', 'documentation', 'tool_use', 'multimodal',
  'long_context', 'general'];

function status(text, error = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: 'same-origin', ...options });
  if (res.status === 401) {
    window.location.href = '/ui/login';
    throw new Error('signed out');
  }
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : `${res.status}`;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return body;
}

// -- tabs ----------------------------------------------------------------------

let activeTab = 'decisions';
const refreshers = {};
document.querySelectorAll('#tabs button').forEach((b) => {
  b.addEventListener('click', () => {
    activeTab = b.dataset.tab;
    document.querySelectorAll('#tabs button').forEach((x) => x.classList.toggle('active', x === b));
    document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.id === activeTab));
    if (refreshers[activeTab]) refreshers[activeTab]();
  });
});

// -- charts --------------------------------------------------------------------

const charts = {};
function drawChart(name, container, xs, series, opts = {}) {
  const box = $(container);
  if (typeof uPlot === 'undefined') {
    box.textContent = 'Charts are not in this build (uPlot was not installed when it was built).';
    return;
  }
  const key = series.map((s) => s.label).join('|');
  const data = [xs, ...series.map((s) => s.values)];
  const old = charts[name];
  if (old && old.key === key) {
    old.plot.setData(data);
    return;
  }
  if (old) old.plot.destroy();
  box.textContent = '';
  const width = Math.max(400, box.clientWidth - 20);
  const plot = new uPlot({
    width, height: 300,
    scales: { x: { time: true } },
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.stroke || palette[i % palette.length],
      width: s.width || 1.5,
      dash: s.dash,
      value: (u, v) => (v == null ? '—' : opts.format ? opts.format(v) : v),
    }))],
    axes: [{}, { size: 70, values: (u, vals) => vals.map((v) => (opts.format ? opts.format(v) : v)) }],
  }, data, box);
  charts[name] = { plot, key };
  box.dataset.points = String(xs.length);
}

// -- decisions -----------------------------------------------------------------

let newest = null;   // decision id (dec_...) of the newest row shown
let oldest = null;
const MAX_ROWS = 1000;

function decisionRow(d, fresh) {
  const tr = el('tr', { 'data-id': d.id, class: fresh ? 'fresh' : '' },
    el('td', {}, fmtTime(d.created_unix_ms)),
    el('td', {}, d.id),
    el('td', {}, d.task_type),
    el('td', {}, `${d.complexity} (${d.complexity_score})`),
    el('td', {}, d.model || '—'),
    el('td', { class: 'num' }, fmtUsd(d.cost_usd)),
    el('td', { class: 'num' }, d.latency_ms.toFixed(1)),
    el('td', { class: 'num' }, d.attempts),
    el('td', { class: 'num' }, d.fallbacks),
    el('td', {}, d.parallel ? 'yes' : ''),
    el('td', {}, el('span', { class: 'badge ' + (d.ok ? 'ok' : 'bad'), title: d.error || '' },
      d.ok ? 'ok' : 'failed')));
  tr.addEventListener('click', () => openDecision(d.id, tr));
  return tr;
}

async function pollDecisions() {
  if (!$('#live').checked) return;
  const q = newest ? `&after=${newest}` : '';
  const page = await api(`/v1/decisions?limit=100${q}`);
  const body = $('#decisions-body');
  const rows = page.data;
  if (rows.length) {
    const frag = document.createDocumentFragment();
    rows.forEach((d) => frag.append(decisionRow(d, newest !== null)));
    body.prepend(frag);
    newest = rows[0].id;
    if (!oldest) oldest = rows[rows.length - 1].id;
    while (body.rows.length > MAX_ROWS) {
      body.deleteRow(body.rows.length - 1);
      oldest = body.rows[body.rows.length - 1].dataset.id;
    }
  }
  $('#decision-count').textContent = `${body.rows.length} shown`;
}

$('#older').addEventListener('click', async () => {
  if (!oldest) return;
  const page = await api(`/v1/decisions?limit=100&before=${oldest}`);
  const body = $('#decisions-body');
  page.data.forEach((d) => body.append(decisionRow(d, false)));
  if (page.data.length) oldest = page.data[page.data.length - 1].id;
  $('#older').disabled = !page.has_more;
  $('#decision-count').textContent = `${body.rows.length} shown`;
});

let openId = null;
let openSteps = 0;   // plan steps of the open decision
async function openDecision(id, tr) {
  document.querySelectorAll('#decisions-body tr.selected').forEach((r) => r.classList.remove('selected'));
  if (tr) tr.classList.add('selected');
  openId = id;
  $('#drawer').hidden = false;
  $('#drawer-title').textContent = id;
  $('#replay-result').textContent = '';
  $('#replay-result').className = '';
  const ev = $('#evidence');
  ev.textContent = 'loading…';
  openSteps = 0;
  try {
    renderEvidence(await api(`/v1/decisions/${id}`));
  } catch (e) {
    ev.textContent = `Could not load: ${e.message}`;
  }
}

function renderEvidence(rec) {
  const ev = $('#evidence');
  ev.textContent = '';
  const o = rec.outcome || {};
  ev.append(el('dl', { class: 'facts' },
    el('dt', {}, 'task'), el('dd', {}, (rec.task && rec.task.text) || ''),
    el('dt', {}, 'answered by'), el('dd', {}, o.answered_by || '—'),
    el('dt', {}, 'outcome'), el('dd', {}, o.error === 'none' ? 'ok' : `${o.error}: ${o.error_message || ''}`),
    el('dt', {}, 'cost'), el('dd', {}, `${fmtUsd(o.cost_usd)} USD`),
    el('dt', {}, 'latency'), el('dd', {}, `${(o.latency_ms || 0).toFixed(1)} ms`)));
  if (o.attempts && o.attempts.length) {
    ev.append(el('h2', {}, 'Attempts'));
    const t = el('table', { class: 'grid' }, el('thead', {}, el('tr', {},
      el('th', {}, 'model'), el('th', {}, 'result'), el('th', { class: 'num' }, 'latency (ms)'),
      el('th', { class: 'num' }, 'cost (USD)'))));
    const tb = el('tbody');
    o.attempts.forEach((a) => tb.append(el('tr', {}, el('td', {}, a.model), el('td', {}, a.error === 'none' ? 'ok' : a.error),
      el('td', { class: 'num' }, a.latency_ms.toFixed(1)), el('td', { class: 'num' }, fmtUsd(a.cost_usd)))));
    t.append(tb);
    ev.append(t);
  }
  renderPlan(ev, rec.plan);
  (rec.rounds || []).forEach((round, i) => {
    const d = round.decision;
    ev.append(el('h2', {}, `Round ${i + 1}: ${d.selection_rule} → ${d.model || 'none'}`));
    if (d.rationale) ev.append(el('p', {}, d.rationale));
    const factors = ['quality', 'cost', 'history', 'learned', 'preference', 'diversity', 'vendor'];
    const t = el('table', { class: 'grid candidates' }, el('thead', {}, el('tr', {},
      el('th', {}, 'candidate'), ...factors.map((f) => el('th', { class: 'num' }, f)),
      el('th', { class: 'num' }, 'total'), el('th', { class: 'num' }, 'expected cost'),
      el('th', {}, 'capable'))));
    const tb = el('tbody');
    (d.candidates || []).forEach((c) => tb.append(el('tr', { 'data-model': c.model },
      el('td', {}, c.model),
      ...factors.map((f) => el('td', { class: 'num' }, (c.factors[f] ?? 0).toFixed(2))),
      el('td', { class: 'num' }, c.total.toFixed(2)),
      el('td', { class: 'num' }, fmtUsd(c.expected_cost_usd)),
      el('td', {}, c.capable ? 'yes' : 'no'))));
    t.append(tb);
    ev.append(t);
    if ((d.filtered_out || []).length) {
      ev.append(el('h2', {}, 'Filtered out'));
      const ft = el('table', { class: 'grid filtered' }, el('thead', {}, el('tr', {},
        el('th', {}, 'model'), el('th', {}, 'reason'), el('th', {}, 'detail'))));
      const fb = el('tbody');
      d.filtered_out.forEach((f) => fb.append(el('tr', {}, el('td', {}, f.model),
        el('td', {}, f.reason), el('td', {}, f.detail))));
      ft.append(fb);
      ev.append(ft);
    }
  });
}

// A plan's steps, one row each: the rounds above are the routing that
// chose the plan; each step was routed as a task of its own.
function renderPlan(ev, plan) {
  if (!plan || !(plan.steps || []).length) return;
  openSteps = plan.steps.length;
  ev.append(el('h2', { 'data-plan': plan.kind }, `Plan: ${plan.kind}`));
  if ((plan.dropped || []).length) {
    ev.append(el('p', { class: 'dropped' }, `dropped by the budget: ${plan.dropped.join(', ')}`));
  }
  const t = el('table', { class: 'grid steps' }, el('thead', {}, el('tr', {},
    el('th', {}, 'step'), el('th', {}, 'role'), el('th', {}, 'model'), el('th', {}, 'result'),
    el('th', { class: 'num' }, 'cost (USD)'), el('th', { class: 'num' }, 'worst case'),
    el('th', { class: 'num' }, 'latency (ms)'), el('th', { class: 'num' }, 'score'), el('th', {}, 'note'))));
  const tb = el('tbody');
  plan.steps.forEach((s, i) => {
    const result = !s.ran ? 'not run' : s.ok ? 'ok' : s.error;
    const role = s.revision > 0 ? `${s.role} (revision ${s.revision})` : s.role;
    tb.append(el('tr', { 'data-role': s.role, class: s.ok ? 'ok' : 'failed' },
      el('td', { class: 'num' }, i + 1), el('td', {}, role), el('td', {}, s.model || '—'),
      el('td', { class: 'result' }, result),
      el('td', { class: 'num' }, fmtUsd(s.cost_usd)), el('td', { class: 'num' }, fmtUsd(s.worst_cost_usd)),
      el('td', { class: 'num' }, s.ran ? s.latency_ms.toFixed(1) : '—'),
      el('td', { class: 'num' }, s.score == null ? '—' : s.score.toFixed(2)),
      el('td', { class: 'note' }, s.note || '')));
  });
  t.append(tb);
  ev.append(t);
}

$('#drawer-close').addEventListener('click', () => { $('#drawer').hidden = true; openId = null; });
$('#replay').addEventListener('click', async () => {
  if (!openId) return;
  const out = $('#replay-result');
  out.textContent = 'replaying…';
  out.className = '';
  try {
    const r = await api(`/v1/decisions/${openId}/replay`, { method: 'POST' });
    if (r.identical) {
      out.textContent = `identical: ${r.rounds} round(s)${openSteps ? ` and ${openSteps} plan step(s)` : ''} recomputed to the same decision`
        + (r.config_differs ? ' (under a different configuration)' : '');
      out.className = 'identical';
    } else if (r.first_difference) {
      const f = r.first_difference;
      out.textContent = `differs in round ${f.round} at ${f.path}: logged ${f.logged}, recomputed ${f.recomputed}`;
      out.className = 'different';
    } else if (r.rounds > 0) {
      // The task's own rounds came out the same: a plan's step did not.
      out.textContent = `differs in a step of the plan (switchyard replay ${openId} says where)`;
      out.className = 'different';
    } else {
      out.textContent = 'nothing to replay (no routing round was logged)';
    }
  } catch (e) {
    out.textContent = `replay failed: ${e.message}`;
    out.className = 'different';
  }
});

// -- spend ---------------------------------------------------------------------

async function refreshSpend() {
  const bucket = $('#bucket').value;
  const s = await api(`/v1/analytics/spend?bucket=${bucket}`);
  const by = s[$('#spend-by').value];
  const series = by.slice(0, 10).map((l) => ({ label: l.name, values: l.usd }));
  series.push({ label: 'total', values: s.total_usd, stroke: '#1d1f21', width: 2 });
  series.push({ label: `always ${s.always_best_model || 'best'}`, values: s.always_best_usd,
                stroke: '#b3261e', dash: [6, 4], width: 2 });
  drawChart('spend', '#spend-chart', s.starts_unix_s, series, { format: (v) => fmtUsd(v) });
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const actual = sum(s.answered_usd), best = sum(s.always_best_usd);
  $('#spend-summary').textContent = `${s.tasks} tasks: `
    + `${fmtUsd(sum(s.total_usd))} USD spent; answered tasks ${fmtUsd(actual)} USD vs ${fmtUsd(best)} USD `
    + `on ${s.always_best_model || 'the strongest model'}`
    + (best > 0 ? ` (${fmtPct(1 - actual / best)} saved)` : '');
  const b = s.budgets;
  const tb = $('#budgets-body');
  tb.textContent = '';
  const row = (scope, limit, spent) => tb.append(el('tr', {}, el('td', {}, scope),
    el('td', { class: 'num' }, limit == null ? 'none' : fmtUsd(limit)),
    el('td', { class: 'num' }, fmtUsd(spent)),
    el('td', {}, limit ? el('meter', { min: 0, max: limit, value: spent, high: limit * 0.8 }) : '')));
  row('global', b.global.limit_usd, b.global.spent_usd);
  row('today (UTC)', b.daily.limit_usd, b.daily.spent_today_usd);
  b.keys.forEach((k) => row(`key ${k.name} (${k.id}), lifetime`, k.limit_usd, k.spent_usd));
}
$('#bucket').addEventListener('change', refreshSpend);
$('#spend-by').addEventListener('change', refreshSpend);
refreshers.spend = refreshSpend;

// -- models --------------------------------------------------------------------

let learnedSamples = [];
let learnedIntervalMs = 0;
async function refreshModels() {
  const perf = await api('/v1/analytics/performance');
  const lines = Array.isArray(perf) ? perf : (perf.data || perf.performance || []);
  const tb = $('#models-body');
  tb.textContent = '';
  lines.forEach((l) => tb.append(el('tr', {},
    el('td', {}, l.model), el('td', {}, l.task_type),
    el('td', { class: 'num' }, fmtPct(l.success)),
    el('td', { class: 'num' }, (l.latency_ms || 0).toFixed(0)),
    el('td', { class: 'num' }, fmtUsd(l.cost_usd_per_call)),
    el('td', { class: 'num' }, (l.samples || 0).toFixed(1)),
    el('td', { class: 'num' }, fmtPct(l.confidence || 0)))));
  const since = learnedSamples.length ? learnedSamples[learnedSamples.length - 1].unix_ms : 0;
  const w = await api(`/v1/analytics/learned?since=${since}`);
  learnedSamples = learnedSamples.concat(w.samples).slice(-720);
  learnedIntervalMs = w.interval_ms;
  drawWeights();
}

function drawWeights() {
  const type = $('#weights-type').value;
  const value = $('#weights-value').value;
  const models = new Set();
  learnedSamples.forEach((s) => s.cells.forEach((c) => { if (c.task_type === type) models.add(c.model); }));
  const xs = learnedSamples.map((s) => s.unix_ms / 1000);
  const series = [...models].sort().map((m) => ({
    label: m,
    values: learnedSamples.map((s) => {
      const c = s.cells.find((x) => x.model === m && x.task_type === type);
      return c ? c[value] : null;
    }),
  }));
  $('#weights-note').textContent = `${learnedSamples.length} samples, one every ${learnedIntervalMs / 1000} s (kept in memory by the node)`;
  drawChart('weights', '#weights-chart', xs, series,
    { format: (v) => (value === 'latency_ms' ? v.toFixed(0) : Number(v).toFixed(3)) });
}
for (const sel of ['#weights-type', '#experiment-type']) {
  TASK_TYPES.forEach((t) => $(sel).append(el('option', { value: t }, t)));
}
$('#weights-type').addEventListener('change', () => drawWeights());
$('#weights-value').addEventListener('change', () => drawWeights());
refreshers.models = refreshModels;

// -- providers -----------------------------------------------------------------

async function refreshProviders() {
  const p = await api('/v1/providers');
  const tb = $('#providers-body');
  tb.textContent = '';
  const history = [];
  p.data.forEach((x) => {
    const errs = Object.entries(x.errors || {}).map(([k, v]) => `${k} ${v}`).join(', ');
    tb.append(el('tr', { 'data-provider': x.id },
      el('td', {}, x.id), el('td', {}, x.kind + (x.local ? ' (local)' : '')),
      el('td', { class: 'breaker' }, el('span', { class: `badge ${x.breaker}` }, x.breaker),
        x.reopens_in_ms != null ? ` retry in ${(x.reopens_in_ms / 1000).toFixed(1)} s` : ''),
      el('td', { class: 'num trips' }, x.trips),
      el('td', { class: 'num' }, x.calls), el('td', { class: 'num' }, x.failed_calls),
      el('td', { class: 'num' }, fmtPct(x.error_rate)),
      el('td', { class: 'num retries' }, x.retries),
      el('td', { class: 'num' }, x.fell_back), el('td', { class: 'num' }, x.breaker_refusals),
      el('td', {}, errs)));
    (x.history || []).forEach((h) => history.push({ ...h, provider: x.id }));
  });
  history.sort((a, b) => b.unix_ms - a.unix_ms);
  const hb = $('#breaker-history');
  hb.textContent = '';
  history.slice(0, 200).forEach((h) => hb.append(el('tr', {},
    el('td', {}, fmtTime(h.unix_ms)), el('td', {}, h.provider),
    el('td', {}, el('span', { class: `badge ${h.from}` }, h.from)),
    el('td', {}, el('span', { class: `badge ${h.to}` }, h.to)))));
}
refreshers.providers = refreshProviders;

// -- experiments ---------------------------------------------------------------

async function refreshExperiments() {
  const note = $('#experiments-note');
  let list;
  try {
    const r = await api('/v1/experiments');
    list = Array.isArray(r) ? r : (r.data || r.experiments || []);
    note.textContent = list.length ? '' : 'No experiments yet.';
  } catch (e) {
    note.textContent = e.status === 404 ? 'This node does not serve /v1/experiments.' : e.message;
    return;
  }
  const tb = $('#experiments-body');
  tb.textContent = '';
  list.forEach((x) => {
    const arms = (x.arms || []).map((a) => `${a.name}${a.model && a.model !== a.name ? '=' + a.model : ''}: `
      + `n ${a.n}, mean ${Number(a.mean).toFixed(3)}`
      + (a.p_vs_leader != null ? `, p ${Number(a.p_vs_leader).toFixed(4)}` : ' (leader)')).join('; ');
    const stop = el('button', { class: 'secondary' }, 'Stop');
    stop.disabled = !x.running;
    stop.addEventListener('click', async () => {
      try {
        await api(`/v1/experiments/${encodeURIComponent(x.id)}/stop`, { method: 'POST' });
      } catch (e) { note.textContent = e.message; }
      refreshExperiments();
    });
    tb.append(el('tr', { 'data-experiment': x.id }, el('td', {}, x.id), el('td', {}, x.task_type),
      el('td', {}, arms), el('td', {}, x.verdict + (x.winner ? `: ${x.winner}` : '')),
      el('td', {}, x.p_value != null ? Number(x.p_value).toFixed(4) : ''),
      el('td', {}, x.running ? 'running' : 'stopped'), el('td', {}, stop)));
  });
}
$('#experiment-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  // A model id forces that model; "router" is the router's own choice.
  const arms = String(f.get('arms')).split(',').map((s) => s.trim()).filter(Boolean);
  const body = {
    id: f.get('id'), task_type: f.get('task_type'), arms, metric: f.get('metric'),
    min_samples_per_arm: Number(f.get('min_samples_per_arm')),
  };
  const out = $('#experiment-result');
  try {
    await api('/v1/experiments', { method: 'POST', headers: { 'content-type': 'application/json' },
                                   body: JSON.stringify(body) });
    out.textContent = `started ${body.id}`;
  } catch (e) {
    out.textContent = `could not start: ${e.message}`;
  }
  refreshExperiments();
});
refreshers.experiments = refreshExperiments;

// -- cluster -------------------------------------------------------------------

async function refreshCluster() {
  let c;
  try {
    c = await api('/v1/cluster');
  } catch { return; }
  const members = c && c.members;
  if (!Array.isArray(members) || !members.length) return;
  $('#cluster-tab').hidden = false;
  const lag = c.delta_lag_ms || {};
  $('#cluster-summary').textContent = `node ${c.node_id}: ${members.length} member(s), `
    + `quorum ${c.quorum ? 'yes' : 'no'}, delta lag p50 ${Number(lag.p50 || 0).toFixed(1)} ms `
    + `/ p99 ${Number(lag.p99 || 0).toFixed(1)} ms (${lag.samples || 0} samples)`;
  const tb = $('#cluster-body');
  tb.textContent = '';
  members.forEach((m) => {
    const budgets = (m.budgets || []).map((b) => `${b.scope} ${fmtUsd(b.spent_usd)}`
      + (b.cap_usd ? ` / ${fmtUsd(b.cap_usd)}` : '')).join(', ');
    tb.append(el('tr', { 'data-member': m.id },
      el('td', {}, m.id + (m.self ? ' (this node)' : '')), el('td', {}, m.address || ''),
      el('td', { class: 'state' }, el('span', { class: `badge ${m.state}` }, m.state)),
      el('td', { class: 'num' }, m.self ? '' : m.messages_sent),
      el('td', { class: 'num' }, m.self ? '' : m.messages_received),
      el('td', {}, budgets)));
  });
}
refreshers.cluster = refreshCluster;

// -- the loop ------------------------------------------------------------------

async function tick(n) {
  // Each part on its own: a node without a store (no decision log) still
  // shows its providers and cluster.
  const errors = [];
  const run = async (fn) => { try { await fn(); } catch (e) { errors.push(e.message); } };
  if (activeTab === 'decisions' || n % 5 === 0) await run(pollDecisions);
  if (n % 5 === 0 && refreshers[activeTab] && activeTab !== 'decisions') await run(refreshers[activeTab]);
  if (n % 5 === 0 && activeTab !== 'cluster') await run(refreshCluster);
  if (errors.length) status(`error: ${errors.join('; ')}`, true);
  else status(`updated ${new Date().toLocaleTimeString()}`);
}
let n = 0;
tick(n);
setInterval(() => tick(++n), 1000);
