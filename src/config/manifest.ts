import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

// The shipped manifest: the repository's example operations (see codegen.ts). src/config/ and
// dist/config/ both sit two levels below the project root.
export const DEFAULT_MANIFEST = new URL('../../schema/generated/persisted-documents.json', import.meta.url);

const manifestSchema = z.record(z.string().min(1), z.string().min(1));

/**
 * Reads a trusted-documents manifest; a missing or malformed one is a problem that stops the boot,
 * naming the variable.
 */
export function readManifest(file: URL): ReadonlyMap<string, string> | string {
  const where = `PERSISTED_OPERATIONS_MANIFEST: ${fileURLToPath(file)}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return `${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${where} is not JSON`;
  }
  const manifest = manifestSchema.safeParse(json);
  if (!manifest.success || Object.keys(manifest.data).length === 0) {
    return `${where} must be a non-empty JSON object of document id to document text`;
  }
  return new Map(Object.entries(manifest.data));
}
