import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { demo } from '../support/harness.js';
import { pathEnv } from '../support/path.js';

/** Runs src/index.ts as `npm start` does, with `env` on top of a clean environment. */
function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      ...pathEnv,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

describe('the entry point (npm start)', () => {
  it('stops with a message naming each invalid variable', async () => {
    const child = start({ PORT: 'eighty', CADENYA_TIMEOUT_MS: '-1' });
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr()).toMatch(/PORT: must be a port number/);
    expect(stderr()).toMatch(/CADENYA_TIMEOUT_MS: must be at least 1 ms/);
  });

  it('serves the gateway and GraphiQL over the embedded sandbox, prints the demo credentials, and stops on SIGTERM', async () => {
    const { child, stdout, endpoint } = await startWithBanner({ PORT: '0' });
    try {
      expect(stdout()).toContain(`Profile gateway on ${endpoint} (GraphiQL: open it in a browser)`);
      const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Profile gateway</title>');
      for (const token of [demo.matatika.tokens.demo, demo.cadenya.tokens.admin, demo.moltaro.tokens.demo]) {
        expect(stdout()).toContain(token);
      }
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.matatika.tokens.demo}` },
        body: JSON.stringify({ query: `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId } }` }),
      });
      // In development every answer says what it cost: its bound and the calls it made.
      expect(await res.json()).toEqual({
        data: { profile: { upstreamId: demo.matatika.profileIds.demo } },
        extensions: { cost: { estimatedCalls: 1, actualCalls: 1 } },
      });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('sends people to GraphiQL only when it is on: in production it says how to turn it on', async () => {
    const { child, stdout, endpoint } = await startWithBanner({
      PORT: '0',
      NODE_ENV: 'production',
      SANDBOX: '1',
    });
    try {
      expect(stdout()).not.toContain('open it in a browser');
      expect(stdout()).toMatch(/GraphiQL is off: set GRAPHIQL=1 to turn it on/);
      const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(406);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** Starts the entry point and waits (10 s at most) for its banner, which names the endpoint. */
async function startWithBanner(env: Record<string, string>) {
  const child = start(env);
  const stdout = collect(child.stdout);
  let endpoint: string | undefined;
  for (let i = 0; i < 100 && !endpoint; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    endpoint = /Profile gateway on (http:\/\/\S+\/graphql)/.exec(stdout())?.[1];
  }
  if (!endpoint) {
    child.kill('SIGKILL');
    throw new Error(`no banner within 10 s; stdout: ${stdout()}`);
  }
  return { child, stdout, endpoint };
}
