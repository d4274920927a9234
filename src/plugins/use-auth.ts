import {
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from '../config/governance.js';
import type { InitialContext } from '../context.js';
import { perOperation } from '../cost/per-operation.js';
import { fieldsOf, setsOf, type Walk } from '../cost/walk.js';
import { refusal } from '../errors.js';

export interface AuthOptions {
  /** Where the keys are, and which issuer and audience a token must name (AUTH_*). */
  auth: AuthConfig;
}

/** What a field or type asks of the caller's token: `@authenticated`, `@requiresScopes`. */
interface Requirement {
  authenticated: boolean;
  /** Any one inner list, all of its scopes. */
  scopes: string[][] | null;
}

/**
 * The gateway's own auth, on when AUTH_JWKS_URL is set: before any resolver runs, every field the
 * operation selects (fragments included, @skip/@include honoured) and every type it reaches is checked
 * against its `@authenticated` and `@requiresScopes`. A missing or invalid token (signature by a key of
 * the JWKS, issuer, audience, expiry) answers UNAUTHENTICATED (401), a token without a required scope
 * FORBIDDEN (403), both with no upstream call. Per-source credentials still go to their sources.
 */
export function useAuth({ auth }: AuthOptions): Plugin {
  // jose is loaded, and the key set fetched, with the first token: a gateway without auth never loads it.
  let jose: Promise<{ verify: (token: string) => Promise<JWTPayload> }> | undefined;
  const verifier = () => {
    jose ??= import('jose').then(({ createRemoteJWKSet, jwtVerify }) => {
      const keys = createRemoteJWKSet(auth.jwksUrl);
      const options = {
        ...(auth.issuer ? { issuer: auth.issuer } : {}),
        ...(auth.audience ? { audience: auth.audience } : {}),
      };
      return { verify: async (token: string) => (await jwtVerify(token, keys, options)).payload };
    });
    return jose;
  };
  // A signature is checked once per token: an RS256 verify on every request made Q1 cost half as much
  // again. Only tokens that verified are kept, at most a minute and never past their `exp`.
  const accepted = new LRUCache<string, JWTPayload>({
    max: 10_000,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (payload, token) => token.length + JSON.stringify(payload).length,
    ttl: 60_000,
  });
  const verifyOnce = async (token: string): Promise<JWTPayload | null> => {
    const known = accepted.get(token);
    if (known) return unexpired(known) ? known : null;
    try {
      const payload = await (await verifier()).verify(token);
      const left = typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : 60_000;
      if (left > 0) accepted.set(token, payload, { ttl: Math.min(60_000, left) });
      return payload;
    } catch {
      return null;
    }
  };
  const requirementsOf = memoize(requirements);
  const verified = new WeakMap<object, Promise<JWTPayload | null>>();
  const verify = (request: InitialContext['request']) => {
    let payload = verified.get(request);
    if (!payload) {
      const token = request.headers
        .get(auth.tokenHeader)
        ?.replace(/^Bearer\s+/i, '')
        .trim();
      payload = token ? verifyOnce(token) : Promise.resolve(null);
      verified.set(request, payload);
    }
    return payload;
  };
  type Need = readonly [coordinate: string, requirement: Requirement];
  const needsOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): Need[] => {
    const operation = getOperationAST(document, operationName);
    if (!operation) return [];
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return [];
    const fragments: Walk['fragments'] = {};
    for (const d of document.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    }
    const walk: Walk = { schema, fragments, variables: coerced.coerced };
    const reached = new Set<string>();
    reach(walk, operation.operation === 'mutation' ? 'Mutation' : 'Query', [operation.selectionSet], reached);
    const required = requirementsOf(schema);
    return [...reached].flatMap((coordinate) => {
      const r = required.get(coordinate);
      return r ? [[coordinate, r] as const] : [];
    });
  };
  // Only a variable in @skip/@include makes what an operation reaches depend on its variables.
  const needsOfRequest = perOperation(skipsByVariable, needsOf);
  return {
    async onExecute({ args }) {
      const needs = needsOfRequest(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | undefined,
      );
      if (needs.length === 0) return;
      const payload = await verify((args.contextValue as InitialContext).request);
      if (!payload) {
        throw refusal(
          'UNAUTHENTICATED',
          `This operation needs a valid gateway token in the ${auth.tokenHeader} header (${needs[0]?.[0]} is @authenticated).`,
          401,
        );
      }
      const granted = scopesOf(payload);
      const lacking = needs.filter(
        ([, r]) => r.scopes && !r.scopes.some((all) => all.every((s) => granted.has(s))),
      );
      if (lacking.length > 0) {
        throw refusal(
          'FORBIDDEN',
          `The token lacks the scopes of ${lacking.map(([c, r]) => `${c} (${r.scopes?.map((a) => a.join(' and ')).join(' or ')})`).join(', ')}.`,
          403,
        );
      }
    },
  };
}

/** Whether any @skip or @include of the document takes its condition from a variable. */
function skipsByVariable(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (
        (node.name.value === 'skip' || node.name.value === 'include') &&
        node.arguments?.some((a) => a.value.kind === Kind.VARIABLE)
      ) {
        found = true;
        return BREAK;
      }
    },
  });
  return found;
}

/** Every `Type.field` the selection reaches, and every object type it may return. */
function reach(
  walk: Walk,
  typeName: string,
  sets: Array<SelectionSetNode | undefined>,
  into: Set<string>,
): void {
  const type = walk.schema.getType(typeName);
  if (!type || !isCompositeType(type) || isAbstractType(type)) return;
  for (const [name, nodes] of fieldsOf(walk, typeName, sets)) {
    into.add(`${typeName}.${name}`);
    const field = type.getFields()[name];
    if (!field) continue;
    const named = getNamedType(field.type);
    const objects = isAbstractType(named)
      ? walk.schema.getPossibleTypes(named)
      : isObjectType(named)
        ? [named]
        : [];
    for (const object of objects) {
      into.add(object.name);
      reach(walk, object.name, setsOf(nodes), into);
    }
  }
}

/** The requirements the schema's directives declare, by type name and by `Type.field`. */
function requirements(schema: GraphQLSchema): Map<string, Requirement> {
  const found = new Map<string, Requirement>();
  const add = (coordinate: string, extensions: { directives?: unknown } | null | undefined) => {
    const list = Array.isArray(extensions?.directives)
      ? (extensions.directives as Array<{ name: string; args?: { scopes?: string[][] } }>)
      : [];
    const authenticated = list.some((d) => d.name === 'authenticated');
    const scopes = list.find((d) => d.name === 'requiresScopes')?.args?.scopes ?? null;
    if (authenticated || scopes) found.set(coordinate, { authenticated: true, scopes });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    add(type.name, type.extensions);
    for (const field of Object.values(type.getFields())) add(`${type.name}.${field.name}`, field.extensions);
  }
  return found;
}

/** A kept token is checked against the wall clock too: its entry's TTL runs on a monotonic clock. */
function unexpired(payload: JWTPayload): boolean {
  return typeof payload.exp !== 'number' || payload.exp * 1000 > Date.now();
}

/** OAuth's `scope` (space-separated) or `scp` (a list or a string). */
function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return new Set(list.filter((s): s is string => typeof s === 'string' && s !== ''));
}

function memoize<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}
