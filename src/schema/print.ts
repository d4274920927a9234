import { writeFileSync } from 'node:fs';
import { printedSchemas } from './printed.js';

for (const [name, text] of Object.entries(printedSchemas())) {
  const target = new URL(`../../schema/${name}`, import.meta.url);
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
