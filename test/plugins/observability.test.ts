import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { startMetricsServer } from '../../src/telemetry/metrics-server.js';
import { asDemo, demo, post, useHarness } from '../support/harness.js';

const h = useHarness();

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

const PROFILE = `query OneProfile($id: String!) { profile(id: $id) { name } }`;

async function scrape(gateway: Gateway): Promise<string> {
  const response = await gateway.fetch('http://gateway.test/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('request ids', () => {
  it('echoes a valid x-request-id and sends it upstream', async () => {
    const response = await h.gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123', ...asDemo },
      body: JSON.stringify({ query: PROFILE, variables: { id: demo.matatika.profileIds.demo } }),
    });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    expect(h.sandbox.requests.map((r) => r.headers['x-request-id'])).toEqual(['abc-123']);
    // Tracing is off without OTEL_* variables: nothing to propagate.
    expect(h.sandbox.requests[0]?.headers.traceparent).toBeUndefined();
  });

  it('replaces an id that is too long or has other characters with a fresh one', async () => {
    for (const given of ['x'.repeat(129), 'a b', 'id\u00e9']) {
      const response = await h.gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': given, ...asDemo },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('the access log', () => {
  it('writes one info line per GraphQL request with its id, operation, status, duration, upstream calls and error codes', async () => {
    const { logger, lines } = recordingLogger();
    const gateway = h.gatewayWith({}, logger);
    await post(gateway, PROFILE, { variables: { id: demo.matatika.profileIds.demo } });
    await post(gateway, PROFILE, { variables: { id: 'auth0|missing' } });
    await post(gateway, '{ nope }');
    await gateway.fetch('http://gateway.test/health');
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      level: 30,
      operation: 'OneProfile',
      type: 'query',
      status: 200,
      upstreamCalls: 1,
      errors: [],
    });
    expect(requests[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests[0]?.ms).toEqual(expect.any(Number));
    expect(requests[1]).toMatchObject({ operation: 'OneProfile', upstreamCalls: 1, errors: ['NOT_FOUND'] });
    expect(requests[2]).toMatchObject({
      operation: null,
      type: 'query',
      upstreamCalls: 0,
      errors: ['GRAPHQL_VALIDATION_FAILED'],
    });
    // Nothing a caller sent as a credential or a variable reaches the access log.
    const text = JSON.stringify(requests);
    expect(text).not.toContain(demo.matatika.tokens.demo);
    expect(text).not.toContain('auth0|missing');
  });

  it('puts the request id on every line logged while serving the request', async () => {
    const { logger, lines } = recordingLogger();
    const gateway = h.gatewayWith({}, logger);
    // An upstream fault, so that the request logs a warning besides its access-log line.
    h.sandbox.inject({ source: 'matatika', fault: { status: 500 } });
    await gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-404', ...asDemo },
      body: JSON.stringify({ query: PROFILE, variables: { id: 'auth0|missing' } }),
    });
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.requestId).toBe('req-404');
  });
});

describe('readiness (/readyz)', () => {
  it('fails while starting and draining, passes in between, and reports each source without calling it', async () => {
    const gateway = h.gatewayWith({ UPSUN_API_URL: '' });
    const probe = async () => {
      const response = await gateway.fetch('http://gateway.test/readyz');
      return { status: response.status, body: await response.json() };
    };
    expect(await probe()).toMatchObject({ status: 503, body: { status: 'starting' } });
    gateway.markReady();
    expect(await probe()).toEqual({
      status: 200,
      body: {
        status: 'ready',
        sources: {
          matatika: { configured: true, circuit: 'closed' },
          cadenya: { configured: true, circuit: 'closed' },
          moltaro: { configured: true, circuit: 'closed' },
          upsun: { configured: false, circuit: 'closed' },
        },
      },
    });
    gateway.markDraining();
    expect(await probe()).toMatchObject({ status: 503, body: { status: 'draining' } });
    expect((await gateway.fetch('http://gateway.test/health')).status).toBe(200);
    expect(h.sandbox.requests).toEqual([]);
  });
});

describe('metrics (/metrics)', () => {
  it('counts operations by name, type and outcome, errors by code, and upstream calls by source, method, route and status', async () => {
    const gateway = h.gatewayWith({});
    await post(gateway, PROFILE, { variables: { id: demo.matatika.profileIds.demo } });
    await post(gateway, PROFILE, { variables: { id: 'auth0|missing' } });
    await post(gateway, 'query Oops { nope }');
    const text = await scrape(gateway);
    expect(text).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="OneProfile",type="query",outcome="success"\} 1$/m,
    );
    expect(text).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="OneProfile",type="query",outcome="partial"\} 1$/m,
    );
    expect(text).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="Oops",type="query",outcome="error"\} 1$/m,
    );
    expect(text).toMatch(/^graphql_errors_total\{code="NOT_FOUND"\} 1$/m);
    expect(text).toMatch(/^graphql_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    expect(text).toMatch(
      /^upstream_request_duration_seconds_count\{source="matatika",method="GET",route="\/api\/profiles\/\{id\}",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^upstream_request_duration_seconds_count\{source="matatika",method="GET",route="\/api\/profiles\/\{id\}",status="404"\} 1$/m,
    );
    expect(text).toMatch(/^graphql_requests_in_flight 0$/m);
    expect(text).toMatch(/^upstream_circuit_state\{source="matatika"\} 0$/m);
    // No id reaches a label.
    expect(text).not.toContain(demo.matatika.profileIds.demo);
    expect(text).not.toContain('missing');
  });

  it('reports keys per batch and the single calls that batching and lists saved', async () => {
    const gateway = h.gatewayWith({});
    const response = await post(
      gateway,
      `query Members($id: String!) { workspace(id: $id) { members { edges { node { profile { email } } } } } }`,
      { variables: { id: demo.matatika.workspaceIds.large } },
    );
    expect(response.errors).toBeUndefined();
    const text = await scrape(gateway);
    expect(h.calls()).toEqual([
      `GET /api/workspaces/${demo.matatika.workspaceIds.large}/members`,
      'GET /api/profiles',
    ]);
    // The members' 20 distinct profiles in one batch, answered by one list read: 19 GETs saved.
    expect(text).toMatch(/^dataloader_batch_keys_sum\{loader="matatika.profiles"\} 20$/m);
    expect(text).toMatch(/^upstream_calls_saved_total\{loader="matatika.profiles",reason="batch"\} 19$/m);
  });

  it('counts a retried upstream call once more and as a retry', async () => {
    const gateway = h.gatewayWith({});
    h.sandbox.inject({ source: 'matatika', method: 'GET', fault: { status: 503, times: 1 } });
    await post(gateway, PROFILE, { variables: { id: demo.matatika.profileIds.demo } });
    const text = await scrape(gateway);
    expect(text).toMatch(/^upstream_retries_total\{source="matatika",method="GET"\} 1$/m);
    expect(text).toMatch(/route="\/api\/profiles\/\{id\}",status="503"\} 1$/m);
    expect(text).toMatch(/route="\/api\/profiles\/\{id\}",status="200"\} 1$/m);
  });

  it('serves /metrics on METRICS_PORT instead of the GraphQL port when that is set', async () => {
    const gateway = h.gatewayWith({ METRICS_PORT: '0' });
    expect((await gateway.fetch('http://gateway.test/metrics')).status).toBe(404);
    const server = await startMetricsServer(
      loadConfig({ METRICS_PORT: '0', SANDBOX: '0' }),
      gateway.metrics as NonNullable<typeof gateway.metrics>,
    );
    if (!server) throw new Error('no metrics server');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^graphql_requests_in_flight 0$/m);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it('serves no metrics at all with METRICS=0, and counts nothing', async () => {
    const gateway = h.gatewayWith({ METRICS: '0' });
    await post(gateway, `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`);
    expect((await gateway.fetch('http://gateway.test/metrics')).status).toBe(404);
    // No registry, no counters: nothing on the request path records anything.
    expect(gateway.metrics).toBeNull();
    expect(
      await startMetricsServer(
        loadConfig({ METRICS: '0', METRICS_PORT: '0', SANDBOX: '0' }),
        gateway.metrics,
      ),
    ).toBeNull();
  });

  it('collapses operation names past 100 distinct ones into "other"', async () => {
    const gateway = h.gatewayWith({});
    for (let i = 0; i < 102; i++) await post(gateway, `query Q${i} { __typename }`);
    const text = await scrape(gateway);
    expect(text).toMatch(/operation="Q99",type="query",outcome="success"\} 1$/m);
    expect(text).toMatch(/operation="other",type="query",outcome="success"\} 2$/m);
    expect(text).not.toContain('operation="Q100"');
  });
});
