import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node, and so every dependency loaded outside Vite,
    // takes the CJS entry; Vite would take the ESM one for our own files, and graphql refuses to mix
    // two copies of itself. Point Vite at the file Node uses.
    // Only the bare specifier: deep imports (graphql/language/ast.js) resolve to the CJS files themselves.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own sandbox on port 0; files run in parallel, tests within a file in order.
    testTimeout: 15_000,
    hookTimeout: 15_000,
    // The whole suite runs once per request path: the front door's fast path, and everything through
    // Yoga (FAST_PATH=0). test/support/path.ts hands the setting to every gateway a test builds.
    projects: [
      { extends: true, test: { name: 'fast', env: { FAST_PATH: '1' } } },
      { extends: true, test: { name: 'yoga', env: { FAST_PATH: '0' } } },
    ],
  },
});
