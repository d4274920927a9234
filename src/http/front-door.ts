import type { IncomingMessage, ServerResponse } from 'node:http';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import { type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import { createGraphQLError, type GraphQLParams, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type InitialContext, requestBudget } from '../context.js';
import { batchTooLarge } from '../plugins/use-batching.js';
import { usesIncrementalDelivery } from '../plugins/use-defer-stream.js';
import { documentProblem } from '../plugins/use-document-limit.js';
import type { PersistedOperations } from '../plugins/use-persisted-operations.js';
import { startRequestSpan } from '../plugins/use-tracing.js';
import type { Metrics } from '../telemetry/metrics.js';
import { recordRequest } from '../telemetry/requests.js';
import { observeResult, openScope, type RequestScope } from '../telemetry/scope.js';
import { compress, compressible, MIN_COMPRESSED_BYTES, negotiateEncoding, varyWith } from './encoding.js';
import {
  BadContentLength,
  BodyTooLarge,
  type Exchange,
  fetchExchange,
  type HeaderReader,
  nodeExchange,
  type OutgoingHeaders,
} from './exchange.js';
import {
  hasAny,
  negotiate,
  notAcceptable,
  paramsOfSearch,
  plainParams,
  regularMediaType,
  responseInit,
  serializeResult,
} from './graphql-over-http.js';
import type { Admission, RateLimits } from './rate-limit.js';

/** CORS options for a request, as whatwg-node's CORS helper takes them; false: no CORS headers. */
export type CorsPolicy = (headers: HeaderReader) => false | { origin?: string[]; credentials?: boolean };

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

/** What the front door sends: an answer it made, or one Yoga made. */
type Answer =
  | { status: number; headers: OutgoingHeaders; body: string | null; response?: undefined }
  | { response: Response };

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
  const { config, yoga, endpoint, logger, metrics, persisted, cors, rateLimits = null } = options;
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
      const admission = rateLimits && limitable(exchange) ? await rateLimits.admit(exchange.headers) : null;
      const answer = admission?.refused
        ? refusal(exchange, admission.refused, admission.headers)
        : await (span ? span.run(() => answerOf(exchange, scope)) : answerOf(exchange, scope));
      const limitHeaders = admission ? await settled(admission, scope) : undefined;
      await send(exchange, scope, answer, record, limitHeaders);
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
      return refusal(
        exchange,
        createGraphQLError(
          'Refused as a possible cross-site request: send it as application/json, or set one of the headers x-graphql-yoga-csrf, apollo-require-preflight, x-apollo-operation-name.',
          { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
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
          return refusal(exchange, tooLarge(error.maxBytes), { connection: 'close' });
        }
        if (error instanceof BadContentLength) {
          return refusal(
            exchange,
            createGraphQLError(error.message, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            }),
          );
        }
        throw error;
      }
    }
    if (!config.fastPath || mediaType === null) return handOff(exchange, scope, body);
    const parsed = paramsOf(exchange, body);
    if (parsed === null) return handOff(exchange, scope, body);
    if (Array.isArray(parsed)) {
      if (config.maxBatchOperations === 0) return handOff(exchange, scope, body);
      if (parsed.length > config.maxBatchOperations) {
        return refusal(exchange, batchTooLarge(config.maxBatchOperations, parsed.length));
      }
    }
    const batch = Array.isArray(parsed) ? parsed : null;
    const budget = batch ? requestBudget(config, exchange.signal, scope) : undefined;
    const operations = (batch ?? [parsed as GraphQLParams]).map((params) =>
      prepare(exchange, scope, params, budget),
    );
    // An operation Yoga must run (@defer or @stream, a subscription) sends the whole request to it,
    // before anything has executed.
    const prepared = await Promise.all(operations);
    if (prepared.some((op) => op === HAND_OFF)) return handOff(exchange, scope, body);
    const results = await Promise.all(prepared.map((op) => run(op as Prepared)));
    for (const result of results) observeResult(scope, result);
    const result = batch ? results : (results[0] as ExecutionResult);
    const init = responseInit(result, mediaType);
    served.fast++;
    servedFast?.inc();
    return { status: init.status, headers: init.headers, body: serializeResult(result) };
  }

  /** The request's operations: one object, an array (a batch), or null for Yoga to answer. */
  function paramsOf(exchange: Exchange, body: Buffer | null): GraphQLParams | GraphQLParams[] | null {
    if (exchange.method === 'GET') return paramsOfSearch(exchange.search);
    const type = exchange.headers.get('content-type')?.split(',')[0] ?? '';
    if (!/^application\/(graphql\+)?json(;|$)/.test(type)) return null;
    let json: unknown;
    try {
      json = JSON.parse((body as Buffer).toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(json)) return plainParams(json);
    const all = json.map(plainParams);
    return all.every((p) => p !== null) ? (all as GraphQLParams[]) : null;
  }

  type Prepared =
    | { error: GraphQLError }
    | {
        error?: undefined;
        context: InitialContext & { params: GraphQLParams };
        enveloped: ReturnType<typeof yoga.getEnveloped>;
        document: ReturnType<ReturnType<typeof yoga.getEnveloped>['parse']>;
      };

  /** Resolves an operation's text and parses it, without running anything. */
  async function prepare(
    exchange: Exchange,
    scope: RequestScope,
    given: GraphQLParams,
    budget: InitialContext['budget'],
  ): Promise<Prepared | typeof HAND_OFF> {
    const request = {
      method: exchange.method,
      url: exchange.url,
      headers: exchange.headers,
      signal: exchange.signal,
    };
    const context: InitialContext & { params: GraphQLParams } = { request, params: given, scope, budget };
    scope.operationName ??= given.operationName ?? null;
    try {
      const tooLong = documentProblem(given.query, config.maxDocumentBytes);
      if (tooLong) throw tooLong;
      const resolved = persisted.resolve(given, request, context);
      const params = (resolved instanceof Promise ? await resolved : resolved) ?? given;
      context.params = params;
      const enveloped = yoga.getEnveloped(context as unknown as Record<string, unknown>);
      const document = enveloped.parse(params.query as string);
      if (usesIncrementalDelivery(document)) return HAND_OFF;
      if (getOperationAST(document, params.operationName)?.operation === 'subscription') return HAND_OFF;
      return { context, enveloped, document };
    } catch (error) {
      return { error: clientError(error) };
    }
  }

  async function run(op: Prepared): Promise<ExecutionResult> {
    if (op.error) return { errors: [op.error] };
    const { context, enveloped, document } = op;
    try {
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return { errors: errors as GraphQLError[] };
      const contextValue = await enveloped.contextFactory();
      const result = (await enveloped.execute({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: context.params.variables,
        operationName: context.params.operationName,
      })) as ExecutionResult;
      await persisted.settled(context.request);
      return result;
    } catch (error) {
      return { errors: [clientError(error)] };
    }
  }

  /** Errors thrown before execution: a GraphQLError of the gateway's or graphql-js's is the client's; the rest is masked. */
  function clientError(error: unknown): GraphQLError {
    return error instanceof GraphQLError && !error.originalError ? error : options.maskError(error);
  }

  /**
   * The front door's own refusals (CSRF, body size, batch size), answered as Yoga answers an error
   * thrown before execution: in the negotiated JSON type, or 406 when the client accepts none Yoga offers
   * (a client that accepts only parts gets JSON: the refusal is one part).
   */
  function refusal(exchange: Exchange, error: GraphQLError, headers: OutgoingHeaders = {}): Answer {
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

  /** Adds what every answer carries, compresses it when it is worth it, and sends it. */
  async function send(
    exchange: Exchange,
    scope: RequestScope,
    answer: Answer,
    record: (status: number) => void,
    limitHeaders?: OutgoingHeaders,
  ): Promise<void> {
    const extra = lowerCased({ 'x-request-id': scope.id, ...corsHeaders(exchange.headers), ...limitHeaders });
    if (answer.response) {
      const { response } = answer;
      for (const [name, value] of Object.entries(extra)) {
        response.headers.set(name, name === 'vary' ? varyWith(response.headers.get('vary'), value) : value);
      }
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
      const compressed = await compressResponse(exchange, response);
      record(compressed.status);
      await exchange.sendResponse(compressed);
      return;
    }
    const headers = { ...lowerCased(answer.headers), ...extra };
    if (answer.body !== null) headers['cache-control'] ??= 'private, no-store';
    record(answer.status);
    if (answer.body === null || !compressible(headers['content-type'] ?? null)) {
      exchange.send(answer.status, headers, answer.body);
      return;
    }
    headers.vary = varyWith(headers.vary ?? null, 'Accept-Encoding');
    const encoding = negotiateEncoding(exchange.headers.get('accept-encoding'));
    const bytes = Buffer.from(answer.body);
    if (!encoding || bytes.byteLength < MIN_COMPRESSED_BYTES) {
      exchange.send(answer.status, headers, bytes);
      return;
    }
    headers['content-encoding'] = encoding;
    exchange.send(answer.status, headers, await compress(bytes, encoding));
  }

  /** The CORS headers of an answer (whatwg-node's rules, as Yoga applies them), and Vary: Origin while CORS is on. */
  function corsHeaders(headers: HeaderReader): OutgoingHeaders {
    if (!cors) return {};
    const options = cors(headers);
    const found = options
      ? (getCORSHeadersByRequestAndOptions({ headers } as never, options) as OutgoingHeaders | null)
      : null;
    const all = lowerCased(found ?? {});
    all.vary = varyWith(all.vary ?? null, 'Origin');
    return all;
  }

  return {
    served,
    /** A fetch handler, for tests and for embedding the gateway in another server. */
    fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      if (pathOf(request.url) !== endpoint) return Promise.resolve(yoga.fetch(request));
      const { exchange, answer } = fetchExchange(request);
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

  /** Compresses a Yoga answer that is not streamed (a multipart answer flushes part by part). */
  async function compressResponse(exchange: Exchange, response: Response): Promise<Response> {
    if (!compressible(response.headers.get('content-type')) || !response.body) return response;
    if (response.headers.has('content-encoding')) return response;
    response.headers.set('vary', varyWith(response.headers.get('vary'), 'Accept-Encoding'));
    const encoding = negotiateEncoding(exchange.headers.get('accept-encoding'));
    if (!encoding || exchange.method === 'HEAD') return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const headers = new Headers(response.headers);
    if (bytes.byteLength < MIN_COMPRESSED_BYTES) {
      return new Response(bytes, { status: response.status, headers });
    }
    const compressed = await compress(bytes, encoding);
    headers.set('content-encoding', encoding);
    headers.set('content-length', String(compressed.byteLength));
    return new Response(compressed as Uint8Array<ArrayBuffer>, { status: response.status, headers });
  }
}

const HAND_OFF = Symbol('hand off to Yoga');

function lowerCased(headers: OutgoingHeaders): OutgoingHeaders {
  const lower: OutgoingHeaders = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name] as string;
  return lower;
}

function tooLarge(maxBytes: number) {
  return createGraphQLError(`Request body too large: at most ${maxBytes} bytes.`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 413 } },
  });
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const query = url.indexOf('?', start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

export type FrontDoor = ReturnType<typeof createFrontDoor>;
