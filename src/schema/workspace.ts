import { type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, getArgumentValues } from 'graphql';
import type { Context } from '../context.js';
import { memberKey } from '../sources/matatika/client.js';
import type { Workspace } from '../sources/matatika/payloads.js';
import { builder } from './builder.js';
import { PAGED, reads } from './governance.js';
import {
  arrayConnection,
  connectionOf,
  offsetConnection,
  orEmpty,
  type PageArgs,
  windowOf,
} from './paging.js';
import {
  isStub,
  MemberConnection,
  MemberRef,
  WorkspaceRef,
  type WorkspaceShape,
  workspaceStub,
} from './refs.js';
import { childFieldNodes, selectsPath } from './selection.js';

/** Resolves `key` from the parent when it holds it, else from the workspace loaded once per request. */
function fromFull<K extends keyof Workspace>(key: K) {
  return (w: WorkspaceShape, _args: object, ctx: Context): Workspace[K] | Promise<Workspace[K]> => {
    if (!isStub(w) || key in w) return (w as Workspace)[key];
    return ctx.sources.matatika.workspaces.load(w.id).then((loaded) => loaded[key]);
  };
}

export const WorkspaceStatusEnum = builder.enumType('WorkspaceStatus', {
  values: ['READY', 'PROVISIONING', 'FAILED'] as const,
});

WorkspaceRef.implement({
  authenticated: true,
  description: 'A Meltano Cloud (Matatika) workspace.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, description: 'The id the upstream uses.', resolve: (w) => w.id }),
    name: t.string({ resolve: fromFull('name') }),
    alias: t.string({ resolve: fromFull('alias') }),
    status: t.field({ type: WorkspaceStatusEnum, resolve: fromFull('status') }),
    domains: t.stringList({ nullable: false, resolve: fromFull('domains') }),
    repositoryUrl: t.string({ resolve: fromFull('repositoryUrl') }),
    imageUrl: t.string({ resolve: fromFull('imageUrl') }),
    created: t.field({ type: 'DateTime', resolve: fromFull('created') }),
    lastModified: t.field({ type: 'DateTime', resolve: fromFull('lastModified') }),
    isDefault: t.boolean({
      nullable: false,
      description: "True when this is the caller's default workspace.",
      resolve: fromFull('defaultWorkspace'),
    }),
    members: t.field({
      type: MemberConnection,
      nullable: false,
      cost: 1,
      ...PAGED,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (w, args, ctx, info) =>
        orEmpty(ctx, info, () => arrayConnection(args, () => ctx.sources.matatika.members.of(w.id))),
    }),
    member: t.field({
      type: MemberRef,
      cost: 1,
      description: "id is the member's upstream id (the id of the profile it derives from).",
      args: { id: t.arg.string({ required: true }) },
      resolve: (w, { id }, ctx) => ctx.sources.matatika.members.load(memberKey(w.id, id)),
    }),
  }),
});

const WorkspaceConnection = connectionOf(WorkspaceRef, 'Workspace');

builder.queryFields((t) => ({
  workspaces: t.field({
    type: WorkspaceConnection,
    nullable: false,
    ...reads(2),
    ...PAGED,
    description: 'The workspaces the caller owns or is a member of.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx, info) => orEmpty(ctx, info, () => workspacePage(args, ctx)),
  }),
  workspace: t.field({
    type: WorkspaceRef,
    ...reads(1),
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, { id }, ctx, info) => {
      const { matatika } = ctx.sources;
      const wanted = childFieldNodes(info);
      // Only a members field whose arguments are valid may start the list early: one with a bad
      // `first` or `after` answers its BAD_USER_INPUT and must cost no call.
      if (!wanted.has('members') || !membersArgsValid(info, wanted.get('members') ?? []))
        return matatika.workspaces.load(id);
      // `members` needs only the id, so its list need not wait for the workspace: start it now.
      matatika.members.prefetch(id);
      // Members' profiles will be read from the account's profile list (a workspace's members are
      // many): start it now too, so that profiles loaded elsewhere in the query (a root `profile`,
      // say) are answered from it rather than by GETs of their own. The cost of a query then does not
      // depend on whether a profile is asked for at the root as well as among the members.
      if (selectsPath(info, wanted.get('members') ?? [], ['edges', 'node', 'profile'])) {
        matatika.profiles.prefetch();
      }
      if (![...wanted.keys()].every((name) => ANSWERED_BY_MEMBER_LIST.has(name)))
        return matatika.workspaces.load(id);
      // The member list answers only a member of an existing workspace, under the same 403/404 rules as
      // GET /api/workspaces/{id}; when nothing else of the workspace is asked for, it stands in for it.
      await matatika.members.of(id);
      return workspaceStub(id);
    },
  }),
}));

/** Whether every `members` selection under this workspace field has arguments windowOf accepts. */
function membersArgsValid(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): boolean {
  const field = WorkspaceType(info).getFields().members;
  if (!field) return false;
  try {
    for (const node of nodes) windowOf(getArgumentValues(field, node, info.variableValues) as PageArgs);
    return true;
  } catch {
    return false;
  }
}

function WorkspaceType(info: GraphQLResolveInfo): GraphQLObjectType {
  return info.schema.getType('Workspace') as GraphQLObjectType;
}

/** Fields of a workspace that need no read of the workspace itself once its member list has been read. */
const ANSWERED_BY_MEMBER_LIST = new Set(['__typename', 'id', 'upstreamId', 'members', 'member']);

/** One window of the caller's workspaces; the matatika client maps it onto the upstream's pages. */
async function workspacePage(args: PageArgs, ctx: Context) {
  const window = windowOf(args);
  const { items, total, hasMore } = await ctx.sources.matatika.workspaces.window(window.offset, window.limit);
  return offsetConnection(window, items, total, hasMore);
}
