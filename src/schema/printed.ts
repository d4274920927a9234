import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchema } from 'graphql';
import { schema } from './index.js';
import { printStitchingSdl } from './stitching.js';

/**
 * The checked-in SDL, one file per reader (`npm run schema:print` writes them; test/schema/printed-sdl.test.ts fails
 * when any drifts):
 * - schema.graphql: what a client introspects at /graphql;
 * - subgraph.graphql: the same as an Apollo Federation v2 subgraph (`_service { sdl }`), with @link and @key;
 * - stitching.graphql: the same with schema-stitching directives (`_sdl`).
 */
export function printedSchemas(): Record<string, string> {
  return {
    'schema.graphql': `${printSchema(schema)}\n`,
    'subgraph.graphql': `${printSubgraphSchema(schema)}\n`,
    'stitching.graphql': printStitchingSdl(schema),
  };
}
