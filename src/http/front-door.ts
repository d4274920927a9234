import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { refusal } from '../errors.js';
import { batchTooLarge } from '../plugins/use-batching.js';
import type { PersistedOperations } from '../plugins/use-persisted-operations.js';
import { startRequestSpan } from '../plugins/use-tracing.js';
import type { Metrics } from '../telemetry/metrics.js';
import { recordRequest } from '../telemetry/requests.js';
import { observeResult, openScope, type RequestScope } from '../telemetry/scope.js';
import {
  BadContentLength,
  BodyTooLarge,
  type Exchange,
  fetchExchange,
  nodeExchange,
  type OutgoingHeaders,
} from './exchange.js';
import { createFastPath, HAND_OFF } from './fast-path.js';
import {
  hasAny,
  negotiate,
  notAcceptable,
  regularMediaType,
  responseInit,
  serializeResult,
} from './graphql-over-http.js';
import type { Admission, RateLimits } from './rate-limit.js';
import { type Answer, type CorsPolicy, createResponder } from './respond.js';

export interface FrontDoorOptions {
  config: Config;
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  endpoint: string;
  logger: Logger;
  /** Null when METRICS=0. */
  metrics: Metrics | null;
  persisted: PersistedOperations;
  /** Headers whose presence shows a request was preflighted (CSRF): Yoga's and Apollo's, and the credentials. */
  csrfHeaders: readonly string[];
  cors: CorsPolicy | null;
  /** Masks an error that is not the client's to see (a bug), as Yoga's maskedErrors does. */
  maskError(error: unknown): GraphQLError;
  /** Budgets of upstream calls per caller (RATE_LIMIT); null when off. */
  rateLimits?: RateLimits | null;
}

/** Largest request body read: 1 MB (the README's limits table). */
const MAX_BODY_BYTES = 1_048_576;

const PREFLIGHTED = (contentType: string | null) =>
  contentType !== null &&
  !['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].some((t) =>
    contentType.toLowerCase().startsWith(t),
  );

/**
 * The gateway's HTTP layer: every request to the GraphQL endpoint passes here, whoever answers it. It
 * opens the request's scope (id, metrics, access log, trace), refuses cross-site and oversized requests,
 * answers CORS preflights, and puts the headers every answer carries (request id, CORS, caching,
 * compression). Plain GraphQL requests (a POST of JSON, a GET of a query or a persisted document, asking
 * for a JSON answer) it executes itself with Yoga's own Envelop plugins, without whatwg-node's Request and
 * Response objects; everything else (GraphiQL, @defer and @stream, other content types, malformed
 * requests) it hands to Yoga, whose answer it sends. Other paths go straight to Yoga.
 */
export function createFrontDoor(options: FrontDoorOptions) {
  const { config, yoga, endpoint, logger, metrics, cors, rateLimits = null } = options;
  const fastPath = createFastPath(options);
  const send = createResponder(cors);
  /** GraphQL requests executed by the fast path, and handed to Yoga (refusals count in neither). */
  const served = { fast: 0, yoga: 0 };
  // Label children bound once: an increment then costs no label lookup.
  const servedFast = metrics?.served.labels({ path: 'fast' });
  const servedYoga = metrics?.served.labels({ path: 'yoga' });

  async function handle(exchange: Exchange): Promise<void> {
    const scope = openScope(exchange.headers.get('x-request-id'), metrics);
    metrics?.inFlight.inc();
    const span = config.tracing.enabled
      ? startRequestSpan(exchange.method, endpoint, exchange.headers)
      : null;
    let recorded = false;
    // Recorded once the answer is ready and before it is sent, as Yoga's onResponse did: a client that
    // has its answer finds the request already logged and counted.
    const record = (status: number) => {
      if (recorded) return;
      recorded = true;
      span?.end(scope, status);
      recordRequest(scope, status, logger);
    };
    try {
      // Rate limits: checked before anything runs, on both paths; the calls made are taken after.
      // Awaited only when the store is Redis: a promise hop costs even when already settled.
      const admitting = rateLimits && limitable(exchange) ? rateLimits.admit(exchange.headers) : null;
      const admission = admitting instanceof Promise ? await admitting : admitting;
      const answer = admission?.refused
        ? refuse(exchange, admission.refused, admission.headers)
        : await (span ? span.run(() => answerOf(exchange, scope)) : answerOf(exchange, scope));
      const settling = admission ? settled(admission, scope) : undefined;
      const limitHeaders = settling instanceof Promise ? await settling : settling;
      await send(exchange, scope.id, answer, record, limitHeaders);
    } finally {
      record(500);
    }
  }

  /** A GraphQL request, as opposed to a preflight or a GraphiQL page. */
  function limitable(exchange: Exchange): boolean {
    const { method, headers } = exchange;
    if (method !== 'GET' && method !== 'POST') return false;
    return !(config.graphiql && method === 'GET' && headers.get('accept')?.includes('text/html'));
  }

  function settled(admission: Admission, scope: RequestScope) {
    return admission.refused
      ? admission.headers
      : (rateLimits as RateLimits).settle(admission, scope.upstreamCalls);
  }

  async function answerOf(exchange: Exchange, scope: RequestScope): Promise<Answer> {
    const { method, headers } = exchange;
    if (method === 'OPTIONS') {
      return cors
        ? { status: 204, headers: { 'content-length': '0' }, body: null }
        : handOff(exchange, scope, null);
    }
    if (config.graphiql && method === 'GET' && headers.get('accept')?.includes('text/html')) {
      return handOff(exchange, scope, null);
    }
    if (method !== 'GET' && method !== 'POST') return handOff(exchange, scope, null);
    const mediaType = regularMediaType(headers.get('accept'));
    if (!PREFLIGHTED(headers.get('content-type')) && !hasAny(headers, options.csrfHeaders)) {
      return refuse(
        exchange,
        refusal(
          'BAD_REQUEST',
          'Refused as a possible cross-site request: send it as application/json, or set one of the headers x-graphql-yoga-csrf, apollo-require-preflight, x-apollo-operation-name.',
          403,
        ),
      );
    }
    // A revalidation (If-None-Match) is the response cache's to answer, through Yoga.
    if (config.responseCache && method === 'GET' && headers.has('if-none-match')) {
      return handOff(exchange, scope, null);
    }
    let body: Buffer | null = null;
    if (method === 'POST') {
      try {
        body = await exchange.body(MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          // The rest of the body is still on its way: on a kept-alive connection the next request would
          // wait behind it, so the connection is closed.
          return refuse(exchange, tooLarge(error.maxBytes), { connection: 'close' });
        }
        if (error instanceof BadContentLength) {
          return refuse(exchange, refusal('BAD_USER_INPUT', error.message, 400));
        }
        throw error;
      }
    }
    if (!config.fastPath || mediaType === null) return handOff(exchange, scope, body);
    const parsed = fastPath.paramsOf(exchange, body);
    if (parsed === null) return handOff(exchange, scope, body);
    if (Array.isArray(parsed)) {
      if (config.maxBatchOperations === 0) return handOff(exchange, scope, body);
      if (parsed.length > config.maxBatchOperations) {
        return refuse(exchange, batchTooLarge(config.maxBatchOperations, parsed.length));
      }
    }
    const batch = Array.isArray(parsed);
    const outcome = await fastPath.execute(exchange, scope, batch ? parsed : [parsed], batch);
    if (outcome === HAND_OFF) return handOff(exchange, scope, body);
    for (const one of outcome.results) observeResult(scope, one);
    const result = batch ? outcome.results : (outcome.results[0] as ExecutionResult);
    const init = responseInit(result, mediaType);
    served.fast++;
    servedFast?.inc();
    return { status: init.status, headers: init.headers, body: serializeResult(result) };
  }

  /**
   * The front door's own refusals (CSRF, body size, batch size), answered as Yoga answers an error
   * thrown before execution: in the negotiated JSON type, or 406 when the client accepts none Yoga offers
   * (a client that accepts only parts gets JSON: the refusal is one part).
   */
  function refuse(exchange: Exchange, error: GraphQLError, headers: OutgoingHeaders = {}): Answer {
    const { chosen, offered } = negotiate(exchange.headers.get('accept'));
    if (chosen === null) return { ...notAcceptable(offered), body: null };
    const result = { errors: [error] };
    const mediaType = chosen === 'application/graphql-response+json' ? chosen : 'application/json';
    const init = responseInit(result, mediaType);
    return { status: init.status, headers: { ...init.headers, ...headers }, body: serializeResult(result) };
  }

  async function handOff(exchange: Exchange, scope: RequestScope, body: Buffer | null): Promise<Answer> {
    served.yoga++;
    servedYoga?.inc();
    const response = await yoga.fetch(exchange.toRequest(body), { scope } as Record<string, unknown>);
    return { response };
  }

  return {
    served,
    /** A fetch handler, for tests and for embedding the gateway in another server. */
    fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      const { exchange, answer } = fetchExchange(request);
      if (exchange.path !== endpoint) return Promise.resolve(yoga.fetch(request));
      handle(exchange).catch((error) => {
        logger.error({ err: error }, 'unhandled error in the front door');
        exchange.send(500, {}, null);
      });
      return answer;
    },
    /** A node:http request handler. */
    handleNode(req: IncomingMessage, res: ServerResponse): void {
      const target = req.url ?? '/';
      const query = target.indexOf('?');
      if ((query === -1 ? target : target.slice(0, query)) !== endpoint) {
        void yoga(req, res);
        return;
      }
      const exchange = nodeExchange(req, res);
      handle(exchange).catch((error) => {
        logger.error({ err: error }, 'unhandled error in the front door');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  };
}

function tooLarge(maxBytes: number) {
  return refusal('BAD_USER_INPUT', `Request body too large: at most ${maxBytes} bytes.`, 413);
}

export type FrontDoor = ReturnType<typeof createFrontDoor>;
