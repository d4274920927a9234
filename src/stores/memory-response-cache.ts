import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import { entityId, indexIds } from './entities.js';

export interface MemoryResponseLimits {
  /** Answers kept at most. */
  maxEntries: number;
  /** Bytes kept at most: each answer counts its JSON and the entity ids it is filed under. */
  maxBytes: number;
}

interface Entry {
  result: ExecutionResult;
  entities: string[];
}

/**
 * The response cache of one process: answers bounded by count and by bytes, least recently used first
 * out, each filed under its entities so that invalidating one drops every answer holding it. The
 * entity index follows the answers exactly: an answer leaving by any path (evicted, expired, replaced,
 * invalidated) leaves the index too, and an entity with no answer left is forgotten.
 */
export function memoryResponseCache(
  limits: MemoryResponseLimits = { maxEntries: 1_000, maxBytes: 16 * 1024 * 1024 },
): Cache {
  const answersOf = new Map<string, Set<string>>();
  const unindex = (key: string, entities: string[]) => {
    for (const entity of entities) {
      const keys = answersOf.get(entity);
      keys?.delete(key);
      if (keys?.size === 0) answersOf.delete(entity);
    }
  };
  const answers = new LRUCache<string, Entry>({
    max: limits.maxEntries,
    maxSize: limits.maxBytes,
    sizeCalculation: (entry) =>
      JSON.stringify(entry.result).length + entry.entities.reduce((sum, e) => sum + e.length, 0),
    dispose: (entry, key) => unindex(key, entry.entities),
  });
  return {
    set(key, result, collected, ttl) {
      const entities = [...new Set([...collected].flatMap(indexIds))];
      answers.set(key, { result, entities }, { ttl });
      // Not kept (larger than the whole budget): nothing to index.
      if (answers.peek(key)?.result !== result) return;
      for (const entity of entities) {
        let keys = answersOf.get(entity);
        if (!keys) {
          keys = new Set();
          answersOf.set(entity, keys);
        }
        keys.add(key);
      }
    },
    get(key) {
      return answers.get(key)?.result ?? null;
    },
    invalidate(collected) {
      for (const entity of collected) {
        for (const key of [...(answersOf.get(entityId(entity)) ?? [])]) answers.delete(key);
      }
    },
  };
}
