// Moltaro: the caller's own workspace account profile (seed 002, ../shared/design/upstreams.md). An ASP.NET-style API: data
// and 404s come in the {Data, Errors, Warnings, Success} envelope, auth failures as RFC 9457 problem+json,
// and a 200 may still carry Success: false.
import type { MoltaroData, SandboxState } from './data.js';
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

/** The RFC 9110 sections ASP.NET Core links a problem's `type` to. */
const SECTIONS: Readonly<Record<number, string>> = {
  400: '15.5.1',
  401: '15.5.2',
  403: '15.5.4',
  404: '15.5.5',
  405: '15.5.6',
  409: '15.5.10',
  500: '15.6.1',
  502: '15.6.3',
  503: '15.6.4',
  504: '15.6.5',
};

function problem(status: number, req: SandboxRequest, detail?: string): Reply {
  const section = SECTIONS[status];
  const body = {
    type: section ? `https://tools.ietf.org/html/rfc9110#section-${section}` : 'about:blank',
    title: reasonPhrase(status),
    status,
    detail: detail ?? null,
    instance: req.path,
  };
  const headers = status === 401 ? { 'www-authenticate': 'Bearer' } : undefined;
  return json(status, body, 'application/problem+json', headers);
}

/** A 404 is the endpoint's own envelope; every other error is a problem document. */
function error(status: number, req: SandboxRequest, message?: string): Reply {
  if (status !== 404) return problem(status, req, message);
  const notice = {
    Code: 'NOT_FOUND',
    Message: message ?? 'Not Found',
    Target: null,
    Field: null,
    Metadata: null,
    Type: 0,
    Severity: 2,
  };
  return json(404, { Data: null, Errors: [notice], Warnings: null, Success: false });
}

function getProfile(req: SandboxRequest, data: MoltaroData): Reply {
  // The query parameter exists for clients that cannot set headers; the header wins when both are sent.
  const token = bearerToken(req.headers) ?? (req.query.get('access_token') || undefined);
  const principal = token === undefined ? undefined : lookup(data.principals, token);
  if (!principal) {
    return problem(401, req, 'A valid bearer token or access_token query parameter is required.');
  }
  switch (principal.kind) {
    case 'serviceAccount':
      return problem(403, req, 'Service accounts cannot access this endpoint via API keys.');
    case 'missing':
      return json(404, principal.envelope);
    case 'user':
      return json(200, principal.envelope);
  }
}

const route = createRouter<MoltaroData>({ '/api/workspace/account/profile': { GET: getProfile } }, error);

export const moltaro: SourceApi = {
  handle: (req: SandboxRequest, state: SandboxState): Reply => route(req, state.moltaro),
  error,
};
