import { readFileSync } from 'node:fs';

/**
 * The example operations of schema/examples/, which GraphiQL opens with and the README shows. They are
 * checked against the schema by `npm run codegen -- --check` and run against the sandbox by
 * test/schema/examples.test.ts, so what a newcomer sees first is known to work.
 */
export const EXAMPLES = ['overview', 'workspace-members', 'set-default-workspace', 'upsert-profile'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

// src/ and dist/ both sit one level below the project root.
const examplesDir = new URL('../schema/examples/', import.meta.url);

export function exampleOperation(name: ExampleName): string {
  return readFileSync(new URL(`${name}.graphql`, examplesDir), 'utf8');
}

export interface GraphiQLTab {
  query: string;
  variables?: string;
  headers?: string;
}

/** GraphiQL tabs for the examples, with the given variables and request headers filled in. */
export function exampleTabs(
  variables: Partial<Record<ExampleName, Record<string, unknown>>>,
  headers: Record<string, string>,
): GraphiQLTab[] {
  return EXAMPLES.map((name) => ({
    query: exampleOperation(name),
    variables: JSON.stringify(variables[name] ?? {}, null, 2),
    headers: JSON.stringify(headers, null, 2),
  }));
}
