// What the agent tests share: the tool they offer, the sim's record of
// what reached it (GET /sim/requests, GET /sim/stats) read in each
// upstream format, and a Chat Completions stream assembled the way an
// agent framework assembles it.

import assert from 'node:assert/strict';

/// The five upstream wire formats, each through a registry model of a
/// provider that speaks it (config/models.yaml), with the name the sim
/// knows it by. `splits`: the upstream streams a call's arguments in
/// pieces (OpenAI, Anthropic input_json_delta, Cohere tool-call-delta);
/// Gemini and Ollama send a call whole.
export const upstreams = [
  { format: 'openai', model: 'gpt-4o-mini', upstream: 'gpt-4o-mini', splits: true },
  { format: 'anthropic', model: 'claude-haiku-4', upstream: 'claude-3-haiku-20240307', splits: true },
  { format: 'gemini', model: 'gemini-flash-1.5', upstream: 'gemini-1.5-flash', splits: false },
  { format: 'cohere', model: 'command-r', upstream: 'command-r-03-2024', splits: true },
  { format: 'ollama', model: 'qwen3:1.7b', upstream: 'qwen3:1.7b', splits: false },
];

export const byFormat = Object.fromEntries(upstreams.map((u) => [u.format, u]));

const weatherSchema = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'The city' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city', 'unit'],
};
const weatherDescription = 'The current weather in a city';

/// The tool in each client API's shape.
export const chatTool = {
  type: 'function',
  function: { name: 'get_weather', description: weatherDescription, parameters: weatherSchema },
};
export const messagesTool = {
  name: 'get_weather', description: weatherDescription, input_schema: weatherSchema,
};
export const responsesTool = {
  type: 'function', name: 'get_weather', description: weatherDescription,
  parameters: weatherSchema, strict: false,
};

export const question = 'What is the weather in Paris right now?';
/// The tool's answer; the tests look for it in what reaches the upstream.
export const toolOutput = '{"temperature": 21, "sky": "sunny-skies-marker"}';

/// Checks a call's arguments: the JSON the tool's schema asks for.
export function assertWeatherArguments(args) {
  const parsed = typeof args === 'string' ? JSON.parse(args) : args;
  assert.equal(typeof parsed.city, 'string');
  assert.ok(['celsius', 'fahrenheit'].includes(parsed.unit), JSON.stringify(parsed));
  return parsed;
}

/// The sim's view: recorded request bodies and counters.
export class SimRecord {
  constructor(simUrl) {
    this.simUrl = simUrl;
  }

  async #get(path) {
    const res = await fetch(`${this.simUrl}${path}`);
    assert.equal(res.status, 200, `GET ${path}`);
    return res.json();
  }

  /// The newest request body the sim received for `upstream`.
  async lastBody(upstream) {
    const { requests } = await this.#get(
      `/sim/requests?model=${encodeURIComponent(upstream)}&limit=1`);
    assert.equal(requests.length, 1, `no request recorded for ${upstream}`);
    assert.ok(requests[0].body, `the request to ${upstream} was too big to keep`);
    return requests[0].body;
  }

  /// The sim's counters for one upstream model (zeros before its first
  /// request).
  async model(upstream) {
    const stats = await this.#get('/sim/stats');
    return stats.models[upstream] ?? {
      requests: 0, tool_calls: 0, tool_results: 0, json_answers: 0,
      refused_tool_results: 0, images: { inline: 0, inline_bytes: 0, urls: 0 },
    };
  }
}

function argumentsObject(args) {
  return typeof args === 'string' ? JSON.parse(args) : args;
}

/// The tools offered, the calls in assistant turns and the tool results of
/// a recorded request body, read in its own wire format: a conversation
/// that reached the upstream as plain text shows none of them.
export function conversationIn(format, body) {
  const tools = [];
  const calls = [];
  const results = [];
  switch (format) {
    case 'openai':
    case 'cohere':
    case 'ollama':
      for (const t of body.tools ?? []) tools.push(t.function?.name);
      for (const m of body.messages ?? []) {
        if (m.role === 'assistant')
          for (const c of m.tool_calls ?? [])
            calls.push({ id: c.id, name: c.function?.name, args: argumentsObject(c.function?.arguments) });
        if (m.role === 'tool')
          results.push({ id: m.tool_call_id, name: m.tool_name, raw: m });
      }
      break;
    case 'anthropic':
      for (const t of body.tools ?? []) tools.push(t.name);
      for (const m of body.messages ?? []) {
        if (!Array.isArray(m.content)) continue;
        for (const b of m.content) {
          if (m.role === 'assistant' && b.type === 'tool_use')
            calls.push({ id: b.id, name: b.name, args: b.input });
          if (m.role === 'user' && b.type === 'tool_result')
            results.push({ id: b.tool_use_id, raw: b });
        }
      }
      break;
    case 'gemini':
      for (const t of body.tools ?? [])
        for (const f of t.functionDeclarations ?? t.function_declarations ?? []) tools.push(f.name);
      for (const c of body.contents ?? [])
        for (const p of c.parts ?? []) {
          const call = p.functionCall ?? p.function_call;
          const result = p.functionResponse ?? p.function_response;
          if (call) calls.push({ id: call.id, name: call.name, args: call.args });
          if (result) results.push({ id: result.id, name: result.name, raw: result });
        }
      break;
    default:
      assert.fail(`unknown format ${format}`);
  }
  return { tools, calls, results };
}

/// Whether a recorded request forces a tool call, in its format; undefined
/// for Ollama, whose API has no tool_choice.
export function forcesToolCall(format, body) {
  switch (format) {
    case 'openai': return body.tool_choice === 'required';
    case 'anthropic': return body.tool_choice?.type === 'any';
    case 'gemini': {
      const config = body.toolConfig ?? body.tool_config;
      const calling = config?.functionCallingConfig ?? config?.function_calling_config;
      return calling?.mode === 'ANY';
    }
    case 'cohere': return body.tool_choice === 'REQUIRED';
    default: return undefined;
  }
}

/// The JSON schema a recorded request asks the answer to follow, in its
/// format.
export function schemaIn(format, body) {
  switch (format) {
    case 'openai': return body.response_format?.json_schema?.schema;
    case 'cohere': return body.response_format?.json_schema ?? body.response_format?.schema;
    case 'ollama': return body.format;
    case 'gemini': {
      const gc = body.generationConfig ?? body.generation_config ?? {};
      assert.equal(gc.responseMimeType ?? gc.response_mime_type, 'application/json');
      return gc.responseJsonSchema ?? gc.responseSchema ?? gc.response_schema;
    }
    default: return undefined;
  }
}

/// Reads a Chat Completions stream as an agent framework does: text
/// concatenated, tool calls assembled from `delta.tool_calls` fragments by
/// index. Counts the chunks that carried argument fragments per call.
export async function readChatStream(stream) {
  let text = '';
  let finish = null;
  let chunks = 0;
  const calls = [];
  for await (const chunk of stream) {
    ++chunks;
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      text += delta.content ?? '';
      for (const f of delta.tool_calls ?? []) {
        assert.equal(typeof f.index, 'number', 'a tool-call fragment without index');
        let call = calls[f.index];
        if (!call) {
          // The first fragment of a call names it: clients key on it.
          assert.ok(f.id, 'the first fragment of a call carries its id');
          assert.equal(f.type, 'function');
          assert.ok(f.function?.name, 'the first fragment of a call carries its name');
          call = calls[f.index] = {
            id: f.id, type: 'function', function: { name: '', arguments: '' }, argumentChunks: 0,
          };
        }
        call.function.name += f.function?.name ?? '';
        if (f.function?.arguments) {
          call.function.arguments += f.function.arguments;
          ++call.argumentChunks;
        }
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { text, finish, chunks, calls: calls.filter(Boolean) };
}

/// The sim's image counters moved by exactly `delta`.
export function assertImages(before, after, delta) {
  for (const key of ['inline', 'inline_bytes', 'urls'])
    assert.equal(after.images[key] - before.images[key], delta[key] ?? 0, `images.${key}`);
}
