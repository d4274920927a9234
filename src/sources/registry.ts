import { cadenya } from './cadenya/index.js';
import { matatika } from './matatika/index.js';
import { moltaro } from './moltaro/index.js';
import { upsun } from './upsun/index.js';

/**
 * Every upstream, in the order the README and the startup banner list them. A source is a folder with
 * an index.ts that exports its descriptor, and one line here.
 */
export const REGISTRY = { matatika, cadenya, moltaro, upsun };

export type SourceName = keyof typeof REGISTRY;
export const SOURCES = Object.keys(REGISTRY) as readonly SourceName[];
