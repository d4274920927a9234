import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the code stays navigable', () => {
  it('keeps every file in src/ at 300 lines or fewer (import cycles are a lint error: biome.json)', () => {
    const long = sourceFiles(SRC)
      .map((file) => ({
        file: file.slice(SRC.length),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
  });

  it('lets only src/sources/ and the sandbox name an upstream API path', () => {
    const outside = sourceFiles(SRC)
      .filter((file) => !file.includes('/sources/') && !file.includes('/sandbox/'))
      .filter((file) => /['"`]\/(api|v1|oauth2|profiles)\//.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(SRC.length));
    expect(outside).toEqual([]);
  });
});
