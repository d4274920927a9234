import type { CodegenConfig } from '@graphql-codegen/cli';

// Types the example operations (README, GraphiQL, benchmark) against the printed schema, so an example
// that no longer matches the schema fails `npm test` (codegen --check) instead of a user's first try.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/examples/*.graphql',
  // NodeNext resolution needs the .js suffixes on the generated imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars: { DateTime: 'string' }, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
