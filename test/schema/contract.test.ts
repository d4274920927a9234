import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('public contract', () => {
  it('keeps every name and type of ../shared/design/schema-contract.graphql in schema/schema.graphql', () => {
    const check = spawnSync(
      process.execPath,
      ['../shared/tools/contract-check.mjs', 'schema/schema.graphql'],
      {
        encoding: 'utf8',
      },
    );
    expect(check.stdout).toContain('every contract name is in place');
    expect(check.status).toBe(0);
  });
});
