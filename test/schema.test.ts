import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchemas } from '../src/schema/printed.js';

describe('schema', () => {
  for (const [name, text] of Object.entries(printedSchemas())) {
    it(`matches the checked-in schema/${name} (run \`npm run schema:print\` after a change)`, () => {
      const checkedIn = readFileSync(new URL(`../schema/${name}`, import.meta.url), 'utf8');
      expect(text).toBe(checkedIn);
    });
  }
});
