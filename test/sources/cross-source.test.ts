import { describe, expect, it } from 'vitest';
import { codes, demo, post, useHarness } from '../support/harness.js';

const h = useHarness();
const CREDENTIALS = {
  matatika: demo.matatika.tokens.demo,
  cadenya: demo.cadenya.tokens.admin,
  moltaro: demo.moltaro.tokens.demo,
  upsun: demo.upsun.accessToken,
};
const HEADERS = {
  authorization: `Bearer ${CREDENTIALS.matatika}`,
  'x-cadenya-authorization': `Bearer ${CREDENTIALS.cadenya}`,
  'x-moltaro-authorization': `Bearer ${CREDENTIALS.moltaro}`,
  'x-upsun-authorization': `Bearer ${CREDENTIALS.upsun}`,
};
const ALL_FOUR = `{
  profile(id: "${demo.matatika.profileIds.demo}") { name }
  accountProfiles(first: 2) { totalCount edges { node { name } } }
  workspaceAccountProfile { userName }
  userProfiles(first: 2) { totalCount edges { node { displayName } } }
}`;

describe('across the four sources', () => {
  it('sends each upstream exactly its own credential, and no other, in any header, the URL or the body', async () => {
    const res = await h.gql(ALL_FOUR, { headers: HEADERS });
    expect(res.errors).toBeUndefined();
    const seen = new Set(h.sandbox.requests.map((r) => r.source));
    expect(seen).toEqual(new Set(['matatika', 'cadenya', 'moltaro', 'upsun']));
    for (const request of h.sandbox.requests) {
      const own = CREDENTIALS[request.source as keyof typeof CREDENTIALS];
      expect(request.headers.authorization).toBe(`Bearer ${own}`);
      const everything = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body}`;
      for (const [source, token] of Object.entries(CREDENTIALS)) {
        if (source !== request.source) expect(everything).not.toContain(token);
      }
    }
  });

  it('returns partial data when one source fails', async () => {
    const res = await h.gql(ALL_FOUR, {
      headers: { ...HEADERS, 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.member}` },
    });
    expect(res.data).toMatchObject({
      profile: { name: expect.any(String) },
      accountProfiles: { totalCount: null, edges: [] },
      workspaceAccountProfile: { userName: expect.any(String) },
      userProfiles: { totalCount: demo.upsun.count },
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({ path: ['accountProfiles'], extensions: { code: 'FORBIDDEN' } });
  });

  it('returns partial data when sources are not configured, each with SOURCE_NOT_CONFIGURED', async () => {
    const gateway = h.gatewayWith({ MOLTARO_API_URL: '', UPSUN_API_URL: '' });
    const res = await post(gateway, ALL_FOUR, { headers: HEADERS });
    expect(res.data).toMatchObject({
      profile: { name: expect.any(String) },
      workspaceAccountProfile: null,
      userProfiles: { edges: [] },
    });
    expect(res.data?.accountProfiles).toMatchObject({ totalCount: demo.cadenya.count });
    expect(codes(res).sort()).toEqual(['SOURCE_NOT_CONFIGURED', 'SOURCE_NOT_CONFIGURED']);
    expect(h.sandbox.requests.some((r) => r.source === 'moltaro' || r.source === 'upsun')).toBe(false);
  });

  it('answers UNAUTHENTICATED per source for the credentials a request lacks, without calling them', async () => {
    const res = await h.gql(ALL_FOUR, { headers: { authorization: HEADERS.authorization } });
    expect(res.data?.profile).toMatchObject({ name: expect.any(String) });
    expect(codes(res)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(new Set(h.sandbox.requests.map((r) => r.source))).toEqual(new Set(['matatika']));
  });
});
