import { z } from 'zod';

// Upstreams leave fields out or send null interchangeably; these decode both to null, so the rest of the
// gateway reads one shape.

export const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const optionalBool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null);

export const optionalInt = z
  .number()
  .int()
  .nullish()
  .transform((v) => v ?? null);

export const optionalNumber = z
  .number()
  .nullish()
  .transform((v) => v ?? null);

/** `schema`, or null when the field is absent or null. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => (v ?? null) as z.output<T> | null);
}
