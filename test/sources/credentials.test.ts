import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { codes, demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, tokens } = demo.matatika;
const h = useHarness();
const query = `{ profile(id: "${P.demo}") { name } }`;

describe("credentials: the caller's token reaches only its own upstream, only as a bearer header", () => {
  it('sends a bare token as Authorization: Bearer', async () => {
    const res = await h.gql(query, { headers: { authorization: tokens.demo } });
    expect(res.errors).toBeUndefined();
    expect(h.sandbox.requests[0]?.headers.authorization).toBe(`Bearer ${tokens.demo}`);
  });

  it('never puts the token in the URL', async () => {
    await h.gql(query);
    for (const request of h.sandbox.requests) expect(request.url).not.toContain(tokens.demo);
  });

  it('reads the credential from MATATIKA_TOKEN_HEADER and ignores Authorization then', async () => {
    const gateway = h.gatewayWith({ MATATIKA_TOKEN_HEADER: 'X-Matatika-Token' });
    const ok = await post(gateway, query, { headers: { 'x-matatika-token': `Bearer ${tokens.demo}` } });
    expect(ok.errors).toBeUndefined();
    expect(h.sandbox.requests.at(-1)?.headers.authorization).toBe(`Bearer ${tokens.demo}`);
    h.sandbox.clearLog();
    const refused = await post(gateway, query, { headers: { authorization: `Bearer ${tokens.demo}` } });
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors?.[0]?.message).toMatch(/x-matatika-token/);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('falls back to MATATIKA_API_TOKEN when the request carries none', async () => {
    const gateway = h.gatewayWith({ MATATIKA_API_TOKEN: tokens.other });
    const res = await post<{ profile: { upstreamId: string } }>(
      gateway,
      `{ profile(id: "${P.other}") { upstreamId } }`,
      {
        headers: {},
      },
    );
    expect(res.data?.profile.upstreamId).toBe(P.other);
    expect(h.sandbox.requests[0]?.headers.authorization).toBe(`Bearer ${tokens.other}`);
  });

  it("keeps each caller's data apart: concurrent callers each get their own account", async () => {
    const [a, b] = await Promise.all([
      h.gql<{ profiles: { totalCount: number } }>('{ profiles { totalCount } }', {
        headers: { authorization: `Bearer ${tokens.demo}` },
      }),
      h.gql<{ profiles: { totalCount: number } }>('{ profiles { totalCount } }', {
        headers: { authorization: `Bearer ${tokens.other}` },
      }),
    ]);
    expect(a.data?.profiles.totalCount).toBe(demo.matatika.counts.accountProfiles);
    expect(b.data?.profiles.totalCount).toBe(demo.matatika.counts.otherAccountProfiles);
    const sent = h.sandbox.requests.map((r) => r.headers.authorization).sort();
    expect(sent).toEqual([`Bearer ${tokens.demo}`, `Bearer ${tokens.other}`].sort());
  });

  it('never writes the credential to the logs or into an error', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const gateway = h.gatewayWith({}, logger);
    h.sandbox.inject({
      source: 'matatika',
      path: `/api/profiles/${encodeURIComponent(P.google)}`,
      fault: { status: 500 },
    });
    const res = await post(
      gateway,
      `{ a: profile(id: "${P.demo}") { name } b: profile(id: "${P.google}") { name } }`,
    );
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(tokens.demo);
    expect(JSON.stringify(res)).not.toContain(tokens.demo);
  });
});
