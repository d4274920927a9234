import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.js';

// `npm run schema:print` writes the checked-in schema; test/schema.test.ts fails when it drifts.
const target = new URL('../../schema/schema.graphql', import.meta.url);
writeFileSync(target, `${printSchema(schema)}\n`);
console.log(`wrote ${target.pathname}`);
