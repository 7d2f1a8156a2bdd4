// A real sim-upstream and a real gateway in front of it, both on loopback
// with ports picked by the OS, for the SDK tests. Each process prints its
// address on its first stdout line once it listens: that line, not a sleep,
// is what the tests wait for.

import { spawn } from 'node:child_process';
import readline from 'node:readline';

export const adminKey = 'sk-admin-sdk-test';

/// Starts `switchyard ARGS` and resolves with the port of its readiness
/// line ("... 127.0.0.1:PORT"); rejects if it cannot start or exits
/// first.
function start(binary, args, env, children) {
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line.split(':').pop())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

/// The sim (no delays, no faults) and the gateway with every provider's
/// base URL pointed at the sim; with `dataDir`, the gateway keeps its store
/// there. Returns their base URLs and `stop()`.
export async function startFleet({ dataDir } = {}) {
  const binary = process.env.SWITCHYARD_BINARY;
  if (!binary)
    throw new Error('SWITCHYARD_BINARY must name the switchyard executable');
  const children = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  // Also when the runner exits without running `after` hooks.
  process.once('exit', stop);
  try {
    return await startBoth(binary, children, stop, dataDir);
  } catch (err) {
    stop();
    throw err;
  }
}

async function startBoth(binary, children, stop, dataDir) {
  const simPort = await start(
    binary, ['sim-upstream', '--listen', '127.0.0.1:0', '--zero-delay'],
    process.env, children);
  const simUrl = `http://127.0.0.1:${simPort}`;
  const env = {
    ...process.env,
    OPENAI_BASE_URL: `${simUrl}/v1`, MISTRAL_BASE_URL: `${simUrl}/v1`,
    LMSTUDIO_BASE_URL: `${simUrl}/v1`, OPENROUTER_BASE_URL: `${simUrl}/v1`,
    ANTHROPIC_BASE_URL: simUrl, GEMINI_BASE_URL: `${simUrl}/v1beta`,
    COHERE_BASE_URL: `${simUrl}/v2`, OLLAMA_BASE_URL: simUrl,
    OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'x', GEMINI_API_KEY: 'x',
    MISTRAL_API_KEY: 'x', COHERE_API_KEY: 'x', OPENROUTER_API_KEY: 'x',
    SWITCHYARD_ADMIN_KEY: adminKey,
  };
  const store = dataDir ? ['--data-dir', dataDir] : [];
  const port = await start(binary, ['serve', '--listen', '127.0.0.1:0', ...store],
                           env, children);
  return { simUrl, gatewayUrl: `http://127.0.0.1:${port}`, stop };
}
