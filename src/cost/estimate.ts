import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { parseMemberKey } from '../sources/matatika/client.js';
import { Demand, type Unknown } from './demand.js';
import { decodeGlobal, fieldsOf, setsOf, type Variables, type Walk } from './walk.js';

/**
 * An upper bound of the upstream calls an operation will make, from its document and variables alone,
 * by the sources' loading rules (README, "Loading: what a query costs"): one demand per query (the
 * request's caches dedupe within it), one per mutation field (a write resets what they hold). Null when
 * the variables do not coerce or the operation is not found: execution then fails without a call.
 */
export function operationDemands(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): Demand[] | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation === 'subscription') return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const walk: Walk = { schema, fragments, variables: coerced.coerced };
  const root = { type: operation.operation === 'query' ? 'Query' : 'Mutation', n: 1 };
  if (root.type === 'Query') {
    const demand = new Demand();
    visit(walk, demand, root, [operation.selectionSet]);
    return [demand];
  }
  const demands: Demand[] = [];
  for (const [name, nodes] of fieldsOf(walk, 'Mutation', [operation.selectionSet])) {
    for (const node of nodes) {
      if (name === '__typename') continue;
      const demand = new Demand();
      demand.writes = 1;
      // Asking for the previous default reads the profile before the PATCH.
      if (
        name === 'setDefaultWorkspace' &&
        fieldsOf(walk, 'SetDefaultWorkspacePayload', [node.selectionSet]).has('previousDefaultWorkspace')
      ) {
        const input = argsOf(walk, 'Mutation', node).input as { profileId?: string } | undefined;
        if (input?.profileId) demand.profile(input.profileId);
      }
      visit(walk, demand, { type: getNamedType(fieldType(walk, 'Mutation', name)).name, n: 1 }, [
        node.selectionSet,
      ]);
      demands.push(demand);
    }
  }
  return demands;
}

/** An abstract object of the walk: up to `n` objects of `type` reached by one path of the document. */
interface Obj {
  type: string;
  n: number;
  /** Workspace: what its parent already holds (a stub holds its id, maybe its name). */
  holds?: 'full' | 'idName' | 'id';
  /** Workspace: its id or unknown; Member: its workspace's. */
  ref?: string | Unknown;
  /** Member: its own id (its profile's), when the document names it. */
  memberId?: string;
  /** Loads of one object's dependants, made once however often they are selected. */
  child?: Unknown;
}

/** Workspace fields a stub lacks: each loads the workspace. */
const LOADED_FIELDS = new Set([
  'name',
  'alias',
  'status',
  'domains',
  'repositoryUrl',
  'imageUrl',
  'created',
  'lastModified',
  'isDefault',
]);
/** The fields of `workspace(id)` its member list answers alone (see schema/workspace.ts). */
const ANSWERED_BY_MEMBER_LIST = new Set(['__typename', 'id', 'upstreamId', 'members', 'member']);
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

function visit(walk: Walk, d: Demand, obj: Obj, sets: ReadonlyArray<SelectionSetNode | undefined>): void {
  for (const [name, nodes] of fieldsOf(walk, obj.type, sets)) {
    for (const node of nodes) field(walk, d, obj, name, node);
  }
}

function field(walk: Walk, d: Demand, obj: Obj, name: string, node: FieldNode) {
  const args = () => argsOf(walk, obj.type, node);
  const sets = [node.selectionSet];
  switch (`${obj.type}.${name}`) {
    case 'Query.profile':
      d.profile(args().id as string);
      return visit(walk, d, { type: 'Profile', n: 1 }, sets);
    case 'Query.profiles':
      d.profiles();
      return items(walk, obj.type, node, 'Profile', (n, s) => visit(walk, d, { type: 'Profile', n }, s));
    case 'Query.workspace': {
      const id = args().id as string;
      if (!membersOnly(walk, node)) d.workspace(id);
      return visit(walk, d, { type: 'Workspace', n: 1, holds: 'full', ref: id }, sets);
    }
    case 'Query.workspaces': {
      const a = args();
      d.workspaceWindow(`${a.first}|${a.after}`, a.after == null ? 1 : 2);
      return items(walk, obj.type, node, 'Workspace', (n, s) =>
        visit(walk, d, { type: 'Workspace', n, holds: 'full', ref: { n } }, s),
      );
    }
    case 'Query.accountProfiles':
      d.search(JSON.stringify(args()));
      return items(walk, obj.type, node, 'AccountProfile', (n, s) =>
        visit(walk, d, { type: 'AccountProfile', n }, s),
      );
    case 'Query.userProfiles':
      d.userProfiles(JSON.stringify(args()));
      return items(walk, obj.type, node, 'UserProfile', (n, s) =>
        visit(walk, d, { type: 'UserProfile', n }, s),
      );
    case 'Query.workspaceAccountProfile':
      return d.workspaceAccountProfile();
    case 'Query.userProfile':
      d.userProfile(args().id as string);
      return visit(walk, d, { type: 'UserProfile', n: 1 }, sets);
    case 'Query.node':
      return byGlobalId(walk, d, args().id, sets);
    case 'Query.nodes':
      for (const id of (args().ids as unknown[]) ?? []) byGlobalId(walk, d, id, sets);
      return;
    case 'Query.profilesByIds':
    case 'Query.workspacesByIds':
    case 'Query.accountProfilesByIds':
    case 'Query.userProfilesByIds': {
      const type = getNamedType(fieldType(walk, 'Query', name)).name;
      for (const id of (args().ids as string[]) ?? []) load(walk, d, type, id, sets);
      return;
    }
    case 'Query._entities':
      for (const rep of (args().representations as unknown[]) ?? []) byRepresentation(walk, d, rep, sets);
      return;
    case 'Profile.defaultWorkspace':
      obj.child ??= { n: obj.n };
      return visit(walk, d, { type: 'Workspace', n: obj.n, holds: 'idName', ref: obj.child }, sets);
    case 'Workspace.members':
      d.members(obj.ref as string | Unknown);
      return items(walk, obj.type, node, 'Member', (n, s) =>
        visit(walk, d, { type: 'Member', n: obj.n * n, ref: obj.ref }, s),
      );
    case 'Workspace.member': {
      const id = args().id as string;
      d.member(obj.ref as string | Unknown, id);
      return visit(walk, d, { type: 'Member', n: obj.n, ref: obj.ref, memberId: id }, sets);
    }
    case 'Member.workspace': {
      const ref = obj.ref as string | Unknown;
      return visit(
        walk,
        d,
        { type: 'Workspace', n: typeof ref === 'string' ? 1 : ref.n, holds: 'id', ref },
        sets,
      );
    }
    case 'Member.profile':
      if (obj.memberId !== undefined) d.profile(obj.memberId);
      else {
        // A workspace field starts the account's list ahead for its members' profiles.
        obj.child ??= { n: obj.n };
        d.profile(obj.child);
        d.profiles();
      }
      return visit(walk, d, { type: 'Profile', n: obj.n }, sets);
    case 'SetDefaultWorkspacePayload.previousDefaultWorkspace':
      return visit(walk, d, { type: 'Workspace', n: 1, holds: 'idName', ref: { n: 1 } }, sets);
  }
  if (obj.type === 'Workspace' && LOADED_FIELDS.has(name)) {
    if (obj.holds !== 'full' && !(obj.holds === 'idName' && name === 'name'))
      d.workspace(obj.ref as string | Unknown);
    return;
  }
  // Everything else is answered from its parent; an object below it may still hold costly fields.
  const type = walk.schema.getType(obj.type);
  const child = isObjectType(type) ? type.getFields()[name] : undefined;
  const named = child ? getNamedType(child.type) : null;
  if (isObjectType(named)) visit(walk, d, { type: named.name, n: obj.n }, sets);
}

/** The items of a connection field: at most `first` (20 when absent; none for a `first` it refuses). */
function items(
  walk: Walk,
  parent: string,
  node: FieldNode,
  type: string,
  each: (n: number, sets: Array<SelectionSetNode | undefined>) => void,
) {
  const first = (argsOf(walk, parent, node).first ?? DEFAULT_PAGE) as number;
  const n = Number.isInteger(first) && first >= 0 && first <= MAX_PAGE ? first : 0;
  const edges = fieldsOf(walk, `${type}Connection`, [node.selectionSet]).get('edges') ?? [];
  const nodes = fieldsOf(walk, `${type}Edge`, setsOf(edges)).get('node') ?? [];
  if (nodes.length > 0) each(n, setsOf(nodes));
}

/** Whether `workspace(id)` selects only what its member list answers, so that the list stands in for it. */
function membersOnly(walk: Walk, node: FieldNode): boolean {
  const children = fieldsOf(walk, 'Workspace', [node.selectionSet]);
  if (![...children.keys()].every((name) => ANSWERED_BY_MEMBER_LIST.has(name))) return false;
  const members = children.get('members') ?? [];
  return (
    members.length > 0 &&
    members.every((m) => {
      const a = argsOf(walk, 'Workspace', m);
      const first = (a.first ?? DEFAULT_PAGE) as number;
      return a.after == null && Number.isInteger(first) && first >= 0 && first <= MAX_PAGE;
    })
  );
}

function byGlobalId(walk: Walk, d: Demand, id: unknown, sets: Array<SelectionSetNode | undefined>): void {
  const decoded = typeof id === 'string' ? decodeGlobal(id) : null;
  if (decoded) load(walk, d, decoded.type, decoded.id, sets);
}

function byRepresentation(walk: Walk, d: Demand, rep: unknown, sets: Array<SelectionSetNode | undefined>) {
  const r = rep as { __typename?: unknown; id?: unknown; upstreamId?: unknown } | null;
  if (typeof r?.__typename !== 'string') return;
  if (typeof r.upstreamId === 'string' && r.__typename !== 'Member')
    return load(walk, d, r.__typename, r.upstreamId, sets);
  const decoded = typeof r.id === 'string' ? decodeGlobal(r.id) : null;
  if (decoded?.type === r.__typename) load(walk, d, decoded.type, decoded.id, sets);
}

/** One object by its upstream key, through the request's cache of its type. */
function load(walk: Walk, d: Demand, type: string, key: string, sets: Array<SelectionSetNode | undefined>) {
  switch (type) {
    case 'Profile':
      d.profile(key);
      return visit(walk, d, { type, n: 1 }, sets);
    case 'Workspace':
      d.workspace(key);
      return visit(walk, d, { type, n: 1, holds: 'full', ref: key }, sets);
    case 'Member': {
      const member = parseMemberKey(key);
      if (!member) return;
      d.member(member.workspaceId, member.memberId);
      return visit(walk, d, { type, n: 1, ref: member.workspaceId, memberId: member.memberId }, sets);
    }
    case 'AccountProfile':
      d.accountProfileById();
      return visit(walk, d, { type, n: 1 }, sets);
    case 'UserProfile':
      d.userProfile(key);
      return visit(walk, d, { type, n: 1 }, sets);
  }
}

function fieldType(walk: Walk, parent: string, name: string) {
  const type = walk.schema.getType(parent);
  if (!isObjectType(type)) throw new Error(`${parent} is not an object type`);
  return (type.getFields()[name] as NonNullable<ReturnType<typeof type.getFields>[string]>).type;
}

/** A field's arguments, coerced; `{}` for arguments execution would refuse (no call then). */
function argsOf(walk: Walk, parent: string, node: FieldNode): Record<string, unknown> {
  const type = walk.schema.getType(parent);
  const def = isObjectType(type) ? type.getFields()[node.name.value] : undefined;
  if (!def) return {};
  try {
    return getArgumentValues(def, node, walk.variables as Variables);
  } catch {
    return {};
  }
}
