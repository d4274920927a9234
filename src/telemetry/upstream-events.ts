import { subscribe } from 'node:diagnostics_channel';
import type { UpstreamTarget } from '../sources/index.js';
import { bound, type Metrics } from './metrics.js';

interface Watched extends UpstreamTarget {
  metrics: Metrics;
  prefix: string;
  templates: string[][];
  /** The duration histogram's child per method, route and status, bound once (no label lookup per call). */
  children: Map<string, ReturnType<Metrics['upstreamDuration']['labels']>>;
}

type Described = { target: Watched; route: string; template: string | null };

/** The fields of undici's request object that its diagnostics messages carry and these handlers read. */
export interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
}

const watched = new Set<Watched>();
const inFlight = new WeakMap<UndiciRequest, { target: Watched; route: string; started: number }>();
/** describe()'s answers by origin and path; paths hold ids, so it is bounded and cleared when full. */
const described = new Map<string, Described | null>();
const MAX_DESCRIBED = 1024;
let subscribed = false;

/**
 * Counts every upstream call with undici's own diagnostics channels, so the HTTP layer needs no
 * timing code: `undici:request:create` starts the clock, `headers` or `error` stops it. Calls go to the
 * metrics of the gateway whose request made them (or, for a call undici dispatched after it waited for
 * a free connection, outside that request's async context, of a gateway that has that upstream).
 * Returns a function that stops counting for this gateway.
 */
export function watchUpstreams(metrics: Metrics, targets: readonly UpstreamTarget[]): () => void {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:request:create', (message) =>
      onCreate((message as { request: UndiciRequest }).request),
    );
    subscribe('undici:request:headers', (message) => {
      const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
      onDone(request, String(response.statusCode));
    });
    subscribe('undici:request:error', (message) =>
      onDone((message as { request: UndiciRequest }).request, 'error'),
    );
  }
  const mine = targets.map((t) => ({
    ...t,
    metrics,
    prefix: t.url.pathname.replace(/\/+$/, ''),
    templates: t.routes.map((r) => r.split('/').slice(1)),
    children: new Map(),
  }));
  for (const t of mine) watched.add(t);
  described.clear();
  return () => {
    for (const t of mine) watched.delete(t);
    described.clear();
  };
}

function onCreate(request: UndiciRequest) {
  const found = describe(request);
  if (found) inFlight.set(request, { target: found.target, route: found.route, started: performance.now() });
}

/** Which watched upstream a request goes to, and the route template of its path; null for any other. */
export function describe(request: UndiciRequest): Described | null {
  const origin = typeof request.origin === 'string' ? request.origin : request.origin.origin;
  const query = request.path.indexOf('?');
  const path = query === -1 ? request.path : request.path.slice(0, query);
  const key = `${origin} ${path}`;
  let found = described.get(key);
  if (found === undefined) {
    found = describeAfresh(origin, path);
    if (described.size >= MAX_DESCRIBED) described.clear();
    described.set(key, found);
  }
  return found;
}

function describeAfresh(origin: string, path: string): Described | null {
  let found: Watched | undefined;
  for (const t of watched) {
    if (t.url.origin !== origin || !(path === t.prefix || path.startsWith(`${t.prefix}/`))) continue;
    if (found && found.prefix.length > t.prefix.length) continue;
    found = t;
  }
  if (!found) return null;
  const route = routeOf(found.templates, path.slice(found.prefix.length));
  // The metrics label is the route below the base URL; a span's url.template is the whole path's.
  return { target: found, route, template: route === 'other' ? null : found.prefix + route };
}

function onDone(request: UndiciRequest, status: string) {
  const call = inFlight.get(request);
  if (!call) return;
  inFlight.delete(request);
  const { target } = call;
  bound(target.children, `${request.method} ${call.route} ${status}`, () =>
    target.metrics.upstreamDuration.labels({
      source: target.source,
      method: request.method,
      route: call.route,
      status,
    }),
  ).observe((performance.now() - call.started) / 1000);
}

/** The template a path follows, or `other`: never the path itself, whose ids would be unbounded labels. */
export function routeOf(templates: readonly string[][], path: string): string {
  const segments = path.split('/').slice(1);
  for (const parts of templates) {
    if (parts.length !== segments.length) continue;
    if (parts.every((part, i) => (part === '{id}' ? segments[i] !== '' : part === segments[i]))) {
      return `/${parts.join('/')}`;
    }
  }
  return 'other';
}
