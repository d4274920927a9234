// What every source module of the sandbox shares: the request it is handed, the reply it returns, and a
// tiny router. Kept free of node:http objects so a source handler is a pure function of (request, state).
import { type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import type { SandboxState } from './data.js';

export interface SandboxRequest {
  readonly method: string;
  /** Raw path relative to the source prefix, still percent-encoded, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Origin plus source prefix, e.g. `http://127.0.0.1:4010/matatika`: the base of every href emitted. */
  readonly base: string;
  readonly origin: string;
}

export interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** One upstream API: its routes, and its own error body format (also used for injected fault statuses). */
export interface SourceApi {
  handle(req: SandboxRequest, state: SandboxState): Reply;
  error(status: number, req: SandboxRequest, message?: string): Reply;
}

export function json(
  status: number,
  value: unknown,
  contentType = 'application/json',
  headers?: Record<string, string>,
): Reply {
  const reply: Reply = { status, body: JSON.stringify(value), contentType };
  if (headers) reply.headers = headers;
  return reply;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 6750). */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  if (value === undefined) return undefined;
  const match = /^bearer +(\S+) *$/i.exec(value);
  return match?.[1];
}

/** Percent-encodes an id as one path segment, the way the real APIs render `auth0|…` as `auth0%7C…`. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

export type Handler<C> = (req: SandboxRequest, ctx: C, params: readonly string[]) => Reply;
export type Routes<C> = Readonly<Record<string, Readonly<Partial<Record<string, Handler<C>>>>>>;

interface CompiledRoute<C> {
  parts: readonly string[];
  methods: Readonly<Partial<Record<string, Handler<C>>>>;
  allow: string;
}

/**
 * Builds a router from patterns such as `/api/profiles/:id`. A `:param` matches one non-empty segment and
 * is percent-decoded exactly once, so `auth0%7Cx` and a raw `auth0|x` both arrive as `auth0|x`. A path
 * that matches no pattern is a 404, a known path with another method a 405 with `Allow`, an undecodable
 * segment a 400: all in the source's own error format. `ctx` is whatever the source resolved before routing.
 */
export function createRouter<C>(
  routes: Routes<C>,
  error: SourceApi['error'],
): (req: SandboxRequest, ctx: C) => Reply {
  const compiled: CompiledRoute<C>[] = Object.entries(routes).map(([pattern, methods]) => ({
    parts: pattern.split('/').slice(1),
    methods,
    allow: Object.keys(methods).join(', '),
  }));
  return (req, ctx) => {
    const segments = req.path.split('/').slice(1);
    for (const route of compiled) {
      const params = matchRoute(route.parts, segments);
      if (params === undefined) continue;
      if (params === null) return error(400, req, 'Malformed percent-encoding in the request path');
      const handler = route.methods[req.method];
      if (handler) return handler(req, ctx, params);
      const reply = error(405, req, `Request method '${req.method}' is not supported`);
      reply.headers = { ...reply.headers, allow: route.allow };
      return reply;
    }
    return error(404, req, 'No endpoint here');
  };
}

/** `record[key]` for own keys only, so an id such as `__proto__` or `constructor` finds nothing. */
export function lookup<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A request body parsed as a JSON object, or undefined when it is not one. */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The decoded params when `segments` match, undefined when they don't, null when a param won't decode. */
function matchRoute(parts: readonly string[], segments: readonly string[]): string[] | undefined | null {
  if (parts.length !== segments.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const seg = segments[i] as string;
    if (part.startsWith(':')) {
      if (seg === '') return undefined;
      try {
        params.push(decodeURIComponent(seg));
      } catch {
        return null;
      }
    } else if (part !== seg) {
      return undefined;
    }
  }
  return params;
}
