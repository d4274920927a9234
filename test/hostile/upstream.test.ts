// What a failing or hostile upstream can do to the gateway, and what the gateway does about it: every
// request stays within its call budget and its deadline, an oversized body is refused, an outage opens
// the circuit, and the log stays short and at the right level.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { codes, demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const asUpsun = { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` };
const h = useHarness();
const profileQuery = `{ profile(id: "${P.demo}") { name } }`;
const profilePath = `/api/profiles/${encodeURIComponent(P.demo)}`;

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  let bytes = 0;
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        bytes += line.length;
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, bytes: () => bytes };
}

describe('hostile upstream: bodies are capped', () => {
  it.each([
    ['50 MB', 50 * 1024 * 1024],
    ['20 MB', 20 * 1024 * 1024],
  ])('answers UPSTREAM_ERROR, not an out-of-memory crash, for a %s body', async (_label, size) => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { body: `"${'x'.repeat(size)}"` } });
    const res = await h.gql(profileQuery);
    expect(res.data).toEqual({ profile: null });
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.message).toMatch(
      /answered more than 5242880 bytes \(MATATIKA_MAX_RESPONSE_BYTES\)/,
    );
  });

  it('honours a lower <SOURCE>_MAX_RESPONSE_BYTES', async () => {
    const gateway = h.gatewayWith({ MATATIKA_MAX_RESPONSE_BYTES: '2048' });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { body: `"${'x'.repeat(4096)}"` } });
    expect(codes(await post(gateway, profileQuery))).toEqual(['UPSTREAM_ERROR']);
  });
});

describe('hostile upstream: every request has a call budget and a deadline', () => {
  it('stops at MAX_UPSTREAM_CALLS: the rest of the fan-out answers LIMIT_EXCEEDED, the data made so far arrives', async () => {
    const gateway = h.gatewayWith({ MAX_UPSTREAM_CALLS: '5' });
    const ids = Array.from({ length: 8 }, (_, i) =>
      Buffer.from(
        `UserProfile:${i === 0 ? demo.upsun.profileIds.demo : `00000000-0000-0000-0000-00000000000${i}`}`,
      ).toString('base64'),
    );
    // One operation of 8 ids is refused before it runs (its bound is 8); a batch of two operations of
    // 4 ids each passes that check one by one and meets the budget they share at run time.
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    expect(codes(await post(gateway, query, { variables: { ids }, headers: asUpsun }))).toEqual([
      'LIMIT_EXCEEDED',
    ]);
    expect(h.calls('upsun')).toHaveLength(0);
    const response = await gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asUpsun },
      body: JSON.stringify(
        [ids.slice(0, 4), ids.slice(4)].map((part) => ({ query, variables: { ids: part } })),
      ),
    });
    const [first, second] = (await response.json()) as Array<Parameters<typeof codes>[0]>;
    const res = {
      data: {
        nodes: [
          ...((first?.data as { nodes: unknown[] } | undefined)?.nodes ?? []),
          ...((second?.data as { nodes: unknown[] } | undefined)?.nodes ?? []),
        ],
      },
      errors: [...(first?.errors ?? []), ...(second?.errors ?? [])],
    };
    expect(h.calls('upsun')).toHaveLength(5);
    const tally = codes(res).reduce<Record<string, number>>((acc, c) => {
      acc[String(c)] = (acc[String(c)] ?? 0) + 1;
      return acc;
    }, {});
    expect(tally).toEqual({ NOT_FOUND: 4, LIMIT_EXCEEDED: 3 });
    expect((res.data as { nodes: unknown[] }).nodes[0]).toEqual({ id: ids[0] });
  });

  it('bounds a page walk by REQUEST_TIMEOUT_MS: the walk stops, answers UPSTREAM_TIMEOUT, and calls no further page', async () => {
    const gateway = h.gatewayWith({ REQUEST_TIMEOUT_MS: '500', UPSUN_TIMEOUT_MS: '10000' });
    // Page 1 answers at once (a fault that changes nothing, spent by the first request); page 2 hangs.
    h.sandbox.inject({ source: 'upsun', fault: { latencyMs: 0, times: 1 } });
    h.sandbox.inject({ source: 'upsun', fault: { hang: true } });
    const res = await post(gateway, '{ userProfiles(first: 8) { edges { cursor } } }', { headers: asUpsun });
    expect(codes(res)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(res.errors?.[0]?.message).toMatch(/deadline of 500 ms \(REQUEST_TIMEOUT_MS\)/);
    // Page 2 was cut at the deadline (its own budget was 10 s), and page 3 was never asked for.
    expect(h.calls('upsun')).toEqual(['GET /profiles', 'GET /profiles?page=2']);
  });

  it('aborts the upstream calls of a client that goes away', async () => {
    h.sandbox.inject({ source: 'upsun', fault: { latencyMs: 300 } });
    const controller = new AbortController();
    const pending = Promise.resolve(
      h.gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asUpsun },
        body: JSON.stringify({ query: '{ userProfiles(first: 8) { edges { cursor } } }' }),
        signal: controller.signal,
      }),
    ).catch(() => null);
    // Leave once the first page is on its way upstream (and 300 ms from its answer).
    for (let i = 0; i < 200 && h.calls('upsun').length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort();
    await pending;
    // Were the walk still running it would have asked for pages 2 and 3 by now.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(h.calls('upsun')).toEqual(['GET /profiles']);
  });
});

describe('hostile upstream: retries and the circuit breaker', () => {
  it('retries a 503 after its Retry-After and reports the second attempt', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { status: 503, headers: { 'retry-after': '1' }, times: 1 },
    });
    const res = await h.gql(profileQuery);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });

  it('does not retry a 503 whose Retry-After lies past the budget', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { status: 503, headers: { 'retry-after': '120' } },
    });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });

  it('after a retried 503, a timeout reports the second attempt, with no status', async () => {
    const gateway = h.gatewayWith({ MATATIKA_TIMEOUT_MS: '1500' });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status: 503, times: 1 } });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { hang: true } });
    const res = await post(gateway, profileQuery);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      upstream: { method: 'GET', status: null },
    });
  });

  it('opens the circuit after CIRCUIT_FAILURES outages: calls then fail fast without reaching the upstream, and a probe closes it', async () => {
    const gateway = h.gatewayWith({ CIRCUIT_FAILURES: '2', CIRCUIT_COOLDOWN_MS: '300' });
    const remove = h.sandbox.inject({ source: 'matatika', fault: { status: 502 } });
    expect(codes(await post(gateway, profileQuery))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(codes(await post(gateway, profileQuery))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(gateway.circuits().matatika).toBe('open');
    const before = h.calls().length;
    const fast = await post(gateway, profileQuery);
    expect(codes(fast)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(fast.errors?.[0]?.message).toMatch(/pauses calls to it/);
    expect(h.calls()).toHaveLength(before);
    // Another source is not affected by matatika's circuit.
    expect(gateway.circuits().upsun).toBe('closed');
    remove();
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await post(gateway, profileQuery);
    expect(probe.errors).toBeUndefined();
    expect(gateway.circuits().matatika).toBe('closed');
  });

  it('does not open the circuit on client errors (404s)', async () => {
    const gateway = h.gatewayWith({ CIRCUIT_FAILURES: '2' });
    for (let i = 0; i < 4; i++) await post(gateway, '{ profile(id: "auth0|missing") { name } }');
    expect(gateway.circuits().matatika).toBe('closed');
  });
});

describe('hostile upstream: logs an operator can live with', () => {
  it('logs client errors (401, 403, 404, bad input) at debug only, never at error and never with a stack', async () => {
    const { logger, lines } = capturingLogger();
    const gateway = h.gatewayWith({}, logger);
    await post(
      gateway,
      `{
      a: profile(id: "auth0|missing") { name }
      b: workspace(id: "${W.forbidden}") { name }
      c: profile(id: "..") { name }
    }`,
    );
    await post(gateway, profileQuery, { headers: { authorization: 'Bearer wrong' } });
    expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/"stack"|\n\s+at /);
  });

  it('logs an upstream fault once at warn, and a bug at error', async () => {
    const { logger, lines } = capturingLogger();
    const gateway = h.gatewayWith({}, logger);
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status: 500 } });
    await post(gateway, profileQuery);
    const warnings = lines.filter((l) => Number(l.level) === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'matatika', code: 'UPSTREAM_ERROR', status: 500 });
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it("keeps one request's log bounded however many of its calls fail", async () => {
    const { logger, lines, bytes } = capturingLogger();
    const gateway = h.gatewayWith({ CIRCUIT_FAILURES: '1000' }, logger);
    h.sandbox.inject({ source: 'upsun', fault: { status: 500 } });
    const ids = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(`UserProfile:00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}`).toString(
        'base64',
      ),
    );
    await post(gateway, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      variables: { ids },
      headers: asUpsun,
    });
    expect(h.calls('upsun').length).toBeGreaterThanOrEqual(40);
    expect(lines.filter((l) => Number(l.level) >= 40)).toHaveLength(5);
    expect(bytes()).toBeLessThan(40 * 1024);
  });
});
