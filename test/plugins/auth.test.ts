import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Gateway } from '../../src/gateway.js';
import { asDemo, codes, demo, post, useHarness } from '../support/harness.js';
import { close, listen } from '../support/projects-subgraph.js';

// Counts the gateway's signature checks: jose as it is, with jwtVerify observed.
const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock('jose', async (importOriginal) => {
  const jose = await importOriginal<typeof import('jose')>();
  return {
    ...jose,
    jwtVerify: (...args: Parameters<typeof jose.jwtVerify>) => {
      verifications.count++;
      return jose.jwtVerify(...args);
    },
  };
});

const P = demo.matatika.profileIds;
const h = useHarness();
const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'profile-gateway';

let jwks: Server;
let jwksUrl: string;
let sign: (
  claims: Record<string, unknown>,
  options?: { issuer?: string; expired?: boolean },
) => Promise<string>;
let gateway: Gateway;

beforeAll(async () => {
  // A key set made here, served by a real JWKS endpoint on 127.0.0.1; a second key signs forgeries.
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  jwksUrl = `${await listen(jwks)}/.well-known/jwks.json`;
  sign = (claims, options = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.expired ? Math.floor(Date.now() / 1000) - 60 : '5m')
      .sign(privateKey);
  gateway = h.gatewayWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
});
afterAll(async () => {
  if (jwks) await close(jwks);
});
afterEach(() => {
  vi.useRealTimers();
});

const UPSERT = `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "Renamed" }) { profile { name } } }`;
const READ = `{ profile(id: "${P.demo}") { name } }`;
const withToken = (token: string) => ({ ...asDemo, 'x-gateway-authorization': `Bearer ${token}` });

describe('auth at the gateway (AUTH_JWKS_URL): @authenticated and @requiresScopes, before any upstream call', () => {
  it('answers FORBIDDEN, with no upstream call, a mutation whose token lacks profile:write', async () => {
    const res = await post(gateway, UPSERT, { headers: withToken(await sign({ scope: 'profile:read' })) });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.message).toMatch(/Mutation.upsertProfile \(profile:write\)/);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('runs the mutation for a token with profile:write (scope or scp)', async () => {
    const res = await post(gateway, UPSERT, {
      headers: withToken(await sign({ scope: 'profile:read profile:write' })),
    });
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`PUT /api/profiles/${encodeURIComponent(P.demo)}`]);
    const scp = await post(gateway, UPSERT, { headers: withToken(await sign({ scp: ['profile:write'] })) });
    expect(scp.errors).toBeUndefined();
  });

  it('answers UNAUTHENTICATED, with no upstream call, an @authenticated read without a valid token', async () => {
    const tokens = [
      null,
      'not-a-jwt',
      await sign({}, { issuer: 'https://elsewhere.test/' }),
      await sign({}, { expired: true }),
    ];
    for (const token of tokens) {
      const res = await post(gateway, READ, { headers: token ? withToken(token) : asDemo });
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    }
    // A token signed by a key the JWKS does not hold.
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    expect(codes(await post(gateway, READ, { headers: withToken(forged) }))).toEqual(['UNAUTHENTICATED']);
    expect(h.sandbox.requests).toHaveLength(0);
    // Through a fragment on the Node interface, too.
    const viaNode = await post(
      gateway,
      `{ node(id: "${Buffer.from(`Profile:${P.demo}`).toString('base64')}") { ... on Profile { name } } }`,
    );
    expect(codes(viaNode)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves a read with a valid token, and leaves out what @skip takes out', async () => {
    const res = await post(gateway, READ, { headers: withToken(await sign({})) });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ profile: { name: expect.any(String) } });
    const skipped = await post(gateway, `{ __typename profile(id: "${P.demo}") @skip(if: true) { name } }`);
    expect(skipped).toEqual({ data: { __typename: 'Query' } });
    // One document, its @skip by a variable: each request's own variables decide what it reaches.
    const bySkip = `query ($s: Boolean!) { __typename profile(id: "${P.demo}") @skip(if: $s) { name } }`;
    expect(await post(gateway, bySkip, { variables: { s: true } })).toEqual({
      data: { __typename: 'Query' },
    });
    expect(codes(await post(gateway, bySkip, { variables: { s: false } }))).toEqual(['UNAUTHENTICATED']);
    expect(await post(gateway, bySkip, { variables: { s: true } })).toEqual({
      data: { __typename: 'Query' },
    });
  });

  it("checks a token's signature once, however many requests carry it", async () => {
    const headers = withToken(await sign({ scope: 'profile:read' }));
    const before = verifications.count;
    for (let i = 0; i < 3; i++) expect((await post(gateway, READ, { headers })).errors).toBeUndefined();
    expect(verifications.count - before).toBe(1);
  });

  it('refuses a token it accepted once, after the token has expired', async () => {
    const headers = withToken(await sign({}));
    expect((await post(gateway, READ, { headers })).errors).toBeUndefined();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 });
    expect(codes(await post(gateway, READ, { headers }))).toEqual(['UNAUTHENTICATED']);
  });

  it('is off by default: the per-source credentials alone decide, and the directives are in the SDL regardless', async () => {
    expect((await post(h.gateway, UPSERT)).errors).toBeUndefined();
  });

  it('refuses at boot a token header that a source already reads', () => {
    expect(() =>
      loadConfig({ AUTH_JWKS_URL: 'https://issuer.test/jwks', AUTH_TOKEN_HEADER: 'authorization' }),
    ).toThrow(/AUTH_TOKEN_HEADER: authorization already carries a source's credential/);
  });
});
