import type { CodegenConfig } from '@graphql-codegen/cli';

// Types the example operations (README, GraphiQL, benchmark) against the printed schema, so an example
// that no longer matches the schema fails `npm test` (codegen --check) instead of a user's first try.
// It also writes schema/generated/persisted-documents.json, the trusted-documents manifest that
// PERSISTED_OPERATIONS=only serves by default: the examples are the operations this repository ships.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/examples/*.graphql',
  // NodeNext resolution needs the .js suffixes on the generated imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'schema/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: { scalars: { DateTime: 'string' }, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
