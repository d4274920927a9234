import { z } from 'zod';

// The kinds of value the environment holds, each with a message that says what to set.

export const flag = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1');

export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL, e.g. https://app.matatika.com' })
  .refine((v) => !/[?#]/.test(v), 'must not contain a query string or fragment')
  .transform((v) => new URL(v.replace(/\/+$/, '')));

export const headerName = (example: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, `must be an HTTP header name such as ${example}`)
    .transform((v) => v.toLowerCase());

export const timeout = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .min(1, 'must be at least 1 ms')
  .max(600_000, 'must be at most 600000 ms');

export const nonEmpty = z.string().min(1, 'must not be empty');

/** A key shared by every instance (cursors, cache scopes): long enough to resist guessing. */
export const secret = z.string().min(32, 'must be at least 32 characters');

export const count = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535);

export const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)),
    'must be a comma-separated list of origins such as https://app.example.com (scheme and host, no path), or *',
  );

export const ttl = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .min(1, 'must be at least 1 ms');

// `Profile=60000,Workspace=30000`: type names as the schema spells them.
export const ttlPerType = z
  .string()
  .regex(
    /^[A-Za-z_]\w*=\d+(,[A-Za-z_]\w*=\d+)*$/,
    'must be a comma-separated list of Type=milliseconds, e.g. Profile=60000,AccountProfile=0',
  )
  .transform(
    (v): Record<string, number> =>
      Object.fromEntries(
        v
          .split(',')
          .map((pair) => pair.split('='))
          .map(([t, ms]) => [t, Number(ms)]),
      ),
  );
