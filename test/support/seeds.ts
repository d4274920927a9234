import { readdirSync, readFileSync } from 'node:fs';

const SEEDS = new URL('../../../shared/seeds/', import.meta.url);

/** The text of the seed page whose file name starts with `prefix` (e.g. '000'). */
export function seed(prefix: string): string {
  const file = readdirSync(SEEDS).find((name) => name.startsWith(`${prefix}_`));
  if (!file) throw new Error(`no seed ${prefix}_… in ${SEEDS.pathname}`);
  return readFileSync(new URL(file, SEEDS), 'utf8');
}

/** Every top-level JSON object in a seed page, in order: the pages' examples are the test data. */
export function jsonExamples(text: string): unknown[] {
  const found: unknown[] = [];
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i)) {
    const end = matchingBrace(text, i);
    if (end === -1) break;
    try {
      found.push(JSON.parse(text.slice(i, end + 1)));
      i = end + 1;
    } catch {
      i += 1;
    }
  }
  return found;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}
