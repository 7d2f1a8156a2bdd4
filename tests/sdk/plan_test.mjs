// Execution plans through the official SDKs (docs/plans.md), against a real
// gateway with its store in front of a real sim-upstream: the plan chosen
// in the body or a header, an agent's tool call answered by a plan's final
// step, a streamed plan, the plan's steps in the answer's headers, and the
// logged plan replaying every step identically.
// Run: SWITCHYARD_BINARY=path/to/switchyard node --test plan_test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { adminKey, startFleet } from './fleet.mjs';
import { assertWeatherArguments, chatTool, question } from './agent_support.mjs';

let dataDir;
let fleet;
let openai;
let anthropic;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-sdk-plans-'));
  fleet = await startFleet({ dataDir });
  // No retries: a dropped connection is a failure, not something to hide.
  openai = new OpenAI({ apiKey: adminKey, baseURL: `${fleet.gatewayUrl}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: adminKey, baseURL: fleet.gatewayUrl, maxRetries: 0 });
});

after(() => {
  fleet?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const review = 'Review this pull request diff for bugs in the retry loop';

/// The roles of an x-switchyard-steps header (role=model:usd,...).
function roles(headers) {
  const steps = headers.get('x-switchyard-steps');
  assert.ok(steps, 'no x-switchyard-steps header');
  return steps.split(',').map((s) => s.slice(0, s.indexOf('=')));
}

/// The gateway's replay of a logged decision.
async function replay(decisionId) {
  const res = await fetch(`${fleet.gatewayUrl}/v1/decisions/${decisionId}/replay`, {
    method: 'POST', headers: { authorization: `Bearer ${adminKey}` },
  });
  assert.equal(res.status, 200);
  return res.json();
}

test('OpenAI SDK: a chain chosen in the body answers an agent with a tool call', async () => {
  const { data, response } = await openai.chat.completions
    .create({
      model: 'auto',
      messages: [{ role: 'user', content: question }],
      tools: [chatTool],
      tool_choice: 'required',
      switchyard: { plan: 'chain' },
    })
    .withResponse();
  assert.equal(response.headers.get('x-switchyard-plan'), 'chain');
  assert.deepEqual(roles(response.headers), ['planner', 'executor']);
  // Only the final step has the tools: its answer is the caller's.
  const { message, finish_reason: finish } = data.choices[0];
  assert.equal(finish, 'tool_calls');
  assert.equal(message.tool_calls.length, 1);
  assert.equal(message.tool_calls[0].function.name, 'get_weather');
  assertWeatherArguments(message.tool_calls[0].function.arguments);

  const replayed = await replay(response.headers.get('x-switchyard-decision-id'));
  assert.equal(replayed.steps, 2);
  assert.equal(replayed.identical, true, JSON.stringify(replayed.first_difference));
});

test('OpenAI SDK: specialists chosen by header stream their synthesis', async () => {
  const { data, response } = await openai.chat.completions
    .create(
      { model: 'auto', stream: true, messages: [{ role: 'user', content: review }] },
      { headers: { 'X-Switchyard-Plan': 'specialists' } },
    )
    .withResponse();
  assert.equal(response.headers.get('x-switchyard-plan'), 'specialists');
  let text = '';
  let finish = null;
  for await (const chunk of data) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.ok(text.length > 0);
  assert.ok(['stop', 'length'].includes(finish));

  const replayed = await replay(response.headers.get('x-switchyard-decision-id'));
  assert.equal(replayed.steps, 4);
  assert.equal(replayed.identical, true, JSON.stringify(replayed.first_difference));
});

test('Anthropic SDK: a plan by header, with its steps in the headers', async () => {
  const { data, response } = await anthropic.messages
    .create(
      { model: 'auto', max_tokens: 256, messages: [{ role: 'user', content: review }] },
      { headers: { 'X-Switchyard-Plan': 'chain' } },
    )
    .withResponse();
  assert.equal(data.type, 'message');
  assert.ok(data.content.some((b) => b.type === 'text' && b.text.length > 0));
  assert.equal(response.headers.get('x-switchyard-plan'), 'chain');
  assert.deepEqual(roles(response.headers), ['planner', 'executor']);
});

test('OpenAI SDK: an unknown plan is a BadRequestError naming it', async () => {
  await assert.rejects(
    openai.chat.completions.create({
      model: 'auto', messages: [{ role: 'user', content: review }], switchyard: { plan: 'committee' },
    }),
    (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, 'invalid_plan');
      return true;
    });
});
