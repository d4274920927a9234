// Meltano Cloud (Matatika): HAL+JSON profiles, workspaces and members (seeds 000 and 001, ../shared/design/upstreams.md).
// Spring-flavoured: authentication is checked before routing (a security filter), absent fields are left out
// rather than null (Jackson NON_NULL), a non-UUID workspace id is a 400 (a failed UUID path conversion).
import type { SandboxState } from './data.js';
import {
  handleFor,
  type MatatikaData,
  type MatatikaProfile,
  type MatatikaWorkspace,
} from './fixtures/matatika.js';
import {
  bearerToken,
  createRouter,
  json,
  jsonObject,
  lookup,
  type Reply,
  reasonPhrase,
  type SandboxRequest,
  type SourceApi,
  segment,
} from './http.js';

const HAL = 'application/hal+json';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_SIZE = 20;
const MAX_SIZE = 100;

interface Ctx {
  data: MatatikaData;
  subject: string;
}

interface FieldError {
  field: string;
  rejectedValue: unknown;
  defaultMessage: string;
}

function error(status: number, req: SandboxRequest, message?: string, errors: FieldError[] = []): Reply {
  const body = {
    timestamp: new Date().toISOString(),
    status,
    error: reasonPhrase(status),
    errors,
    message: message ?? reasonPhrase(status),
    path: req.path,
  };
  return json(
    status,
    body,
    'application/json',
    status === 401 ? { 'www-authenticate': 'Bearer' } : undefined,
  );
}

// ---- rendering ----

function profileBody(p: MatatikaProfile, data: MatatikaData, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id };
  if (p.name !== undefined) out.name = p.name;
  if (p.handle !== undefined) out.handle = p.handle;
  if (p.phone !== undefined) out.phone = p.phone;
  if (p.email !== undefined) out.email = p.email;
  const ws = p.defaultWorkspaceId === undefined ? undefined : findWorkspace(data, p.defaultWorkspaceId);
  if (ws) out.defaultWorkspace = { name: ws.name, id: ws.id };
  const company = lookup(data.accounts, p.accountId)?.company;
  out.workingAccount = company === undefined ? { id: p.accountId } : { company, id: p.accountId };
  // The seed's `self` really is the collection, not the profile; `update edit profile` is the profile.
  out._links = {
    self: { href: `${base}/api/profiles` },
    'update edit profile': { href: `${base}/api/profiles/${segment(p.id)}` },
    workspaces: { href: `${base}/api/workspaces` },
    'new workspace': { href: `${base}/api/workspaces` },
  };
  return out;
}

function workspaceBody(ws: MatatikaWorkspace, ctx: Ctx, base: string): Record<string, unknown> {
  const { ownerId: _owner, memberIds: _members, ...fields } = ws;
  const self = `${base}/api/workspaces/${ws.id}`;
  return {
    ...fields,
    defaultWorkspace: lookup(ctx.data.profiles, ctx.subject)?.defaultWorkspaceId === ws.id,
    _links: { self: { href: self }, members: { href: `${self}/members` } },
  };
}

function memberBody(
  id: string,
  ws: MatatikaWorkspace,
  data: MatatikaData,
  base: string,
): Record<string, unknown> {
  // Members derive from the current profile, so a renamed profile shows its new name here at once.
  const p = lookup(data.profiles, id);
  const out: Record<string, unknown> = { id };
  if (p?.name !== undefined) out.name = p.name;
  if (p?.handle !== undefined) out.handle = p.handle;
  out._links = { self: { href: `${base}/api/workspaces/${ws.id}/members/${segment(id)}` } };
  return out;
}

// ---- rules ----

function findWorkspace(data: MatatikaData, id: string): MatatikaWorkspace | undefined {
  const wanted = id.toLowerCase();
  return data.workspaces.find((ws) => ws.id === wanted);
}

function isMember(ws: MatatikaWorkspace, subject: string): boolean {
  return ws.ownerId === subject || ws.memberIds.includes(subject);
}

/** The workspace the caller may read, or the error reply: 400 not a UUID, 404 none, 403 not a member. */
function readableWorkspace(req: SandboxRequest, ctx: Ctx, id: string): MatatikaWorkspace | Reply {
  if (!UUID.test(id)) return error(400, req, `Invalid UUID string: ${id}`);
  const ws = findWorkspace(ctx.data, id);
  if (!ws) return error(404, req, `Workspace ${id} not found`);
  if (!isMember(ws, ctx.subject)) return error(403, req, `The user must be a member of the workspace ${id}`);
  return ws;
}

// A workspace has a `status` too, so tell them apart by a field only a reply has.
const isReply = (value: MatatikaWorkspace | Reply): value is Reply => 'contentType' in value;

/** A query parameter as a non-negative integer; `fallback` when absent or empty, undefined when invalid. */
function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

// ---- handlers ----

function listProfiles(req: SandboxRequest, { data, subject }: Ctx): Reply {
  const me = lookup(data.profiles, subject);
  // A subject with no profile yet (the newcomer) belongs to no account, so it sees an empty collection.
  const profiles = me ? Object.values(data.profiles).filter((p) => p.accountId === me.accountId) : [];
  const body = {
    _embedded: { profiles: profiles.map((p) => profileBody(p, data, req.base)) },
    _links: { self: { href: `${req.base}/api/profiles` } },
  };
  return json(200, body, HAL);
}

function getProfile(req: SandboxRequest, { data, subject }: Ctx, [id = '']: readonly string[]): Reply {
  const me = lookup(data.profiles, subject);
  const p = lookup(data.profiles, id);
  if (!me || !p || p.accountId !== me.accountId) return error(404, req, `Profile ${id} not found`);
  return json(200, profileBody(p, data, req.base), HAL);
}

const EDITABLE = ['name', 'phone', 'email'] as const;

function putProfile(req: SandboxRequest, { data, subject }: Ctx, [id = '']: readonly string[]): Reply {
  if (subject !== id) return error(403, req, 'The authentication subject must match the profile ID');
  const body = jsonObject(req.body);
  if (!body) return error(400, req, 'The request body must be a JSON object');
  const wrong = EDITABLE.filter(
    (f) => body[f] !== undefined && body[f] !== null && typeof body[f] !== 'string',
  );
  if (wrong.length > 0) {
    const errors = wrong.map((field) => ({
      field,
      rejectedValue: body[field],
      defaultMessage: 'must be a string',
    }));
    return error(400, req, `Validation failed for profile: ${wrong.join(', ')}`, errors);
  }
  const existing = lookup(data.profiles, id);
  const previousName = existing?.name;
  const p: MatatikaProfile = existing ?? { id, accountId: id };
  // PUT merges: a field absent from the body keeps its value, null clears it. `handle` (and `id`) in the body
  // are read-only and ignored; the handle follows the name.
  for (const field of EDITABLE) {
    const value = body[field];
    if (value === null) delete p[field];
    else if (typeof value === 'string') p[field] = value;
  }
  if (typeof body.name === 'string' && (body.name !== previousName || p.handle === undefined)) {
    const taken = (h: string) => Object.values(data.profiles).some((o) => o.handle === h && o.id !== id);
    const handle = handleFor(body.name, taken);
    if (handle !== undefined) p.handle = handle;
  }
  if (!existing) {
    data.profiles[id] = p;
    data.accounts[id] = {};
    const href = `${req.base}/api/profiles/${segment(id)}`;
    return json(201, profileBody(p, data, req.base), HAL, { location: href });
  }
  return json(200, profileBody(p, data, req.base), HAL);
}

function patchProfile(req: SandboxRequest, ctx: Ctx, [id = '']: readonly string[]): Reply {
  const { data, subject } = ctx;
  if (subject !== id) return error(403, req, 'The authentication subject must match the profile ID');
  const p = lookup(data.profiles, id);
  if (!p) return error(404, req, `Profile ${id} not found`);
  const target = jsonObject(req.body)?.defaultWorkspace;
  const wsId = typeof target === 'object' && target !== null ? (target as { id?: unknown }).id : undefined;
  if (typeof wsId !== 'string') {
    return error(400, req, 'The request body must be {"defaultWorkspace": {"id": "<workspace id>"}}');
  }
  const ws = readableWorkspace(req, ctx, wsId);
  if (isReply(ws)) return ws;
  p.defaultWorkspaceId = ws.id;
  return json(200, profileBody(p, data, req.base), HAL);
}

function listWorkspaces(req: SandboxRequest, ctx: Ctx): Reply {
  const page = intParam(req.query, 'page', 0);
  const requested = intParam(req.query, 'size', DEFAULT_SIZE);
  if (page === undefined || requested === undefined || requested < 1) {
    return error(400, req, 'page must be an integer >= 0 and size an integer >= 1');
  }
  // Spring Data clamps an oversized page size instead of refusing it.
  const size = Math.min(requested, MAX_SIZE);
  const mine = ctx.data.workspaces.filter((ws) => isMember(ws, ctx.subject));
  const totalPages = Math.ceil(mine.length / size);
  const href = (n: number) => ({ href: `${req.base}/api/workspaces?page=${n}&size=${size}` });
  // Link relations as Spring HATEOAS' PagedResourcesAssembler renders them.
  const navigable = page > 0 || page + 1 < totalPages;
  const links: Record<string, { href: string }> = {};
  if (navigable) links.first = href(0);
  if (page > 0) links.prev = href(page - 1);
  links.self = href(page);
  if (page + 1 < totalPages) links.next = href(page + 1);
  if (navigable) links.last = href(Math.max(totalPages - 1, 0));
  const body = {
    _embedded: {
      workspaces: mine.slice(page * size, page * size + size).map((ws) => workspaceBody(ws, ctx, req.base)),
    },
    _links: links,
    page: { size, totalElements: mine.length, totalPages, number: page },
  };
  return json(200, body, HAL);
}

function getWorkspace(req: SandboxRequest, ctx: Ctx, [id = '']: readonly string[]): Reply {
  const ws = readableWorkspace(req, ctx, id);
  return isReply(ws) ? ws : json(200, workspaceBody(ws, ctx, req.base), HAL);
}

function listMembers(req: SandboxRequest, ctx: Ctx, [id = '']: readonly string[]): Reply {
  const ws = readableWorkspace(req, ctx, id);
  if (isReply(ws)) return ws;
  const body = {
    _embedded: { members: ws.memberIds.map((m) => memberBody(m, ws, ctx.data, req.base)) },
    _links: { self: { href: `${req.base}/api/workspaces/${ws.id}/members` } },
  };
  return json(200, body, HAL);
}

function getMember(req: SandboxRequest, ctx: Ctx, [id = '', memberId = '']: readonly string[]): Reply {
  const ws = readableWorkspace(req, ctx, id);
  if (isReply(ws)) return ws;
  if (!ws.memberIds.includes(memberId)) {
    return error(404, req, `Member ${memberId} not found in workspace ${id}`);
  }
  return json(200, memberBody(memberId, ws, ctx.data, req.base), HAL);
}

const route = createRouter<Ctx>(
  {
    '/api/profiles': { GET: listProfiles },
    '/api/profiles/:id': { GET: getProfile, PUT: putProfile, PATCH: patchProfile },
    '/api/workspaces': { GET: listWorkspaces },
    '/api/workspaces/:id': { GET: getWorkspace },
    '/api/workspaces/:id/members': { GET: listMembers },
    '/api/workspaces/:id/members/:memberId': { GET: getMember },
  },
  error,
);

export const matatika: SourceApi = {
  handle(req: SandboxRequest, state: SandboxState): Reply {
    const token = bearerToken(req.headers);
    if (token === undefined) {
      return error(401, req, 'Full authentication is required to access this resource');
    }
    const subject = lookup(state.matatika.tokens, token);
    if (subject === undefined) return error(401, req, 'Invalid bearer token');
    return route(req, { data: state.matatika, subject });
  },
  error,
};
