import { describe, expect, it } from 'vitest';
import { searchPageSchema } from '../../src/sources/cadenya/payloads.js';
import { envelopeSchema, moltaroMessage } from '../../src/sources/moltaro/payloads.js';
import { userProfileListSchema } from '../../src/sources/upsun/payloads.js';
import { demo, useHarness } from '../support/harness.js';
import { jsonExamples, seed } from '../support/seeds.js';

// biome-ignore lint/suspicious/noExplicitAny: seed examples are untyped JSON, read field by field below.
type Json = Record<string, any>;
const moltaro = jsonExamples(seed('002')) as Json[];
const cadenya = jsonExamples(seed('003')) as Json[];
const upsun = jsonExamples(seed('004')) as Json[];
const h = useHarness();
const asMoltaro = { 'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}` };
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('seed 002 (moltaro)', () => {
  const envelopes = moltaro.filter((e) => 'Data' in e);
  const problem = moltaro.find((e) => 'title' in e) as Json;

  it('decodes both envelope examples, with their absent and null fields', () => {
    expect(envelopes).toHaveLength(2);
    for (const example of envelopes) {
      const decoded = envelopeSchema.parse(example);
      expect(decoded.data).toEqual({
        userId: null,
        userName: null,
        email: null,
        firstName: null,
        lastName: null,
        userType: 0,
      });
      expect(decoded.errors).toEqual([
        { code: '', message: '', target: null, field: null, type: 0, severity: 0 },
      ]);
    }
    expect(moltaroMessage(problem)).toBe(problem.detail);
  });

  it('turns the example (which carries Errors) into an error, as a 200 and as a 404', async () => {
    const body = JSON.stringify(envelopes[0]);
    h.sandbox.inject({ source: 'moltaro', fault: { body, times: 1 } });
    const ok = await h.gql('{ workspaceAccountProfile { userType } }', { headers: asMoltaro });
    expect(ok.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    h.sandbox.inject({
      source: 'moltaro',
      fault: { status: 404, body, contentType: 'application/json', times: 1 },
    });
    const missing = await h.gql('{ workspaceAccountProfile { userType } }', { headers: asMoltaro });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('round-trips the example without its Errors as data with warnings', async () => {
    const { Errors: _errors, ...clean } = envelopes[0] as Json;
    h.sandbox.inject({ source: 'moltaro', fault: { body: JSON.stringify(clean) } });
    const res = await h.gql(
      '{ workspaceAccountProfile { userId userType warnings { code type severity } } }',
      { headers: asMoltaro },
    );
    expect(res).toEqual({
      data: {
        workspaceAccountProfile: {
          userId: null,
          userType: 0,
          warnings: [{ code: '', type: 0, severity: 0 }],
        },
      },
    });
  });

  it('maps the problem+json example to FORBIDDEN with its detail', async () => {
    h.sandbox.inject({
      source: 'moltaro',
      fault: { status: 403, body: JSON.stringify(problem), contentType: 'application/problem+json' },
    });
    const res = await h.gql('{ workspaceAccountProfile { userId } }', { headers: asMoltaro });
    expect(res.errors?.[0]).toMatchObject({ message: problem.detail, extensions: { code: 'FORBIDDEN' } });
  });
});

describe('seed 003 (cadenya)', () => {
  const example = cadenya[0] as Json;

  it('decodes the search example', () => {
    expect(cadenya).toHaveLength(2);
    for (const page of cadenya) expect(searchPageSchema.parse(page).items).toHaveLength(1);
  });

  it('round-trips the search example through the gateway', async () => {
    h.sandbox.inject({ source: 'cadenya', fault: { body: JSON.stringify(example) } });
    const res = await h.gql(
      `{ accountProfiles(first: 1) {
        totalCount pageInfo { hasNextPage }
        edges { node { upstreamId accountId name profileId externalId labels { key value } type email displayName } }
      } }`,
      { headers: { 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}` } },
    );
    const [item] = example.items;
    expect(res).toEqual({
      data: {
        accountProfiles: {
          totalCount: example.pagination.total,
          pageInfo: { hasNextPage: true },
          edges: [
            {
              node: {
                upstreamId: item.metadata.id,
                accountId: item.metadata.accountId,
                name: item.metadata.name,
                profileId: item.metadata.profileId,
                externalId: item.metadata.externalId,
                labels: [{ key: 'foo', value: item.metadata.labels.foo }],
                type: 'UNSPECIFIED',
                email: item.spec.email,
                displayName: item.spec.name,
              },
            },
          ],
        },
      },
    });
  });
});

describe('seed 004 (upsun)', () => {
  const example = upsun[0] as Json;
  const [profile] = example.profiles;

  it('decodes the list example, and a profile without current_trial', () => {
    expect(userProfileListSchema.parse(example).profiles[0]?.currentTrial?.projects?.total?.amount).toBe(123);
    const { current_trial: _trial, ...newer } = profile;
    expect(
      userProfileListSchema.parse({ ...example, profiles: [newer] }).profiles[0]?.currentTrial,
    ).toBeNull();
  });

  it('round-trips every field of the example profile, camel-cased', async () => {
    h.sandbox.inject({ source: 'upsun', fault: { body: JSON.stringify(example) } });
    const scalars = Object.keys(profile).filter((k) => k !== 'current_trial' && k !== 'id');
    const res = await h.gql<{ userProfiles: { totalCount: number; edges: Array<{ node: Json }> } }>(
      `{ userProfiles(first: 1) { totalCount edges { node {
        upstreamId ${scalars.map(camel).join(' ')}
        currentTrial {
          active created description expiration pendingVerification model daysRemaining
          current { formatted amount currency currencySymbol }
          spend { formatted amount currency currencySymbol }
          spendRemaining { formatted amount currency currencySymbol unlimited }
          projects { id name total { amount currencyCode currencySymbol formatted } }
        }
      } } } }`,
      { headers: { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.userProfiles.totalCount).toBe(example.count);
    const node = res.data?.userProfiles.edges[0]?.node as Json;
    expect(node.upstreamId).toBe(profile.id);
    for (const key of scalars) expect(node[camel(key)]).toEqual(profile[key]);
    const deepCamel = (value: unknown): unknown =>
      value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), deepCamel(v)]))
        : value;
    expect(node.currentTrial).toEqual(deepCamel(profile.current_trial));
  });
});
