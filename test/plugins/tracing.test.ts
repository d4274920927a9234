import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { pathEnv } from '../support/path.js';

/** A span as OTLP/JSON carries it (ids in hex), with its attributes flattened. */
interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

/** A recording OTLP/HTTP receiver: every span POSTed to /v1/traces as JSON. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  spans: ReceivedSpan[];
  paths: string[];
}> {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const payload = JSON.parse(body) as {
        resourceSpans: Array<{
          scopeSpans: Array<{ spans: Array<ReceivedSpan & { attributes: OtlpAttribute[] }> }>;
        }>;
      };
      for (const rs of payload.resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const span of ss.spans) {
            spans.push({
              ...span,
              attributes: Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]])),
            });
          }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths };
}

/** Runs src/index.ts against the test's sandbox with tracing exported to `otlp`; resolves its endpoint. */
async function startGateway(
  sandbox: Sandbox,
  otlp: string,
): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: {
      ...pathEnv,
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      SANDBOX: '0',
      LOG_LEVEL: 'info',
      MATATIKA_API_URL: sandbox.urlOf('matatika'),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-under-test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  for (let i = 0; i < 100; i++) {
    const endpoint = /"endpoint":"(http:[^"]+)"/.exec(stdout)?.[1];
    if (endpoint) return { child, endpoint };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`gateway did not start:\n${stdout}`);
}

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sandbox.close();
    receiver.server.close();
  });

  it('exports a span per operation with parse, validate and execute, and one per upstream call that the upstream continues', async () => {
    const { child, endpoint } = await startGateway(sandbox, receiver.url);
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${demo.matatika.tokens.demo}`,
          traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
        },
        body: JSON.stringify({
          query:
            'query Traced($id: String!) { profile(id: $id) { name } workspaces(first: 2) { totalCount } }',
          variables: { id: demo.matatika.profileIds.demo },
        }),
      });
      expect((await response.json()).errors).toBeUndefined();
      child.kill('SIGTERM');
      expect((await once(child, 'exit'))[0]).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    expect(receiver.paths).toEqual(['POST /v1/traces application/json']);
    const spans = receiver.spans;
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [operation] = named('query Traced');
    expect(operation).toBeDefined();
    expect(operation).toMatchObject({
      kind: 2, // SERVER
      traceId: callerTrace,
      parentSpanId: '00f067aa0ba902b7',
      attributes: {
        'graphql.operation.name': 'Traced',
        'graphql.operation.type': 'query',
        'http.response.status_code': 200,
      },
    });
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
      expect(named(phase).map((s) => s.parentSpanId)).toEqual([operation?.spanId]);
    }
    const execute = named('graphql.execute')[0];

    // Each upstream call is a client span under execute, named and labelled by its path template.
    const upstream = spans.filter((s) => s.kind === 3); // CLIENT
    expect(upstream.map((s) => s.name).sort()).toEqual([
      'GET /matatika/api/profiles/{id}',
      'GET /matatika/api/workspaces',
    ]);
    for (const span of upstream) {
      expect(span.traceId).toBe(callerTrace);
      expect(span.parentSpanId).toBe(execute?.spanId);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'peer.service': 'matatika',
      });
      expect(span.attributes['url.template']).toBe(span.name.slice(4));
      expect(span.attributes).not.toHaveProperty('url.query');
    }
    // Never a query string or a credential in any span.
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain('page=');
    expect(everything).not.toContain(demo.matatika.tokens.demo);

    // The upstream saw each call's own span as its parent.
    const seen = sandbox.requests.map((r) => r.headers.traceparent).sort();
    expect(seen).toEqual(upstream.map((s) => `00-${callerTrace}-${s.spanId}-01`).sort());
  });
});
