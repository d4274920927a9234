// The production process as a container runtime runs it (`npm run serve`, the compiled build): how it
// drains on SIGTERM, what a keep-alive client sees meanwhile, what it refuses, and how its memory holds
// up against a stream of distinct documents.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { SOURCES } from '../../src/sources/registry.js';
import { pathEnv } from '../support/path.js';

const asDemo = { authorization: `Bearer ${demo.matatika.tokens.demo}` };
const profileQuery = JSON.stringify({
  query: `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`,
});
let sandbox: Sandbox;

beforeAll(async () => {
  // `npm test` builds first; a run of this file alone builds here when the build is missing or stale.
  if (!existsSync('dist/index.js') || newestSource() > statSync('dist/index.js').mtimeMs) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  }
  sandbox = await startSandbox({ port: 0 });
}, 60_000);
afterAll(() => sandbox?.close());

function newestSource(): number {
  return readdirSync('src', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .reduce((newest, f) => Math.max(newest, statSync(`src/${f}`).mtimeMs), 0);
}

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Starts the build as `npm run serve` does (or through npm itself), over the test's sandbox. */
async function serve(
  env: Record<string, string> = {},
  { viaNpm = false, nodeFlags = [] as string[] } = {},
): Promise<Running> {
  const urls = Object.fromEntries(SOURCES.map((s) => [`${s.toUpperCase()}_API_URL`, sandbox.urlOf(s)]));
  const fullEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...pathEnv,
    ...urls,
    ...env,
  };
  const child = viaNpm
    ? spawn('npm', ['run', '--silent', 'serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(
        process.execPath,
        ['--max-semi-space-size=8', '--max-old-space-size=128', ...nodeFlags, 'dist/index.js'],
        {
          env: { NODE_ENV: 'production', ...fullEnv },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  for (let i = 0; i < 150; i++) {
    const port = /"endpoint":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(text)?.[1];
    if (port) return { child, port: Number(port), output: () => text };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the gateway did not start:\n${text}`);
}

/**
 * One POST on `agent`'s connection; resolves with the status, the Connection header and the body. A
 * body given as pieces is written piece by piece, so it goes out chunked.
 */
function send(
  port: number,
  agent: http.Agent,
  body: string | string[] = profileQuery,
  headers: Record<string, string> = asDemo,
) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body: text }),
        );
      },
    );
    request.on('error', reject);
    for (const piece of Array.isArray(body) ? body : []) request.write(piece);
    request.end(Array.isArray(body) ? undefined : body);
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null ? Promise.resolve([child.exitCode]) : once(child, 'exit');

describe('shutdown on SIGTERM', () => {
  it('with an idle keep-alive connection open: closes it and exits 0 at once, not after the keep-alive timeout', async () => {
    const { child, port } = await serve({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(port, agent)).connection).toBe('keep-alive');
    child.kill('SIGTERM');
    // The test's own timeout (15 s) is well under both the 30 s grace and the 65 s keep-alive.
    const [code] = await exited(child);
    expect(code).toBe(0);
    agent.destroy();
  });

  it('with a busy keep-alive client: answers with Connection: close, refuses new connections, exits 0', async () => {
    const { child, port, output } = await serve({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await send(port, agent);
    child.kill('SIGTERM');
    // A request sent before the child has handled the signal may still get a keep-alive answer (and
    // its idle connection is then closed); one sent once it logged "shutting down" must be told to close.
    const draining = () => /"msg":"shutting down"/.test(output());
    let servedAfter = 0;
    const keptOpenWhileDraining: string[] = [];
    for (let i = 0; i < 200; i++) {
      const sentWhileDraining = draining();
      try {
        const response = await send(port, agent);
        servedAfter++;
        if (sentWhileDraining && response.connection !== 'close')
          keptOpenWhileDraining.push(String(response.connection));
      } catch {
        break;
      }
    }
    const [code] = await exited(child);
    expect(code).toBe(0);
    expect(servedAfter).toBeLessThanOrEqual(2);
    expect(keptOpenWhileDraining).toEqual([]);
    expect(output()).toMatch(/"msg":"stopped"/);
    agent.destroy();
  });

  it('gives a request in flight SHUTDOWN_TIMEOUT_MS, then aborts its upstream call so it still answers, and exits 0', async () => {
    const { child, port, output } = await serve({
      SHUTDOWN_TIMEOUT_MS: '300',
      MATATIKA_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const remove = sandbox.inject({ source: 'matatika', fault: { hang: true } });
    try {
      const agent = new http.Agent({ keepAlive: true });
      const before = sandbox.count({ source: 'matatika' });
      const pending = send(port, agent);
      // SIGTERM once the request's upstream call has reached the (hanging) sandbox.
      for (let i = 0; i < 400 && sandbox.count({ source: 'matatika' }) === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGTERM');
      const answer = await pending;
      expect(answer.connection).toBe('close');
      expect(JSON.parse(answer.body)).toMatchObject({
        data: { profile: null },
        errors: [{ extensions: { code: 'UPSTREAM_UNAVAILABLE' } }],
      });
      const [code] = await exited(child);
      expect(code).toBe(0);
      expect(output()).toMatch(/shutdown grace period over/);
      agent.destroy();
    } finally {
      remove();
    }
  });
});

describe('npm run serve is production, and delivers the signal to node', () => {
  it('serves no introspection and no GraphiQL, refuses to start without upstreams, and stops with npm', async () => {
    const { child, port } = await serve({}, { viaNpm: true });
    const agent = new http.Agent({ keepAlive: false });
    const introspection = await send(
      port,
      agent,
      JSON.stringify({ query: '{ __schema { types { name } } }' }),
    );
    expect(introspection.body).toMatch(/introspection/i);
    expect(JSON.parse(introspection.body).data ?? null).toBeNull();
    const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    // npm runs the script through sh; `exec` makes node that process, so npm's SIGTERM reaches it.
    const nodePid = Number(
      execFileSync('pgrep', ['-P', String(child.pid)])
        .toString()
        .trim()
        .split('\n')[0],
    );
    expect(nodePid).toBeGreaterThan(0);
    child.kill('SIGTERM');
    await exited(child);
    for (let i = 0; i < 50 && alive(nodePid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(nodePid)).toBe(false);
  });

  it('refuses to start in production with no upstream URL, naming the variables', async () => {
    const child = spawn('npm', ['run', '--silent', 'serve'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await exited(child);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/MATATIKA_API_URL.*NODE_ENV=production needs at least one upstream URL/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('oversized chunked bodies', () => {
  it('answers 413 with Connection: close, so the next request does not wait behind the unread body', async () => {
    const { child, port } = await serve();
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      // Written in pieces, the body goes out chunked, with no Content-Length to refuse it by.
      const chunks = Array.from({ length: 24 }, () => 'x'.repeat(64 * 1024));
      const { status, connection } = await send(port, agent, chunks);
      const result = { status, connection };
      expect(result).toEqual({ status: 413, connection: 'close' });
      const next = await send(port, agent);
      expect(next.status).toBe(200);
      agent.destroy();
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});

/** The child's heap in use after full collections, as test/support/heap-probe.mjs reports it on SIGUSR2. */
async function heapUsed(running: Running): Promise<number> {
  const seen = running.output().length;
  running.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const found = /heap-used (\d+)/.exec(running.output().slice(seen));
    if (found) return Number(found[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the heap probe did not answer');
}

/** Sends `bodies` to the gateway `concurrency` at a time; resolves with every status. */
async function flood(port: number, bodies: string[], concurrency: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      statuses.push((await send(port, agent, body, {})).status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return statuses;
}

// Hardening row 1: distinct documents of a megabyte (comments pass the token limit) sent without credentials.
describe('memory under megabyte documents', () => {
  it('stays up with its post-GC heap within 30 MB after 150 distinct 1 MB documents, plain and as APQ registrations', async () => {
    const running = await serve(
      {},
      { nodeFlags: ['--expose-gc', '--import', './test/support/heap-probe.mjs'] },
    );
    try {
      await flood(
        running.port,
        Array.from({ length: 20 }, () => profileQuery),
        10,
      );
      const before = await heapUsed(running);
      const document = (n: number) => `# ${n} ${'x'.repeat(1_000_000)}\n{ __typename }`;
      const plain = Array.from({ length: 150 }, (_, n) => JSON.stringify({ query: document(n) }));
      const apq = Array.from({ length: 150 }, (_, n) => {
        const query = document(1000 + n);
        const sha256Hash = createHash('sha256').update(query).digest('hex');
        return JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
      });
      const statuses = [...(await flood(running.port, plain, 10)), ...(await flood(running.port, apq, 10))];
      expect(new Set(statuses)).toEqual(new Set([400]));
      expect(running.child.exitCode).toBeNull();
      const after = await heapUsed(running);
      expect(after - before).toBeLessThan(30 * 1024 * 1024);
    } finally {
      running.child.kill('SIGTERM');
      await exited(running.child);
    }
  }, 60_000);
});

describe('memory under distinct documents', () => {
  it('keeps the post-GC heap within 30 MB after 1,000 distinct documents, each sent twice, under the production heap caps', () => {
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--expose-gc',
        '--max-old-space-size=128',
        '--max-semi-space-size=8',
        'test/fixtures/distinct-documents.ts',
        '1000',
        '2',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const { growthBytes } = JSON.parse(output.trim().split('\n').at(-1) as string) as { growthBytes: number };
    expect(growthBytes).toBeLessThan(30 * 1024 * 1024);
  }, 70_000);
});
