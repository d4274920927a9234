// The sandbox honours the matatika OpenAPI contract (schema/upstream/matatika.openapi.yaml): every
// endpoint, once on its happy path and once on an error path, answers a status the contract declares for
// that operation and a body that validates against the contract's schema for that status. The benchmark's
// Mesh peer is composed from the same contract, so a drift here would also make that comparison unfair.
//
// The check is strict where the contract is open: an object schema without `additionalProperties` gets
// `additionalProperties: false` here, so the sandbox cannot send a field the contract does not name.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demo, type Sandbox, startSandbox } from '../../src/sandbox/index.js';

type Json = Record<string, unknown>;
type Method = 'get' | 'put' | 'patch';

const contract = parse(
  readFileSync(new URL('../../schema/upstream/matatika.openapi.yaml', import.meta.url), 'utf8'),
) as { paths: Record<string, Record<string, Json>>; components: Json };

// ajv-formats is CommonJS with a default export; under NodeNext its plugin is `.default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** Deep copy with `additionalProperties: false` on every object schema that lists properties and says nothing else. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'properties' ? closedProperties(v as Json) : closed(v);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}
function closedProperties(props: Json): Json {
  return Object.fromEntries(Object.entries(props).map(([name, schema]) => [name, closed(schema)]));
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'matatika', components: closed(contract.components) });

const validators = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let v = validators.get(ref);
  if (!v) {
    const found = ajv.getSchema(`matatika${ref}`);
    if (!found) throw new Error(`the contract has no schema at ${ref}`);
    v = found;
    validators.set(ref, v);
  }
  return v;
}

/** The contract's operation for a concrete path like /api/workspaces/{workspaceId}/members. */
function operation(template: string, method: Method): Json {
  const op = contract.paths[template]?.[method];
  if (!op) throw new Error(`the contract has no ${method.toUpperCase()} ${template}`);
  return op;
}

/** The `$ref` of the response body schema the contract declares for this operation and status. */
function responseSchemaRef(template: string, method: Method, status: number): string {
  const responses = operation(template, method).responses as Record<string, Json>;
  let response = responses[String(status)];
  if (!response) {
    throw new Error(
      `${method.toUpperCase()} ${template} answered ${status}, which the contract does not declare (${Object.keys(responses).join(', ')})`,
    );
  }
  if (typeof response.$ref === 'string') {
    const name = response.$ref.replace('#/components/responses/', '');
    response = (contract.components.responses as Record<string, Json>)[name] as Json;
  }
  const content = response.content as Record<string, { schema: { $ref: string } }>;
  const media = Object.values(content)[0];
  if (!media) throw new Error(`${method.toUpperCase()} ${template} ${status} declares no body`);
  return media.schema.$ref;
}

let sandbox: Sandbox;
let base: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  base = sandbox.urlOf('matatika');
});

afterAll(async () => {
  await sandbox?.close();
});

const m = demo.matatika;
const enc = encodeURIComponent;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Case {
  name: string;
  method: Method;
  template: string;
  path: () => string;
  headers?: Record<string, string>;
  body?: unknown;
  status: number;
  /** Further facts about the body that the schema cannot state. */
  check?: (body: Json) => void;
}

const me = m.profileIds.demo;
const large = m.workspaceIds.large;

const cases: Case[] = [
  {
    name: 'lists the profiles of the caller account',
    method: 'get',
    template: '/api/profiles',
    path: () => '/api/profiles',
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) => expect((b._embedded as { profiles: unknown[] }).profiles.length).toBeGreaterThan(1),
  },
  {
    name: 'refuses the profile list without a credential',
    method: 'get',
    template: '/api/profiles',
    path: () => '/api/profiles',
    status: 401,
  },
  {
    name: 'reads one profile',
    method: 'get',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(me)}`,
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) => expect(b.id).toBe(me),
  },
  {
    name: 'answers 404 for a profile outside the caller account',
    method: 'get',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(m.profileIds.otherAccount)}`,
    headers: bearer(m.tokens.demo),
    status: 404,
  },
  {
    name: 'updates the caller own profile with PUT',
    method: 'put',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(me)}`,
    headers: bearer(m.tokens.demo),
    body: { name: 'sit+prod@meltano.com', phone: '52432053169', email: 'sit+prod@meltano.com' },
    status: 200,
    check: (b) => expect(b.phone).toBe('52432053169'),
  },
  {
    name: 'creates a profile with PUT (201)',
    method: 'put',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(m.profileIds.newcomer)}`,
    headers: bearer(m.tokens.newcomer),
    body: { name: 'SIT-Generated Profile', phone: '52432053169', email: 'sit+7tjahxgk@meltano.com' },
    status: 201,
    check: (b) => expect(String(b.handle)).toMatch(/^@/),
  },
  {
    name: "refuses a PUT to another subject's profile",
    method: 'put',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(m.profileIds.other)}`,
    headers: bearer(m.tokens.demo),
    body: { name: 'nope' },
    status: 403,
  },
  {
    name: 'sets the default workspace with PATCH',
    method: 'patch',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(me)}`,
    headers: bearer(m.tokens.demo),
    body: { defaultWorkspace: { id: large } },
    status: 200,
    check: (b) => expect((b.defaultWorkspace as Json).id).toBe(large),
  },
  {
    name: 'refuses a default workspace the caller is not a member of',
    method: 'patch',
    template: '/api/profiles/{profileId}',
    path: () => `/api/profiles/${enc(me)}`,
    headers: bearer(m.tokens.demo),
    body: { defaultWorkspace: { id: m.workspaceIds.forbidden } },
    status: 403,
  },
  {
    name: 'lists the caller workspaces one page at a time',
    method: 'get',
    template: '/api/workspaces',
    path: () => '/api/workspaces?page=0&size=2',
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) => {
      expect((b._embedded as { workspaces: unknown[] }).workspaces).toHaveLength(2);
      expect(b.page).toMatchObject({ size: 2, number: 0, totalElements: m.counts.demoWorkspaces });
    },
  },
  {
    name: 'refuses a negative page',
    method: 'get',
    template: '/api/workspaces',
    path: () => '/api/workspaces?page=-1',
    headers: bearer(m.tokens.demo),
    status: 400,
  },
  {
    name: 'reads one workspace',
    method: 'get',
    template: '/api/workspaces/{workspaceId}',
    path: () => `/api/workspaces/${large}`,
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) => expect(b.id).toBe(large),
  },
  {
    name: 'refuses a workspace the caller is not a member of',
    method: 'get',
    template: '/api/workspaces/{workspaceId}',
    path: () => `/api/workspaces/${m.workspaceIds.forbidden}`,
    headers: bearer(m.tokens.demo),
    status: 403,
  },
  {
    name: 'lists the members of a workspace',
    method: 'get',
    template: '/api/workspaces/{workspaceId}/members',
    path: () => `/api/workspaces/${large}/members`,
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) =>
      expect((b._embedded as { members: unknown[] }).members).toHaveLength(m.counts.largeWorkspaceMembers),
  },
  {
    name: 'answers 404 for the members of a workspace that does not exist',
    method: 'get',
    template: '/api/workspaces/{workspaceId}/members',
    path: () => '/api/workspaces/00000000-0000-4000-8000-000000000000/members',
    headers: bearer(m.tokens.demo),
    status: 404,
  },
  {
    name: 'reads one member of a workspace',
    method: 'get',
    template: '/api/workspaces/{workspaceId}/members/{memberId}',
    path: () => `/api/workspaces/${large}/members/${enc(me)}`,
    headers: bearer(m.tokens.demo),
    status: 200,
    check: (b) => expect(b.id).toBe(me),
  },
  {
    name: 'answers 404 for a profile that is not a member',
    method: 'get',
    template: '/api/workspaces/{workspaceId}/members/{memberId}',
    path: () => `/api/workspaces/${large}/members/${enc(m.profileIds.outsider)}`,
    headers: bearer(m.tokens.demo),
    status: 404,
  },
];

describe('the sandbox honours the matatika OpenAPI contract', () => {
  it('has a case for every operation the contract declares', () => {
    const declared = Object.entries(contract.paths).flatMap(([template, ops]) =>
      Object.keys(ops)
        .filter((k) => ['get', 'put', 'patch', 'post', 'delete'].includes(k))
        .map((method) => `${method} ${template}`),
    );
    const covered = new Set(cases.map((c) => `${c.method} ${c.template}`));
    expect(declared.filter((d) => !covered.has(d))).toEqual([]);
    expect(declared).toHaveLength(8);
  });

  it.each(cases)('$method $template $status: $name', async (c) => {
    const res = await fetch(`${base}${c.path()}`, {
      method: c.method.toUpperCase(),
      headers: { ...(c.body === undefined ? {} : { 'content-type': 'application/json' }), ...c.headers },
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    expect(res.headers.get('content-type') ?? '').toMatch(/json/);
    const body = JSON.parse(text) as Json;
    const validate = validatorFor(responseSchemaRef(c.template, c.method, res.status));
    const valid = validate(body);
    expect(
      valid ? [] : validate.errors,
      `${c.method.toUpperCase()} ${c.path()} -> ${text.slice(0, 400)}`,
    ).toEqual([]);
    c.check?.(body);
  });
});
