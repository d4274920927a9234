// The sandbox's mutable state: the demo data of every source as plain objects, deep-copied into a fresh
// state at start and on reset(), so one test's mutations never leak into the next.
import { type CadenyaData, initialCadenya } from './fixtures/cadenya.js';
import { initialMatatika, type MatatikaData } from './fixtures/matatika.js';
import { initialMoltaro, type MoltaroData } from './fixtures/moltaro.js';
import { initialUpsun, type UpsunData } from './fixtures/upsun.js';

export { demo } from './demo.js';
export type * from './fixtures/cadenya.js';
export type * from './fixtures/matatika.js';
export type * from './fixtures/moltaro.js';
export type * from './fixtures/upsun.js';

export interface SandboxState {
  matatika: MatatikaData;
  cadenya: CadenyaData;
  moltaro: MoltaroData;
  upsun: UpsunData;
}

const initial: SandboxState = {
  matatika: initialMatatika,
  cadenya: initialCadenya,
  moltaro: initialMoltaro,
  upsun: initialUpsun,
};

/** A fresh, independent copy of the demo data (structuredClone, since Infinity does not survive JSON). */
export function createState(): SandboxState {
  return structuredClone(initial);
}
