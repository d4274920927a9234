// Cadenya: account profile search (seed 003, ../shared/design/upstreams.md). Modelled as a gRPC-gateway service: errors are
// google.rpc.Status, routing happens before the auth interceptor, and responses are proto3 JSON, which leaves
// out empty fields: no `items` when nothing matches, no `nextCursor` on the last page, no `total` when zero.
import type { CadenyaData, CadenyaProfile, SandboxState } from './data.js';
import {
  bearerToken,
  createRouter,
  json,
  lookup,
  type Reply,
  reasonPhrase,
  type SandboxRequest,
  type SourceApi,
} from './http.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

/** HTTP status -> google.rpc.Code, as grpc-gateway maps them back. */
const GRPC_CODES: Readonly<Record<number, readonly [number, string]>> = {
  400: [3, 'INVALID_ARGUMENT'],
  401: [16, 'UNAUTHENTICATED'],
  403: [7, 'PERMISSION_DENIED'],
  404: [5, 'NOT_FOUND'],
  405: [12, 'UNIMPLEMENTED'],
  409: [6, 'ALREADY_EXISTS'],
  429: [8, 'RESOURCE_EXHAUSTED'],
  500: [13, 'INTERNAL'],
  501: [12, 'UNIMPLEMENTED'],
  503: [14, 'UNAVAILABLE'],
  504: [4, 'DEADLINE_EXCEEDED'],
};

function error(status: number, _req: SandboxRequest, message?: string): Reply {
  const [code, name] = GRPC_CODES[status] ?? [2, 'UNKNOWN'];
  const body = { code, message: `${name}: ${message ?? reasonPhrase(status).toLowerCase()}`, details: [] };
  // Rate limiting tells the client when to come back, which the gateway surfaces as retryAfter.
  return json(status, body, 'application/json', status === 429 ? { 'retry-after': '1' } : undefined);
}

/** `k=v,k=v` (also as repeated parameters) as sorted pairs; undefined when a pair is malformed. */
function parseLabels(values: readonly string[]): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const item of values.join(',').split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 1) return undefined;
    pairs.push([trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim()]);
  }
  return pairs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

interface Cursor {
  /** Offset of the next page in the filtered list. */
  o: number;
  /** The filters the cursor was issued for: reusing it with others is an INVALID_ARGUMENT (AIP-158). */
  f: string;
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(raw: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const { o, f } = (value ?? {}) as Partial<Cursor>;
    return Number.isSafeInteger(o) && (o as number) >= 0 && typeof f === 'string'
      ? { o: o as number, f }
      : undefined;
  } catch {
    return undefined;
  }
}

function matches(p: CadenyaProfile, query: string, labels: readonly [string, string][]): boolean {
  if (query !== '') {
    const haystacks = [p.metadata.name, p.spec.name ?? '', p.spec.email ?? ''];
    if (!haystacks.some((h) => h.toLowerCase().includes(query))) return false;
  }
  const own = p.metadata.labels ?? {};
  return labels.every(([k, v]) => lookup(own, k) === v);
}

function searchProfiles(req: SandboxRequest, data: CadenyaData): Reply {
  const token = bearerToken(req.headers);
  const key = token === undefined ? undefined : lookup(data.keys, token);
  if (!key) return error(401, req, token === undefined ? 'missing API key' : 'invalid API key');
  if (!key.admin) return error(403, req, 'admin role required');

  const rawLimit = req.query.get('limit');
  if (rawLimit !== null && rawLimit !== '' && !/^[1-9]\d{0,8}$/.test(rawLimit)) {
    return error(400, req, 'limit must be a positive integer');
  }
  const limit = rawLimit ? Math.min(Number(rawLimit), MAX_LIMIT) : DEFAULT_LIMIT;
  const query = (req.query.get('query') ?? '').trim().toLowerCase();
  const labels = parseLabels(req.query.getAll('labels'));
  if (!labels) return error(400, req, 'labels must be comma-separated key=value pairs');
  // The `type` parameter is deliberately ignored: the seed names none, so the gateway filters by type itself.
  const filters = JSON.stringify([query, labels]);

  let offset = 0;
  const rawCursor = req.query.get('cursor');
  if (rawCursor) {
    const cursor = decodeCursor(rawCursor);
    if (!cursor) return error(400, req, 'invalid cursor');
    if (cursor.f !== filters) return error(400, req, 'cursor was issued for another query or labels');
    offset = cursor.o;
  }

  const found = data.profiles.filter((p) => matches(p, query, labels));
  const items = found.slice(offset, offset + limit);
  const pagination: { nextCursor?: string; total?: number } = {};
  if (offset + limit < found.length) pagination.nextCursor = encodeCursor({ o: offset + limit, f: filters });
  if (found.length > 0) pagination.total = found.length;
  return json(200, items.length > 0 ? { items, pagination } : { pagination });
}

const route = createRouter<CadenyaData>({ '/v1/account/profiles': { GET: searchProfiles } }, error);

export const cadenya: SourceApi = {
  handle: (req: SandboxRequest, state: SandboxState): Reply => route(req, state.cadenya),
  error,
};
