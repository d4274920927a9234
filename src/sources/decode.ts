import { z } from 'zod';

// Upstreams leave fields out or send null interchangeably; these decode both to null, so the rest of the
// gateway reads one shape.

/** `schema`, or null when the field is absent or null. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => (v ?? null) as z.output<T> | null);
}

export const optionalText = optional(z.string());
export const optionalBool = optional(z.boolean());
export const optionalInt = optional(z.number().int());
export const optionalNumber = optional(z.number());
