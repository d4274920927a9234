import type { CacheEntityRecord } from '@envelop/response-cache';

/** What an answer is filed under: a type, or one object of it by its global id. */
export type Entity = CacheEntityRecord;

/**
 * Every cached answer is also filed under this pseudo-entity with the caller's scope as its id, so that
 * one call can drop everything a caller has cached (their own mutation may change any of it).
 */
export const CALLER_ENTITY = 'Caller';

/** The id invalidating `entity` drops: `Type:id` for one object, `Type` for every answer holding the type. */
export function entityId({ typename, id }: Entity): string {
  return id === undefined || id === null ? typename : `${typename}:${id}`;
}

/**
 * The ids an answer holding `entity` is filed under: the object's, and its type's so that a type-wide
 * invalidation finds it. Not the Caller type's: nothing drops every caller's answers at once.
 */
export function indexIds(entity: Entity): string[] {
  const own = entityId(entity);
  return own === entity.typename || entity.typename === CALLER_ENTITY ? [own] : [own, entity.typename];
}
