import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { builder } from './builder.js';
import { decodeId } from './global-ids.js';

/**
 * The Apollo Federation v2 entities of this subgraph. Each is keyed by its global `id` and, where another
 * graph may know only the upstream's id, by `upstreamId` as well. A representation resolves through the
 * same per-request cache as `node`/`nodes`, so N representations cost what `nodes` costs (list
 * endpoints, dedup), and a representation that fails (unknown id, no access) is null with its own error
 * code at `_entities.<index>`, never a failure of the whole list: resolveReference always returns a
 * promise, since @apollo/subgraph calls it outside any per-item error handling.
 */

/** The loader key behind a representation, from whichever of its keys it carries. */
function upstreamKey(typename: string, rep: { id?: string; upstreamId?: string }): string {
  if (typeof rep.upstreamId === 'string') return rep.upstreamId;
  if (typeof rep.id !== 'string')
    throw new InputError(`A ${typename} representation needs id or upstreamId.`);
  const decoded = decodeId(rep.id);
  if (decoded.typename !== typename) {
    throw new InputError(`${JSON.stringify(rep.id)} is the id of a ${decoded.typename}, not a ${typename}.`);
  }
  return decoded.id;
}

const byId = builder.selection<{ id: string }>('id');
const byUpstreamId = builder.selection<{ upstreamId: string }>('upstreamId');

type Load = (ctx: Context, key: string) => Promise<unknown>;

function entity(ref: { name: string }, keys: Array<'id' | 'upstreamId'>, load: Load) {
  const resolveReference = async (rep: { id?: string; upstreamId?: string }, ctx: Context) =>
    load(ctx, upstreamKey(ref.name, rep));
  builder.asEntity(ref as never, {
    key: keys.map((k) => (k === 'id' ? byId : byUpstreamId)),
    resolveReference: resolveReference as never,
  });
}

/** Registers the entities; called once from schema/index.ts after every type is defined. */
export function defineEntities(refs: {
  profile: { name: string };
  workspace: { name: string };
  member: { name: string };
  accountProfile: { name: string };
  userProfile: { name: string };
}) {
  entity(refs.profile, ['id', 'upstreamId'], (ctx, id) => ctx.sources.matatika.profiles.load(id));
  entity(refs.workspace, ['id', 'upstreamId'], (ctx, id) => ctx.sources.matatika.workspaces.load(id));
  // A member's upstream id is unique only within its workspace: the global id carries both.
  entity(refs.member, ['id'], (ctx, key) => ctx.sources.matatika.members.load(key));
  entity(refs.accountProfile, ['id', 'upstreamId'], (ctx, id) => ctx.sources.cadenya.profiles.load(id));
  entity(refs.userProfile, ['id', 'upstreamId'], (ctx, id) => ctx.sources.upsun.profiles.load(id));
}
