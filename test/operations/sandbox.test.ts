import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demo, type Sandbox, type SandboxSource, startSandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const m = demo.matatika;
const enc = encodeURIComponent;

function call(
  source: SandboxSource,
  path: string,
  token?: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${sandbox.urlOf(source)}${path}`, { ...init, headers });
}

// Just the parts of each payload these tests read; the sandbox is the thing under test, not these types.
interface Link {
  href: string;
}
interface MatatikaError {
  timestamp: string;
  path: string;
  errors: { field: string }[];
}
interface Profile {
  id: string;
  name?: string;
  handle?: string;
  defaultWorkspace?: { id: string; name: string };
  workingAccount: { id: string; company?: string };
  _links: Record<string, Link>;
}
interface Workspace {
  id: string;
  defaultWorkspace: boolean;
}
interface Hal<K extends string, T> {
  _embedded: Record<K, T[]>;
  _links: Partial<Record<string, Link>>;
  page: { size: number; totalElements: number; totalPages: number; number: number };
}
interface CadenyaPage {
  items?: { metadata: { id: string; name: string }; spec: { name?: string } }[];
  pagination: { nextCursor?: string; total?: number };
}
interface Envelope {
  Warnings: { Code: string }[] | null;
}
interface UpsunPage {
  count: number;
  profiles: { id: string }[];
  _links: { self: Link; next?: Link; previous?: Link };
}

/** The JSON body, typed as the caller says: a test reads only fields it then asserts on. */
function body<T = unknown>(res: Response): Promise<T> {
  return res.json() as Promise<T>;
}

function send(method: string, path: string, token: string, payload: unknown): Promise<Response> {
  const init = { method, body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
  return call('matatika', path, token, init);
}

describe('matatika', () => {
  it('answers 401 in its error format without a header, with an unknown token, and with a token in the query', async () => {
    for (const res of [
      await call('matatika', '/api/profiles'),
      await call('matatika', '/api/profiles', 'nope'),
      await fetch(`${sandbox.urlOf('matatika')}/api/profiles?access_token=${m.tokens.demo}`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const error = await body<MatatikaError>(res);
      expect(error).toMatchObject({ status: 401, error: 'Unauthorized', errors: [], path: '/api/profiles' });
      expect(typeof error.timestamp).toBe('string');
    }
  });

  it("lists the caller's account, with HAL links on the sandbox origin", async () => {
    const res = await call('matatika', '/api/profiles', m.tokens.demo);
    expect(res.headers.get('content-type')).toBe('application/hal+json');
    const list = await body<Hal<'profiles', Profile>>(res);
    expect(list._embedded.profiles).toHaveLength(m.counts.accountProfiles);
    expect(list._links.self?.href).toBe(`${sandbox.url}/matatika/api/profiles`);
    const seed = list._embedded.profiles[0];
    expect(seed).toMatchObject({
      id: m.profileIds.demo,
      handle: '@sit+prod1',
      workingAccount: { company: 'Test Company', id: m.profileIds.demo },
    });
    expect(seed?._links['update edit profile']?.href).toBe(
      `${sandbox.url}/matatika/api/profiles/auth0%7C6a21dc7aa1db2e036a222942`,
    );
    const other = await body<Hal<'profiles', Profile>>(
      await call('matatika', '/api/profiles', m.tokens.other),
    );
    expect(other._embedded.profiles).toHaveLength(m.counts.otherAccountProfiles);
    expect(other._embedded.profiles[0]?.workingAccount).toEqual({ id: m.profileIds.other });
  });

  it('reads a profile by an encoded or a raw id, and 404s one outside the account', async () => {
    for (const path of [`/api/profiles/${enc(m.profileIds.saml)}`, `/api/profiles/${m.profileIds.saml}`]) {
      const res = await call('matatika', path, m.tokens.demo);
      expect(res.status).toBe(200);
      expect((await body<Profile>(res)).id).toBe(m.profileIds.saml);
    }
    const nameless = await body<Profile>(
      await call('matatika', `/api/profiles/${enc(m.profileIds.nameless)}`, m.tokens.demo),
    );
    expect(nameless.name).toBeUndefined();
    expect(nameless.handle).toBeUndefined();
    const foreign = await call('matatika', `/api/profiles/${enc(m.profileIds.other)}`, m.tokens.demo);
    expect(foreign.status).toBe(404);
    expect((await body<MatatikaError>(foreign)).path).toBe('/api/profiles/auth0%7C5eb0327cbfd7490bff55feeb');
  });

  it('creates with PUT (201), then updates (200), generating a read-only handle from the name', async () => {
    const path = `/api/profiles/${enc(m.profileIds.newcomer)}`;
    expect((await call('matatika', path, m.tokens.newcomer)).status).toBe(404);
    const name = 'SIT-Generated Profile [2026-06-10T07:13:56.040374044]';
    const created = await send('PUT', path, m.tokens.newcomer, {
      name,
      phone: '52432053169',
      handle: '@mine',
    });
    expect(created.status).toBe(201);
    expect(await body(created)).toMatchObject({
      id: m.profileIds.newcomer,
      name,
      handle: '@sit-generatedprofile[2026-06-10t07:13:56.040374044]',
      phone: '52432053169',
      workingAccount: { id: m.profileIds.newcomer },
    });
    // An email as a name yields its local part, suffixed past the handles already taken (@sit+prod, @sit+prod1).
    const updated = await send('PUT', path, m.tokens.newcomer, {
      name: 'sit+prod@example.com',
      email: 'n@x.io',
    });
    expect(updated.status).toBe(200);
    expect(await body(updated)).toMatchObject({
      handle: '@sit+prod2',
      phone: '52432053169',
      email: 'n@x.io',
    });
  });

  it('refuses PUT for another subject (403) and a bad body (400)', async () => {
    const path = `/api/profiles/${enc(m.profileIds.google)}`;
    expect((await send('PUT', path, m.tokens.demo, { name: 'x' })).status).toBe(403);
    const own = `/api/profiles/${enc(m.profileIds.demo)}`;
    expect((await send('PUT', own, m.tokens.demo, ['x'])).status).toBe(400);
    const typed = await send('PUT', own, m.tokens.demo, { phone: 42 });
    expect(typed.status).toBe(400);
    expect((await body<MatatikaError>(typed)).errors[0]?.field).toBe('phone');
  });

  it("sets the default workspace with PATCH, and reflects it in the caller's workspaces", async () => {
    const path = `/api/profiles/${enc(m.profileIds.demo)}`;
    const res = await send('PATCH', path, m.tokens.demo, {
      defaultWorkspace: { id: m.workspaceIds.finance },
    });
    expect(res.status).toBe(200);
    expect((await body<Profile>(res)).defaultWorkspace).toEqual({
      id: m.workspaceIds.finance,
      name: 'Finance Reporting',
    });
    const list = await body<Hal<'workspaces', Workspace>>(
      await call('matatika', '/api/workspaces', m.tokens.demo),
    );
    const defaults = list._embedded.workspaces.filter((w) => w.defaultWorkspace).map((w) => w.id);
    expect(defaults).toEqual([m.workspaceIds.finance]);
  });

  it('refuses PATCH: other subject 403, unknown workspace 404, non-member 403, bad body or id 400', async () => {
    const own = `/api/profiles/${enc(m.profileIds.demo)}`;
    const ws = (id: string) => ({ defaultWorkspace: { id } });
    const cases: [string, string, unknown, number][] = [
      [`/api/profiles/${enc(m.profileIds.google)}`, m.tokens.demo, ws(m.workspaceIds.ready), 403],
      [own, m.tokens.demo, ws('00000000-0000-4000-8000-000000000000'), 404],
      [own, m.tokens.demo, ws(m.workspaceIds.forbidden), 403],
      [own, m.tokens.demo, { defaultWorkspace: 'x' }, 400],
      [own, m.tokens.demo, ws('not-a-uuid'), 400],
    ];
    for (const [path, token, payload, status] of cases) {
      expect((await send('PATCH', path, token, payload)).status).toBe(status);
    }
  });

  it('pages workspaces Spring-style', async () => {
    const ids: string[] = [];
    let href: string | undefined = `${sandbox.urlOf('matatika')}/api/workspaces?size=2`;
    let first: Hal<'workspaces', Workspace> | undefined;
    while (href) {
      const page: Hal<'workspaces', Workspace> = await body(
        await fetch(href, { headers: { authorization: `Bearer ${m.tokens.demo}` } }),
      );
      first ??= page;
      ids.push(...page._embedded.workspaces.map((w) => w.id));
      href = page._links.next?.href;
    }
    expect(first?.page).toEqual({ size: 2, totalElements: 5, totalPages: 3, number: 0 });
    expect(Object.keys(first?._links ?? {})).toEqual(['first', 'self', 'next', 'last']);
    expect(ids).toHaveLength(m.counts.demoWorkspaces);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(m.workspaceIds.forbidden);
    const all = await body<Hal<'workspaces', Workspace>>(
      await call('matatika', '/api/workspaces?size=1000', m.tokens.demo),
    );
    expect(all.page.size).toBe(100);
    expect(all._links.next).toBeUndefined();
    expect((await call('matatika', '/api/workspaces?page=-1', m.tokens.demo)).status).toBe(400);
    expect((await call('matatika', '/api/workspaces?size=0', m.tokens.demo)).status).toBe(400);
  });

  it('reads a workspace only as a member', async () => {
    const get = (id: string) => call('matatika', `/api/workspaces/${id}`, m.tokens.demo);
    const ready = await body<Workspace & { name: string }>(await get(m.workspaceIds.ready));
    expect(ready).toMatchObject({ status: 'READY', defaultWorkspace: true });
    expect(ready.name).toBe('Test Workspace [2026-06-10T07:13:48.250417991]');
    expect((await get(m.workspaceIds.forbidden)).status).toBe(403);
    expect((await get('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(
      (await call('matatika', `/api/workspaces/${m.workspaceIds.ready}`, m.tokens.outsider)).status,
    ).toBe(403);
  });

  it('lists and reads members, derived from the current profile', async () => {
    await send('PUT', `/api/profiles/${enc(m.profileIds.demo)}`, m.tokens.demo, { name: 'Demo Renamed' });
    const list = await body<Hal<'members', Profile>>(
      await call('matatika', `/api/workspaces/${m.workspaceIds.large}/members`, m.tokens.demo),
    );
    expect(list._embedded.members).toHaveLength(m.counts.largeWorkspaceMembers);
    expect(list._embedded.members[0]).toMatchObject({
      id: m.profileIds.demo,
      name: 'Demo Renamed',
      handle: '@demorenamed',
    });
    const prov = m.workspaceIds.provisioning;
    const res = await call(
      'matatika',
      `/api/workspaces/${prov}/members/${enc(m.profileIds.other)}`,
      m.tokens.demo,
    );
    expect(await body(res)).toEqual({
      id: m.profileIds.other,
      name: 'sit+prod@matatika.com',
      handle: '@sit+prod',
      _links: {
        self: {
          href: `${sandbox.url}/matatika/api/workspaces/${prov}/members/auth0%7C5eb0327cbfd7490bff55feeb`,
        },
      },
    });
    const notMember = `/api/workspaces/${prov}/members/${enc(m.profileIds.github)}`;
    expect((await call('matatika', notMember, m.tokens.demo)).status).toBe(404);
    expect(
      (await call('matatika', `/api/workspaces/${m.workspaceIds.forbidden}/members`, m.tokens.demo)).status,
    ).toBe(403);
  });

  it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    const unknown = await call('matatika', '/api/nothing', m.tokens.demo);
    expect(unknown.status).toBe(404);
    expect((await body<MatatikaError>(unknown)).path).toBe('/api/nothing');
    const wrong = await call('matatika', '/api/profiles', m.tokens.demo, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

describe('cadenya', () => {
  const search = (query: string, token: string = demo.cadenya.tokens.admin) =>
    call('cadenya', `/v1/account/profiles${query}`, token);

  it('is admin only, with google.rpc.Status errors', async () => {
    expect(await body(await search('', demo.cadenya.tokens.member))).toEqual({
      code: 7,
      message: 'PERMISSION_DENIED: admin role required',
      details: [],
    });
    const anonymous = await fetch(`${sandbox.urlOf('cadenya')}/v1/account/profiles`);
    expect(anonymous.status).toBe(401);
    expect((await body<{ code: number }>(anonymous)).code).toBe(16);
  });

  it('pages with an opaque cursor until nextCursor is gone', async () => {
    const ids: string[] = [];
    let cursor: string | undefined = '';
    let pages = 0;
    while (cursor !== undefined) {
      const page: CadenyaPage = await body(
        await search(`?limit=4&cursor=${enc(cursor)}&type=PROFILE_TYPE_USER`),
      );
      expect(page.pagination.total).toBe(demo.cadenya.count);
      ids.push(...(page.items ?? []).map((p) => p.metadata.id));
      cursor = page.pagination.nextCursor;
      pages += 1;
    }
    expect(pages).toBe(4);
    // The type parameter is ignored, as upstreams.md says the upstream may do.
    expect(new Set(ids).size).toBe(demo.cadenya.count);
  });

  it('filters by case-insensitive query and by all labels', async () => {
    const byEmail = await body<CadenyaPage>(await search('?query=jamie.mueller'));
    expect(byEmail.items?.map((p) => p.spec.name)).toEqual(['Jamie Müller']);
    const labelled = await body<CadenyaPage>(
      await search(`?labels=${enc('team=platform,environment=staging')}`),
    );
    expect(labelled.items?.map((p) => p.metadata.name)).toEqual(['Riley Chen', 'CI Deploy Key']);
    expect(await body(await search('?query=nobody-at-all'))).toEqual({ pagination: {} });
  });

  it('answers 400 for a malformed label, limit or cursor', async () => {
    for (const query of ['?labels=team', '?limit=0', '?limit=abc', '?cursor=garbage']) {
      const res = await search(query);
      expect(res.status).toBe(400);
      expect((await body<{ code: number }>(res)).code).toBe(3);
    }
  });
});

describe('moltaro', () => {
  const profile = (token?: string) => call('moltaro', '/api/workspace/account/profile', token);
  const t = demo.moltaro.tokens;

  it('answers the envelope with warnings, from the header or the access_token parameter', async () => {
    const viaQuery = await fetch(
      `${sandbox.urlOf('moltaro')}/api/workspace/account/profile?access_token=${t.demo}`,
    );
    for (const res of [await profile(t.demo), viaQuery]) {
      const envelope = await body<Envelope>(res);
      expect(envelope).toMatchObject({ Success: true, Data: { UserName: 'dana.demo', UserType: 1 } });
      expect(envelope.Warnings?.[0]?.Code).toBe('PASSWORD_EXPIRES_SOON');
    }
    expect(await body(await profile(t.sparse))).toMatchObject({ Data: { Email: null }, Warnings: null });
  });

  it('refuses service accounts (403) and unknown callers (401) with problem+json', async () => {
    for (const [token, status] of [
      [t.serviceAccount, 403],
      [undefined, 401],
      ['nope', 401],
    ] as const) {
      const res = await profile(token);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await body(res)).toMatchObject({ status, instance: '/api/workspace/account/profile' });
    }
  });

  it('answers 404 as an envelope, and a failure inside a 200', async () => {
    const missing = await profile(t.notFound);
    expect(missing.status).toBe(404);
    expect(await body(missing)).toMatchObject({
      Success: false,
      Data: null,
      Errors: [{ Code: 'PROFILE_NOT_FOUND' }],
    });
    const failing = await profile(t.failing);
    expect(failing.status).toBe(200);
    expect(await body(failing)).toMatchObject({
      Success: false,
      Errors: [{ Code: 'DIRECTORY_UNAVAILABLE' }],
    });
  });
});

describe('upsun', () => {
  const exchange = (form: string, basic = 'platform-api-user:') =>
    call('upsun-auth', '/oauth2/token', undefined, {
      method: 'POST',
      body: form,
      headers: {
        authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });

  const grant = `grant_type=api_token&api_token=${demo.upsun.apiToken}`;
  const issue = async () => (await body<{ access_token: string }>(await exchange(grant))).access_token;

  it('exchanges an API token for a bearer, and refuses bad grants', async () => {
    const res = await exchange(grant);
    const token = await body<{ access_token: string }>(res);
    expect(token).toMatchObject({ expires_in: 900, token_type: 'bearer' });
    expect((await call('upsun', '/profiles', token.access_token)).status).toBe(200);
    const wrong = await exchange('grant_type=api_token&api_token=wrong');
    expect(wrong.status).toBe(401);
    expect((await body<{ error: string }>(wrong)).error).toBe('invalid_grant');
    expect((await exchange(`grant_type=password&api_token=${demo.upsun.apiToken}`)).status).toBe(400);
    expect((await exchange(grant, 'someone:else')).status).toBe(400);
    expect(
      (await call('upsun-auth', '/oauth2/token', undefined, { method: 'POST', body: grant })).status,
    ).toBe(400);
  });

  it('pages through absolute _links hrefs', async () => {
    const ids: string[] = [];
    let href: string | undefined = `${sandbox.urlOf('upsun')}/profiles`;
    let last: UpsunPage | undefined;
    while (href) {
      last = await body<UpsunPage>(
        await fetch(href, { headers: { authorization: `Bearer ${demo.upsun.accessToken}` } }),
      );
      expect(last.count).toBe(demo.upsun.count);
      ids.push(...last.profiles.map((p) => p.id));
      href = last._links.next?.href;
    }
    expect(ids).toHaveLength(demo.upsun.count);
    expect(last?._links.previous?.href).toBe(`${sandbox.url}/upsun/profiles?page=2`);
    const noTrial = await body<object>(
      await call('upsun', `/profiles/${demo.upsun.profileIds.noTrial}`, demo.upsun.accessToken),
    );
    expect('current_trial' in noTrial).toBe(false);
    const missing = await call(
      'upsun',
      '/profiles/00000000-0000-4000-8000-000000000000',
      demo.upsun.accessToken,
    );
    expect(missing.status).toBe(404);
    expect(await body(missing)).toEqual({ error: 'Profile not found' });
  });

  it('invalidates every access token on revoke until a re-exchange', async () => {
    const issued = await issue();
    sandbox.revokeUpsunTokens();
    for (const token of [issued, demo.upsun.accessToken]) {
      const res = await call('upsun', '/profiles', token);
      expect(res.status).toBe(401);
      expect(typeof (await body<{ error: unknown }>(res)).error).toBe('string');
    }
    const fresh = await issue();
    expect((await call('upsun', '/profiles', fresh)).status).toBe(200);
    sandbox.reset();
    expect((await call('upsun', '/profiles', demo.upsun.accessToken)).status).toBe(200);
  });
});

describe('faults', () => {
  const profiles = () => call('matatika', '/api/profiles', m.tokens.demo);

  it("answers an injected status in the source's own format, with extra headers", async () => {
    sandbox.inject({ source: 'cadenya', fault: { status: 503 } });
    sandbox.inject({ source: 'matatika', fault: { status: 429, headers: { 'retry-after': '7' } } });
    const cadenya = await call('cadenya', '/v1/account/profiles', demo.cadenya.tokens.admin);
    expect(cadenya.status).toBe(503);
    expect((await body<{ code: number }>(cadenya)).code).toBe(14);
    const matatika = await profiles();
    expect(matatika.status).toBe(429);
    expect(matatika.headers.get('retry-after')).toBe('7');
    expect(await body(matatika)).toMatchObject({ status: 429, error: 'Too Many Requests' });
  });

  it('applies a rule the given number of times, in injection order, until removed', async () => {
    sandbox.inject({ source: 'matatika', fault: { status: 503, times: 1 } });
    sandbox.inject({ source: 'matatika', fault: { status: 500, times: 1 } });
    const remove = sandbox.inject({
      source: 'matatika',
      method: 'get',
      path: /^\/api\/profiles$/,
      fault: { status: 502 },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await profiles()).status);
    expect(statuses).toEqual([503, 500, 502, 502]);
    remove();
    expect((await profiles()).status).toBe(200);
  });

  it('adds latency', async () => {
    sandbox.inject({ path: '/api/profiles', fault: { latencyMs: 80, times: 1 } });
    const started = performance.now();
    expect((await profiles()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('hangs until the client aborts, resets, and sends malformed JSON', async () => {
    sandbox.inject({ fault: { hang: true, times: 1 } });
    await expect(
      fetch(`${sandbox.url}/matatika/api/profiles`, { signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect(sandbox.requests.at(-1)?.status).toBe(0);
    sandbox.inject({ fault: { reset: true, times: 1 } });
    await expect(profiles()).rejects.toThrow();
    sandbox.inject({ fault: { malformed: true, times: 1 } });
    const malformed = await profiles();
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    expect((await profiles()).status).toBe(200);
  });

  it('refuses a fault that misstates the contract', () => {
    expect(() => sandbox.inject({ fault: { times: 0 } })).toThrow(/times/);
    expect(() => sandbox.inject({ fault: { hang: true, reset: true } })).toThrow(/at most one/);
  });

  it('closes with a request still hanging', async () => {
    const other = await startSandbox();
    other.inject({ fault: { hang: true } });
    const pending = fetch(`${other.url}/moltaro/api/workspace/account/profile`).catch((e: unknown) => e);
    while (other.count() === 0) await new Promise((r) => setTimeout(r, 5));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('request log', () => {
  it('records each request raw, relative to its source prefix', async () => {
    const path = `/api/profiles/${enc(m.profileIds.demo)}`;
    await send('PUT', `${path}?x=1`, m.tokens.demo, { name: 'Logged' });
    await fetch(`${sandbox.url}/nowhere/at/all`);
    const [put, stray] = sandbox.requests;
    expect(put).toMatchObject({
      source: 'matatika',
      method: 'PUT',
      path: '/api/profiles/auth0%7C6a21dc7aa1db2e036a222942',
      query: 'x=1',
      url: `/matatika${path}?x=1`,
      body: '{"name":"Logged"}',
      status: 200,
    });
    expect(put?.headers.authorization).toBe(`Bearer ${m.tokens.demo}`);
    expect(stray).toMatchObject({ source: null, path: '/nowhere/at/all', status: 404 });
    expect(sandbox.count({ source: 'matatika', method: 'PUT', path: /^\/api\/profiles\// })).toBe(1);
    expect(sandbox.totals.all).toBe(2);
    expect(sandbox.totals.bySource.matatika).toBe(1);
  });

  it('reset() restores the demo data and clears log, faults and latency', async () => {
    const path = `/api/profiles/${enc(m.profileIds.demo)}`;
    await send('PUT', path, m.tokens.demo, { name: 'Changed' });
    sandbox.inject({ fault: { status: 500 } });
    sandbox.setLatency(1000);
    sandbox.reset();
    expect(sandbox.requests).toHaveLength(0);
    expect(sandbox.totals.all).toBe(0);
    expect((await body<Profile>(await call('matatika', path, m.tokens.demo))).name).toBe(
      'sit+prod@meltano.com',
    );
  });
});
