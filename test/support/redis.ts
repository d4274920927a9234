import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

export interface RedisServer {
  url: string;
  /** SIGSTOP: the server keeps its connections open and answers nothing, as a hung server does. */
  pause(): void;
  /** SIGCONT: it answers again, starting with what it was sent while paused. */
  resume(): void;
  close(): Promise<void>;
}

/** A port the OS just handed out on 127.0.0.1 (redis-server cannot listen on port 0 itself). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/**
 * A real redis-server (Debian's package; `npm test`'s pretest installs it) on a free port of 127.0.0.1, without
 * persistence, stopped by `close()`.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `redis-server could not start (${error.message}): run npm test, or apt-get install -y redis-server`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** What `/readyz` says of the gateway's Redis: `up`, `down`, or undefined without one. */
export async function redisState(gateway: { fetch(url: string): Promise<Response> | Response }) {
  const response = await gateway.fetch('http://gateway.test/readyz');
  const body = (await response.json()) as { stores?: { redis?: string } };
  return body.stores?.redis;
}

/**
 * Waits until `/readyz` reports the gateway's Redis as `state` (a fresh gateway refuses commands until
 * its connection is ready). A gateway that does not report it is not waited for.
 */
export async function untilRedis(
  state: 'up' | 'down',
  ...gateways: Array<{ fetch(url: string): Promise<Response> | Response }>
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const states = await Promise.all(gateways.map(redisState));
    if (states.every((s) => s === state || s === undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis did not become ${state}`);
}

/**
 * A redis-server for one test file, and a client to look into it: started before its tests, stopped
 * after them. Read `server` and `inspect` inside tests, once the hooks have run.
 */
export function useRedis(): { readonly server: RedisServer; readonly inspect: Redis } {
  let server: RedisServer | undefined;
  let inspect: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    inspect = new Redis(server.url);
  });
  afterAll(async () => {
    inspect?.disconnect();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('redis-server is not started yet: read it inside a test');
      return server;
    },
    get inspect() {
      if (!inspect) throw new Error('redis-server is not started yet: read it inside a test');
      return inspect;
    },
  };
}
