import { readFileSync } from 'node:fs';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchemas } from '../../src/schema/printed.js';
import { useHarness } from '../support/harness.js';

const h = useHarness();
const checkedIn = (name: string) => readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8');

describe('schema', () => {
  for (const [name, text] of Object.entries(printedSchemas())) {
    it(`matches the checked-in schema/${name} (run \`npm run schema:print\` after a change)`, () => {
      expect(text).toBe(checkedIn(name));
    });
  }

  it('is, printed from an introspection of /graphql, schema/schema.graphql exactly (@defer and @stream included)', async () => {
    const res = await h.gql<IntrospectionQuery>(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    );
    expect(res.errors).toBeUndefined();
    const introspected = buildClientSchema(res.data as IntrospectionQuery);
    expect(`${printSchema(introspected)}\n`).toBe(checkedIn('schema.graphql'));
    // What clients' code generators read to type and validate DateTime.
    expect(introspected.getType('DateTime')).toMatchObject({
      specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
    });
  });
});
