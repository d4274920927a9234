import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { demo } from './harness.js';

/** Runs src/index.ts as `npm start` does, with `env` on top of a clean environment. */
function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
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

  it('serves the gateway over the embedded sandbox, prints the demo credentials, and stops on SIGTERM', async () => {
    const child = start({ PORT: '0' });
    const stdout = collect(child.stdout);
    try {
      let endpoint: string | undefined;
      for (let i = 0; i < 100 && !endpoint; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        endpoint = /Profile gateway on (http:\/\/\S+\/graphql)/.exec(stdout())?.[1];
      }
      expect(endpoint).toBeDefined();
      for (const token of [demo.matatika.tokens.demo, demo.cadenya.tokens.admin, demo.moltaro.tokens.demo]) {
        expect(stdout()).toContain(token);
      }
      const res = await fetch(endpoint as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.matatika.tokens.demo}` },
        body: JSON.stringify({ query: `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId } }` }),
      });
      expect(await res.json()).toEqual({ data: { profile: { upstreamId: demo.matatika.profileIds.demo } } });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
