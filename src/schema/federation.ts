import { InputError } from '../sources/errors.js';
import { builder } from './builder.js';
import { decodeId } from './errors.js';

/**
 * The Apollo Federation v2 entities of this subgraph. Each is keyed by its global `id` and, where another
 * graph may know only the upstream's id, by `upstreamId` as well. A representation resolves through the
 * same per-request loader as `node`/`nodes`, so N representations cost what `nodes` costs (list
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

interface Loadable<T> {
  name: string;
  getDataloader(ctx: never): { load(key: string): Promise<T> };
}

function entity<T extends object>(ref: Loadable<T>, keys: Array<'id' | 'upstreamId'>) {
  const resolveReference = async (rep: { id?: string; upstreamId?: string }, ctx: object) =>
    ref.getDataloader(ctx as never).load(upstreamKey(ref.name, rep));
  builder.asEntity(ref as never, {
    key: keys.map((k) => (k === 'id' ? byId : byUpstreamId)),
    resolveReference: resolveReference as never,
  });
}

/** Registers the entities; called once from schema/index.ts after every type is defined. */
export function defineEntities(refs: {
  profile: Loadable<object>;
  workspace: Loadable<object>;
  member: Loadable<object>;
  accountProfile: Loadable<object>;
  userProfile: Loadable<object>;
}) {
  entity(refs.profile, ['id', 'upstreamId']);
  entity(refs.workspace, ['id', 'upstreamId']);
  // A member's upstream id is unique only within its workspace: the global id carries both.
  entity(refs.member, ['id']);
  entity(refs.accountProfile, ['id', 'upstreamId']);
  entity(refs.userProfile, ['id', 'upstreamId']);
}
