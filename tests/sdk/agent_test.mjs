// Agent conversations through the official SDKs (openai 7.x,
// @anthropic-ai/sdk 1.x) against a real gateway in front of a real
// sim-upstream: tool loops through each of the five upstream formats,
// plain and streamed, via Chat Completions, Messages and Responses; an
// image and a JSON schema reaching the upstream; fields an upstream cannot
// express refused; and the second turn of a tool loop staying on the model
// that made the calls. What reached the upstream is read back from the
// sim's record of each request.
// Run: SWITCHYARD_BINARY=path/to/switchyard node --test agent_test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { adminKey, startFleet } from './fleet.mjs';
import {
  SimRecord, assertImages, assertWeatherArguments, byFormat, chatTool, conversationIn,
  forcesToolCall, messagesTool, question, readChatStream, responsesTool, schemaIn, toolOutput,
  upstreams,
} from './agent_support.mjs';

let fleet;
let sim;
let openai;
let anthropic;

before(async () => {
  fleet = await startFleet();
  sim = new SimRecord(fleet.simUrl);
  // No retries: a dropped connection is a failure, not something to hide.
  openai = new OpenAI({ apiKey: adminKey, baseURL: `${fleet.gatewayUrl}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: adminKey, baseURL: fleet.gatewayUrl, maxRetries: 0 });
});

after(() => fleet?.stop());

// -- Chat Completions: a two-turn tool loop through each upstream format --------

/// One Chat Completions turn, plain or streamed, as { message, finish,
/// model (x-switchyard-model), calls with their argument chunk counts }.
async function chatTurn(params, streamed) {
  if (!streamed) {
    const { data, response } = await openai.chat.completions.create(params).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices.length, 1);
    const { message, finish_reason: finish } = data.choices[0];
    assert.equal(message.role, 'assistant');
    assert.equal(response.headers.get('x-switchyard-model'), data.model);
    return { text: message.content ?? '', calls: message.tool_calls ?? [], finish, model: data.model };
  }
  const { data, response } = await openai.chat.completions
    .create({ ...params, stream: true, stream_options: { include_usage: true } })
    .withResponse();
  const read = await readChatStream(data);
  return { ...read, model: response.headers.get('x-switchyard-model') };
}

for (const u of upstreams) {
  for (const streamed of [false, true]) {
    const how = streamed ? 'streamed' : 'plain';
    test(`Chat Completions tool loop through ${u.format} (${u.model}), ${how}`, async () => {
      const before = await sim.model(u.upstream);
      const user = { role: 'user', content: question };

      // Turn one: the tool is forced, so the answer is a call. Ollama's API
      // cannot force one (a forced tool_choice is refused, below); the sim's
      // Ollama model calls a tool whenever it is offered one.
      const choice = u.format === 'ollama' ? {} : { tool_choice: 'required' };
      const one = await chatTurn(
        { model: u.model, messages: [user], tools: [chatTool], ...choice }, streamed);
      assert.equal(one.model, u.model);
      assert.equal(one.finish, 'tool_calls');
      assert.equal(one.calls.length, 1);
      const call = one.calls[0];
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.ok(call.id.length > 0);
      const args = assertWeatherArguments(call.function.arguments);
      if (streamed && u.splits)
        assert.ok(call.argumentChunks > 1,
                  `${u.format} streams arguments in pieces; the client got ${call.argumentChunks} chunk(s)`);
      const sent = await sim.lastBody(u.upstream);
      assert.deepEqual(conversationIn(u.format, sent).tools, ['get_weather']);
      if (u.format !== 'ollama') assert.equal(forcesToolCall(u.format, sent), true);

      // Turn two: the call and its result go back; the answer is text.
      const two = await chatTurn({
        model: u.model, tools: [chatTool],
        messages: [
          user,
          { role: 'assistant', content: one.text || null,
            tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
          { role: 'tool', tool_call_id: call.id, content: toolOutput },
        ],
      }, streamed);
      assert.equal(two.model, u.model);
      assert.ok(['stop', 'length'].includes(two.finish), two.finish);
      assert.equal(two.calls.length, 0);
      assert.ok(two.text.length > 0);

      // The upstream got the call and its result in its own shapes.
      const conv = conversationIn(u.format, await sim.lastBody(u.upstream));
      assert.equal(conv.calls.length, 1);
      assert.equal(conv.calls[0].name, 'get_weather');
      assert.deepEqual(conv.calls[0].args, args);
      assert.equal(conv.results.length, 1);
      assert.ok(JSON.stringify(conv.results[0].raw).includes('sunny-skies-marker'));
      if (['openai', 'anthropic', 'cohere'].includes(u.format)) {
        assert.ok(conv.calls[0].id, 'the call kept its id');
        assert.equal(conv.results[0].id, conv.calls[0].id);
      }
      if (u.format === 'gemini') assert.equal(conv.results[0].name, 'get_weather');
      const after = await sim.model(u.upstream);
      assert.equal(after.tool_calls - before.tool_calls, 1);
      assert.equal(after.tool_results - before.tool_results, 1);
      assert.equal(after.refused_tool_results, before.refused_tool_results);
    });
  }
}

// -- Messages: the Anthropic SDK's tool loop ------------------------------------

/// One /v1/messages turn, plain or streamed: { message, model, events }.
async function messagesTurn(params, streamed) {
  if (!streamed) {
    const { data, response } = await anthropic.messages.create(params).withResponse();
    return { message: data, model: response.headers.get('x-switchyard-model'), events: [] };
  }
  const stream = anthropic.messages.stream(params);
  const events = [];
  for await (const event of stream) events.push(event);
  const message = await stream.finalMessage();
  const { response } = await stream.withResponse();
  return { message, model: response.headers.get('x-switchyard-model'), events };
}

for (const u of [byFormat.anthropic, byFormat.openai]) {
  for (const streamed of [false, true]) {
    const how = streamed ? 'streamed' : 'plain';
    test(`Anthropic SDK tool loop to ${u.format} (${u.model}), ${how}`, async () => {
      const user = { role: 'user', content: question };
      const params = { model: u.model, max_tokens: 512, tools: [messagesTool] };

      const one = await messagesTurn(
        { ...params, tool_choice: { type: 'any' }, messages: [user] }, streamed);
      assert.equal(one.model, u.model);
      assert.equal(one.message.stop_reason, 'tool_use');
      const uses = one.message.content.filter((b) => b.type === 'tool_use');
      assert.equal(uses.length, 1);
      assert.equal(uses[0].name, 'get_weather');
      assert.match(uses[0].id, /^\S+$/);
      const input = assertWeatherArguments(uses[0].input);
      if (streamed) {
        const start = one.events.find(
          (e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
        assert.ok(start, 'a content_block_start for the tool_use block');
        assert.equal(start.content_block.id, uses[0].id);
        assert.equal(start.content_block.name, 'get_weather');
        const deltas = one.events.filter(
          (e) => e.type === 'content_block_delta' && e.index === start.index
            && e.delta.type === 'input_json_delta');
        assert.ok(deltas.length > 1,
                  `${u.format} streams arguments in pieces; got ${deltas.length} input_json_delta`);
        assert.deepEqual(JSON.parse(deltas.map((e) => e.delta.partial_json).join('')), input);
      }

      const two = await messagesTurn({
        ...params,
        messages: [
          user,
          { role: 'assistant', content: one.message.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: toolOutput }] },
        ],
      }, streamed);
      assert.equal(two.model, u.model);
      assert.ok(['end_turn', 'max_tokens'].includes(two.message.stop_reason), two.message.stop_reason);
      assert.equal(two.message.content.filter((b) => b.type === 'tool_use').length, 0);
      const text = two.message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
      assert.ok(text.length > 0);

      const conv = conversationIn(u.format, await sim.lastBody(u.upstream));
      assert.equal(conv.calls.length, 1);
      assert.deepEqual(conv.calls[0].args, input);
      assert.equal(conv.results.length, 1);
      assert.equal(conv.results[0].id, conv.calls[0].id);
      assert.ok(JSON.stringify(conv.results[0].raw).includes('sunny-skies-marker'));
    });
  }
}

// -- Responses: a function-call loop -------------------------------------------

test('Responses API function-call loop, plain', async () => {
  const u = byFormat.openai;
  const params = { model: u.model, instructions: 'Use the tools you are given.', tools: [responsesTool] };
  const { data: one, response: h1 } = await openai.responses
    .create({ ...params, input: question, tool_choice: 'required' }).withResponse();
  assert.equal(one.object, 'response');
  assert.equal(one.status, 'completed');
  assert.equal(h1.headers.get('x-switchyard-model'), u.model);
  const calls = one.output.filter((i) => i.type === 'function_call');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].name, 'get_weather');
  assert.ok(calls[0].call_id.length > 0);
  const args = assertWeatherArguments(calls[0].arguments);
  const sent = await sim.lastBody(u.upstream);
  assert.ok(['system', 'developer'].includes(sent.messages[0].role), sent.messages[0].role);
  assert.match(JSON.stringify(sent.messages[0].content), /Use the tools you are given/);
  assert.equal(forcesToolCall(u.format, sent), true);

  const { data: two, response: h2 } = await openai.responses.create({
    ...params,
    input: [
      { role: 'user', content: question },
      calls[0],
      { type: 'function_call_output', call_id: calls[0].call_id, output: toolOutput },
    ],
  }).withResponse();
  assertTextEnded(two);
  assert.equal(h2.headers.get('x-switchyard-model'), u.model);
  assert.equal(two.output.filter((i) => i.type === 'function_call').length, 0);
  const message = two.output.find((i) => i.type === 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.content[0].type, 'output_text');
  assert.ok(two.output_text.length > 0);
  assert.equal(two.output_text, message.content.map((c) => c.text).join(''));

  const conv = conversationIn(u.format, await sim.lastBody(u.upstream));
  assert.deepEqual(conv.calls.map((c) => c.args), [args]);
  assert.equal(conv.results.length, 1);
  assert.equal(conv.results[0].id, conv.calls[0].id);
  assert.ok(JSON.stringify(conv.results[0].raw).includes('sunny-skies-marker'));
  // A response echoes the request's instructions, as OpenAI's does.
  assert.equal(one.instructions, params.instructions);
  assert.equal(two.instructions, params.instructions);
});

/// A streamed Responses turn: its events, checked for order and numbering,
/// and the completed response.
async function responsesStream(params) {
  const { data, response } = await openai.responses.create({ ...params, stream: true }).withResponse();
  const events = [];
  for await (const event of data) events.push(event);
  assert.equal(events[0].type, 'response.created');
  for (let i = 1; i < events.length; ++i)
    assert.ok(events[i].sequence_number > events[i - 1].sequence_number, 'sequence_number increases');
  // The last event says how it ended: response.completed, or
  // response.incomplete for an answer cut at its output limit.
  const last = events.at(-1);
  assert.ok(['response.completed', 'response.incomplete'].includes(last.type), last.type);
  assert.equal(last.response.status, last.type.slice('response.'.length));
  const of = (type) => events.filter((e) => e.type === type);
  return { events, of, completed: last.response, model: response.headers.get('x-switchyard-model') };
}

/// A text answer ends completed, or incomplete at the output limit (the
/// gateway bounds every answer by what the task's budget reserved).
function assertTextEnded(response) {
  if (response.status === 'incomplete')
    assert.equal(response.incomplete_details?.reason, 'max_output_tokens');
  else
    assert.equal(response.status, 'completed');
}

for (const u of [byFormat.openai, byFormat.anthropic]) {
  test(`Responses API function-call loop to ${u.format} (${u.model}), streamed`, async () => {
    const params = { model: u.model, tools: [responsesTool] };
    const one = await responsesStream({ ...params, input: question, tool_choice: 'required' });
    assert.equal(one.model, u.model);
    const added = one.of('response.output_item.added').filter((e) => e.item.type === 'function_call');
    assert.equal(added.length, 1);
    assert.equal(added[0].item.name, 'get_weather');
    const deltas = one.of('response.function_call_arguments.delta');
    assert.ok(deltas.length > 1, `arguments in pieces; got ${deltas.length} delta event(s)`);
    assert.ok(deltas.every((e) => e.item_id === added[0].item.id && e.output_index === added[0].output_index));
    const streamedArgs = deltas.map((e) => e.delta).join('');
    const done = one.of('response.function_call_arguments.done');
    assert.equal(done.length, 1);
    assert.equal(done[0].arguments, streamedArgs);
    assert.equal(one.completed.status, 'completed');
    const calls = one.completed.output.filter((i) => i.type === 'function_call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].call_id, added[0].item.call_id);
    assert.equal(calls[0].arguments, streamedArgs);
    assertWeatherArguments(streamedArgs);

    const two = await responsesStream({
      ...params,
      input: [
        { role: 'user', content: question },
        calls[0],
        { type: 'function_call_output', call_id: calls[0].call_id, output: toolOutput },
      ],
    });
    assert.equal(two.model, u.model);
    const text = two.of('response.output_text.delta').map((e) => e.delta).join('');
    assert.ok(text.length > 0);
    assert.equal(one.of('response.output_text.delta').length, 0);
    assertTextEnded(two.completed);
    const message = two.completed.output.find((i) => i.type === 'message');
    assert.equal(message.content.map((c) => c.text).join(''), text);
    assert.equal(two.completed.output.filter((i) => i.type === 'function_call').length, 0);

    const conv = conversationIn(u.format, await sim.lastBody(u.upstream));
    assert.equal(conv.calls.length, 1);
    assert.equal(conv.results.length, 1);
    assert.equal(conv.results[0].id, conv.calls[0].id);
  });
}

// -- Images and structured output reach the upstream ---------------------------

/// A 1x1 PNG.
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const pngBytes = Buffer.from(png, 'base64').length;

for (const u of [byFormat.openai, byFormat.anthropic, byFormat.gemini]) {
  test(`OpenAI SDK: a base64 image reaches ${u.format} (${u.model})`, async () => {
    const before = await sim.model(u.upstream);
    const answer = await openai.chat.completions.create({
      model: u.model,
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
      ] }],
    });
    assert.ok(answer.choices[0].message.content.length > 0);
    assertImages(before, await sim.model(u.upstream), { inline: 1, inline_bytes: pngBytes });
    const body = JSON.stringify(await sim.lastBody(u.upstream));
    assert.ok(body.includes(png), 'the image bytes reached the upstream');
    assert.ok(body.includes('image/png'), 'with their media type');
  });
}

test('Anthropic SDK: a base64 image block reaches an OpenAI upstream', async () => {
  const u = byFormat.openai;
  const before = await sim.model(u.upstream);
  const msg = await anthropic.messages.create({
    model: u.model, max_tokens: 128,
    messages: [{ role: 'user', content: [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      { type: 'text', text: 'What is in this picture?' },
    ] }],
  });
  assert.equal(msg.content[0].type, 'text');
  assertImages(before, await sim.model(u.upstream), { inline: 1, inline_bytes: pngBytes });
  const sent = await sim.lastBody(u.upstream);
  const parts = sent.messages.at(-1).content;
  assert.deepEqual(parts.map((p) => p.type), ['image_url', 'text']);
  assert.equal(parts[0].image_url.url, `data:image/png;base64,${png}`);
});

test('OpenAI SDK: an image URL reaches Anthropic as a URL, never fetched', async () => {
  const u = byFormat.anthropic;
  const url = 'https://example.invalid/cat.png';
  const before = await sim.model(u.upstream);
  await openai.chat.completions.create({
    model: u.model,
    messages: [{ role: 'user', content: [
      { type: 'text', text: 'Describe it' }, { type: 'image_url', image_url: { url } },
    ] }],
  });
  assertImages(before, await sim.model(u.upstream), { urls: 1 });
  const blocks = (await sim.lastBody(u.upstream)).messages.at(-1).content;
  assert.deepEqual(blocks.find((b) => b.type === 'image').source, { type: 'url', url });
});

const weatherReport = {
  type: 'object',
  properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
  required: ['city', 'temp_c'],
};

for (const u of [byFormat.openai, byFormat.gemini, byFormat.cohere, byFormat.ollama]) {
  test(`OpenAI SDK: a json_schema response_format reaches ${u.format} (${u.model})`, async () => {
    const before = await sim.model(u.upstream);
    const answer = await openai.chat.completions.create({
      model: u.model,
      messages: [{ role: 'user', content: 'Report the weather in Paris' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather_report', schema: weatherReport } },
    });
    const report = JSON.parse(answer.choices[0].message.content);
    assert.equal(typeof report.city, 'string');
    assert.equal(typeof report.temp_c, 'number');
    const after = await sim.model(u.upstream);
    assert.equal(after.json_answers - before.json_answers, 1);
    const schema = schemaIn(u.format, await sim.lastBody(u.upstream));
    assert.ok(schema, 'the schema reached the upstream');
    assert.deepEqual(Object.keys(schema.properties).sort(), ['city', 'temp_c']);
    assert.deepEqual([...schema.required].sort(), ['city', 'temp_c']);
  });
}

// -- Fail closed: a field the upstream cannot express --------------------------

/// Runs `call`, expecting a 400 that names `field` and `model`, and checks
/// that nothing reached the model's upstream.
async function assertRefused(call, ErrorClass, field, u) {
  const before = await sim.model(u.upstream);
  await assert.rejects(call(), (err) => {
    assert.ok(err instanceof ErrorClass, `${err.constructor.name}: ${err.message}`);
    assert.equal(err.status, 400);
    assert.match(err.message, field);
    assert.ok(err.message.includes(u.model), err.message);
    return true;
  });
  assert.equal((await sim.model(u.upstream)).requests, before.requests);
}

test('OpenAI SDK: seed forced onto an Anthropic model is a BadRequestError naming both', async () => {
  await assertRefused(
    () => openai.chat.completions.create({
      model: 'claude-haiku-4', seed: 7, messages: [{ role: 'user', content: 'hi' }],
    }),
    OpenAI.BadRequestError, /\bseed\b/, byFormat.anthropic);
});

test('OpenAI SDK: a json_schema forced onto an Anthropic model is refused', async () => {
  await assertRefused(
    () => openai.chat.completions.create({
      model: 'claude-haiku-4', messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema: weatherReport } },
    }),
    OpenAI.BadRequestError, /json_schema|response_format/, byFormat.anthropic);
});

test('OpenAI SDK: an image URL forced onto Gemini is refused (the gateway fetches no URL)', async () => {
  await assertRefused(
    () => openai.chat.completions.create({
      model: 'gemini-flash-1.5',
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'Describe it' },
        { type: 'image_url', image_url: { url: 'https://example.invalid/cat.png' } },
      ] }],
    }),
    OpenAI.BadRequestError, /image/, byFormat.gemini);
});

test('OpenAI SDK: tool_choice required forced onto Ollama is refused (its API cannot force a call)', async () => {
  await assertRefused(
    () => openai.chat.completions.create({
      model: 'qwen3:1.7b', tools: [chatTool], tool_choice: 'required',
      messages: [{ role: 'user', content: question }],
    }),
    OpenAI.BadRequestError, /\btool_choice\b/, byFormat.ollama);
});

test('Anthropic SDK: thinking forced onto an OpenAI model is refused', async () => {
  await assertRefused(
    () => anthropic.messages.create({
      model: 'gpt-4o-mini', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'hi' }],
    }),
    Anthropic.BadRequestError, /\bthinking\b/, byFormat.openai);
});

// -- Agent loops stay put ------------------------------------------------------

/// The model `auto` picks for `messages` with the weather tool offered,
/// and the answer.
async function autoTurn(messages, extra = {}) {
  const { data, response } = await openai.chat.completions
    .create({ model: 'auto', tools: [chatTool], messages, ...extra }).withResponse();
  const model = response.headers.get('x-switchyard-model');
  assert.equal(data.model, model);
  return { model, message: data.choices[0].message };
}

test('model auto: later turns of a tool loop go to the model that made the call', async () => {
  const user = { role: 'user', content: question };
  const one = await autoTurn([user], { tool_choice: 'required' });
  const call = one.message.tool_calls[0];
  const loop = [
    user,
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', tool_call_id: call.id, content: toolOutput },
  ];

  // The tool result goes back to the model that made the call.
  const two = await autoTurn(loop);
  assert.equal(two.model, one.model);
  assert.ok(two.message.content.length > 0);

  // So does a new user turn that, on its own, routes elsewhere: the
  // classifier reads the newest user turn, but the loop stays put.
  const audit = { role: 'user', content: 'Audit this code for SQL injection vulnerabilities' };
  const alone = await autoTurn([audit]);
  assert.notEqual(alone.model, one.model,
                  'the follow-up must route elsewhere on its own for this test to mean anything');
  const three = await autoTurn([...loop, audit]);
  assert.equal(three.model, one.model);
});
