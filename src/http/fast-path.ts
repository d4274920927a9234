import { type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { GraphQLParams, YogaServerInstance } from 'graphql-yoga';
import type { Config } from '../config.js';
import { type InitialContext, requestBudget } from '../context.js';
import { usesIncrementalDelivery } from '../plugins/use-defer-stream.js';
import { documentProblem } from '../plugins/use-document-limit.js';
import type { PersistedOperations } from '../plugins/use-persisted-operations.js';
import type { RequestScope } from '../telemetry/scope.js';
import type { Exchange } from './exchange.js';
import { paramsOfSearch, plainParams } from './graphql-over-http.js';

export interface FastPathOptions {
  config: Config;
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  persisted: PersistedOperations;
  /** Masks an error that is not the client's to see (a bug), as Yoga's maskedErrors does. */
  maskError(error: unknown): GraphQLError;
}

/** What the fast path answers: the results to serialize, or Yoga's turn (an operation only it can run). */
export type Outcome = { results: ExecutionResult[] } | typeof HAND_OFF;

/** The fast path's word for "this one is Yoga's": @defer or @stream, or a subscription. */
export const HAND_OFF = Symbol('hand off to Yoga');

type Prepared =
  | { error: GraphQLError }
  | {
      error?: undefined;
      context: InitialContext & { params: GraphQLParams };
      enveloped: ReturnType<FastPathOptions['yoga']['getEnveloped']>;
      document: ReturnType<ReturnType<FastPathOptions['yoga']['getEnveloped']>['parse']>;
    };

/**
 * The front door's executor of plain GraphQL requests: the operations' parameters read without
 * whatwg-node, then parse, validate, context and execute through Yoga's own getEnveloped (the same
 * Envelop plugins, caches, limits and masking as Yoga's path), and the checks Yoga's onParams hooks make
 * (document size, persisted operations) by the same functions.
 */
export function createFastPath({ config, yoga, persisted, maskError }: FastPathOptions) {
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

  /** Runs one operation, or a batch whose operations share one upstream budget. */
  async function execute(
    exchange: Exchange,
    scope: RequestScope,
    operations: GraphQLParams[],
    batch: boolean,
  ): Promise<Outcome> {
    const budget = batch ? requestBudget(config, exchange.signal, scope) : undefined;
    // An operation Yoga must run sends the whole request to it, before anything has executed.
    const prepared = await Promise.all(operations.map((params) => prepare(exchange, scope, params, budget)));
    if (prepared.some((op) => op === HAND_OFF)) return HAND_OFF;
    return { results: await Promise.all(prepared.map((op) => run(op as Prepared))) };
  }

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
    return error instanceof GraphQLError && !error.originalError ? error : maskError(error);
  }

  return { paramsOf, execute };
}
