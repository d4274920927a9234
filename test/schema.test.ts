import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

describe('schema', () => {
  it('matches the checked-in schema/schema.graphql (run `npm run schema:print` after a change)', () => {
    const checkedIn = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(`${printSchema(schema)}\n`).toBe(checkedIn);
  });
});
