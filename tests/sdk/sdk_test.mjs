// The official OpenAI and Anthropic SDKs against a real gateway in front of
// a real sim-upstream, both on loopback with ports picked by the OS.
// Run: SWITCHYARD_BINARY=path/to/switchyard node --test sdk_test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { adminKey, startFleet } from './fleet.mjs';

let fleet;
let openai;
let anthropic;

before(async () => {
  fleet = await startFleet();
  // No retries: a dropped connection is a failure, not something to hide.
  openai = new OpenAI({ apiKey: adminKey, baseURL: `${fleet.gatewayUrl}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: adminKey, baseURL: fleet.gatewayUrl, maxRetries: 0 });
});

after(() => fleet?.stop());

test('OpenAI SDK: chat completion with model auto', async () => {
  const { data, response } = await openai.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'Review this pull request diff for bugs' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.match(data.id, /^chatcmpl-/);
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0].message.role, 'assistant');
  assert.ok(data.choices[0].message.content.length > 0);
  assert.ok(['stop', 'length'].includes(data.choices[0].finish_reason));
  assert.ok(data.usage.total_tokens > 0);
  assert.equal(response.headers.get('x-switchyard-model'), data.model);
  assert.match(response.headers.get('x-switchyard-decision-id'), /^dec_[0-9a-f]{16}$/);
});

test('OpenAI SDK: streaming with include_usage', async () => {
  const stream = await openai.chat.completions.create({
    model: 'auto', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'say hello' }],
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.ok(text.length > 0);
  assert.ok(['stop', 'length'].includes(finish));
  assert.ok(usage && usage.completion_tokens > 0);
});

test('OpenAI SDK: an unknown model is a NotFoundError', async () => {
  await assert.rejects(
    openai.chat.completions.create({ model: 'gpt-7', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => {
      assert.equal(err.status, 404);
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.code, 'model_not_found');
      return true;
    });
});

test('OpenAI SDK: a wrong key is an AuthenticationError', async () => {
  const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: openai.baseURL, maxRetries: 0 });
  await assert.rejects(
    wrong.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);
});

test('OpenAI SDK: models.list includes auto', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  assert.ok(ids.includes('auto'));
  assert.ok(ids.includes('gpt-4o-mini'));
});

test('Anthropic SDK: messages.create', async () => {
  const msg = await anthropic.messages.create({
    model: 'auto', max_tokens: 128, system: 'be brief',
    messages: [{ role: 'user', content: 'Write a fibonacci function' }],
  });
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.content[0].type, 'text');
  assert.ok(msg.content[0].text.length > 0);
  assert.ok(['end_turn', 'max_tokens'].includes(msg.stop_reason));
  assert.ok(msg.usage.output_tokens <= 128);
});

test('Anthropic SDK: streaming', async () => {
  const stream = anthropic.messages.stream({
    model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: 'say hello' }],
  });
  let text = '';
  stream.on('text', (t) => { text += t; });
  const final = await stream.finalMessage();
  assert.ok(text.length > 0);
  assert.equal(final.content[0].text, text);
});

test('Anthropic SDK: a missing max_tokens is a BadRequestError', async () => {
  await assert.rejects(
    anthropic.messages.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => err instanceof Anthropic.BadRequestError && err.status === 400);
});
