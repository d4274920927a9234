import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpSource } from '../../src/sources/http.js';
import { pathOf } from '../../src/sources/paths.js';

type Step = { status: number; headers?: Record<string, string> } | 'reset';

/** An upstream that answers each request with the next scripted step (200 once the script is done). */
let script: Step[] = [];
let seen: string[] = [];
let server: Server;
let source: HttpSource;

function answer(req: IncomingMessage, res: ServerResponse) {
  seen.push(req.method ?? '');
  const step = script.shift() ?? { status: 200 };
  req.resume();
  if (step === 'reset') {
    req.socket.destroy();
    return;
  }
  res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
  res.end(JSON.stringify({ message: `status ${step.status}` }));
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  source = new HttpSource({
    source: 'matatika',
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    timeoutMs: 5_000,
    maxResponseBytes: 1 << 20,
    // Never opens here: the circuit has its own tests (hostile/upstream.test.ts).
    circuit: { failures: 1_000, cooldownMs: 1_000 },
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await source.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  seen = [];
});

const path = pathOf('matatika', 'api', 'profiles');
const get = () => source.request({ method: 'GET', path, credential: 'token' });
const put = () => source.request({ method: 'PUT', path, credential: 'token', json: {} });

describe('the retry policy: a GET is tried twice at most, a write once', () => {
  it('retries a GET once after a 503, honouring its Retry-After', async () => {
    script = [{ status: 503, headers: { 'retry-after': '0' } }];
    expect((await get()).status).toBe(200);
    expect(seen).toEqual(['GET', 'GET']);
  });

  it('gives up after the second 503 with UPSTREAM_UNAVAILABLE', async () => {
    script = [
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': '0' } },
    ];
    await expect(get()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(seen).toEqual(['GET', 'GET']);
  });

  it('retries a GET once after the connection was reset', async () => {
    script = ['reset'];
    expect((await get()).status).toBe(200);
    expect(seen).toEqual(['GET', 'GET']);
  });

  it('never retries a write, which the first attempt may have applied', async () => {
    script = [{ status: 503, headers: { 'retry-after': '0' } }];
    await expect(put()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(seen).toEqual(['PUT']);
  });

  it('does not retry an error that a second try would only repeat (500, 404)', async () => {
    script = [{ status: 500 }];
    await expect(get()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    script = [{ status: 404 }];
    await expect(get()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(seen).toEqual(['GET', 'GET']);
  });

  it('does not wait for a Retry-After that ends past the call’s deadline', async () => {
    script = [{ status: 503, headers: { 'retry-after': '60' } }];
    await expect(get()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(seen).toEqual(['GET']);
  });
});
