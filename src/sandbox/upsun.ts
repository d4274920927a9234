// Upsun: user profiles (seed 004) and the OAuth2 token endpoint that turns an API token into a 900 s bearer
// (product docs, ../shared/design/upstreams.md). The profile list pages only through absolute `_links` hrefs; the `page`
// parameter behind them is the sandbox's own choice, since clients must never build it.
import { randomBytes } from 'node:crypto';
import type { SandboxState, UpsunData } from './data.js';
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

const PAGE_SIZE = 3;
const TOKEN_TTL_S = 900;
/** The fixed client the product's CLI authenticates as; its password is empty. */
const CLIENT = 'platform-api-user:';

function error(status: number, _req: SandboxRequest, message?: string): Reply {
  const headers = status === 401 ? { 'www-authenticate': 'Bearer' } : undefined;
  return json(status, { error: message ?? reasonPhrase(status) }, 'application/json', headers);
}

function listProfiles(req: SandboxRequest, data: UpsunData): Reply {
  const raw = req.query.get('page');
  if (raw !== null && !/^[1-9]\d{0,8}$/.test(raw)) return error(400, req, 'page must be a positive integer');
  const page = raw === null ? 1 : Number(raw);
  const href = (n: number) => (n === 1 ? `${req.base}/profiles` : `${req.base}/profiles?page=${n}`);
  const start = (page - 1) * PAGE_SIZE;
  const links: Record<string, { title: string; href: string }> = {
    self: { title: 'Self', href: href(page) },
  };
  if (page > 1) links.previous = { title: 'Previous page', href: href(page - 1) };
  if (start + PAGE_SIZE < data.profiles.length) links.next = { title: 'Next page', href: href(page + 1) };
  const body = {
    count: data.profiles.length,
    profiles: data.profiles.slice(start, start + PAGE_SIZE),
    _links: links,
  };
  return json(200, body);
}

function getProfile(req: SandboxRequest, data: UpsunData, [id = '']: readonly string[]): Reply {
  const profile = data.profiles.find((p) => p.id === id);
  return profile ? json(200, profile) : error(404, req, 'Profile not found');
}

const route = createRouter<UpsunData>(
  { '/profiles': { GET: listProfiles }, '/profiles/:id': { GET: getProfile } },
  error,
);

export const upsun: SourceApi = {
  handle(req: SandboxRequest, state: SandboxState): Reply {
    const token = bearerToken(req.headers);
    if (token === undefined) return error(401, req, 'Missing bearer token');
    const expiresAt = lookup(state.upsun.accessTokens, token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return error(401, req, 'Invalid or expired access token');
    }
    return route(req, state.upsun);
  },
  error,
};

// ---- the auth server ----

/** OAuth2 error codes (RFC 6749 §5.2) for statuses the token endpoint answers or a fault injects. */
const OAUTH_ERRORS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'invalid_client',
  403: 'access_denied',
  404: 'not_found',
  405: 'invalid_request',
  429: 'slow_down',
  503: 'temporarily_unavailable',
};

function oauthError(status: number, code: string, description: string): Reply {
  return json(status, { error: code, error_description: description }, 'application/json', {
    'cache-control': 'no-store',
  });
}

function authError(status: number, _req: SandboxRequest, message?: string): Reply {
  const code = OAUTH_ERRORS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request');
  return oauthError(status, code, message ?? reasonPhrase(status));
}

function exchange(req: SandboxRequest, data: UpsunData): Reply {
  const basic = /^basic +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic === undefined || Buffer.from(basic, 'base64').toString('utf8') !== CLIENT) {
    return oauthError(
      400,
      'invalid_client',
      'Client authentication must be basic auth as platform-api-user:',
    );
  }
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(req.body);
  const grant = form.get('grant_type');
  if (grant === null) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grant !== 'api_token') {
    return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type ${grant}`);
  }
  const apiToken = form.get('api_token');
  if (!apiToken) return oauthError(400, 'invalid_request', 'api_token is required');
  if (!data.apiTokens.includes(apiToken)) {
    return oauthError(401, 'invalid_grant', 'The API token is invalid or has been revoked');
  }
  const now = Date.now();
  // Forget expired tokens here, the only place tokens are added, so a long benchmark cannot grow the table.
  for (const [token, expiresAt] of Object.entries(data.accessTokens)) {
    if (expiresAt <= now) delete data.accessTokens[token];
  }
  const accessToken = randomBytes(24).toString('base64url');
  data.accessTokens[accessToken] = now + TOKEN_TTL_S * 1000;
  const body = { access_token: accessToken, expires_in: TOKEN_TTL_S, token_type: 'bearer' };
  return json(200, body, 'application/json', { 'cache-control': 'no-store' });
}

const authRoute = createRouter<UpsunData>({ '/oauth2/token': { POST: exchange } }, authError);

export const upsunAuth: SourceApi = {
  handle: (req: SandboxRequest, state: SandboxState): Reply => authRoute(req, state.upsun),
  error: authError,
};
