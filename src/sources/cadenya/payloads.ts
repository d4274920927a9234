import { z } from 'zod';

export const ACCOUNT_PROFILE_TYPES = ['UNSPECIFIED', 'USER', 'API_KEY', 'SYSTEM'] as const;
export type AccountProfileType = (typeof ACCOUNT_PROFILE_TYPES)[number];

/** Proto3 sends an unset string as "": read as null, like an absent one. */
const textOrUnset = z
  .string()
  .nullish()
  .transform((v) => v || null);

/** `PROFILE_TYPE_USER` -> `USER`; a type this gateway does not know reads as UNSPECIFIED, as proto3 does. */
const profileType = z
  .string()
  .nullish()
  .transform((v): AccountProfileType => {
    const bare = (v ?? '').replace(/^PROFILE_TYPE_/, '');
    return (ACCOUNT_PROFILE_TYPES as readonly string[]).includes(bare)
      ? (bare as AccountProfileType)
      : 'UNSPECIFIED';
  });

const profileSchema = z
  .object({
    metadata: z.object({
      id: z.string(),
      accountId: z.string(),
      name: z.string(),
      profileId: textOrUnset,
      externalId: textOrUnset,
      labels: z.record(z.string(), z.string()).nullish(),
    }),
    // proto3 JSON leaves out a message whose fields are all defaults, so spec may be absent.
    spec: z
      .object({ type: profileType, email: textOrUnset, name: textOrUnset })
      .nullish()
      .transform((v) => v ?? { type: 'UNSPECIFIED' as const, email: null, name: null }),
  })
  .transform(({ metadata, spec }) => ({
    id: metadata.id,
    accountId: metadata.accountId,
    name: metadata.name,
    profileId: metadata.profileId,
    externalId: metadata.externalId,
    labels: Object.entries(metadata.labels ?? {}).map(([key, value]) => ({ key, value })),
    type: spec.type,
    email: spec.email,
    displayName: spec.name,
  }));
export type AccountProfile = z.output<typeof profileSchema>;

/** A search page. proto3 JSON omits empty fields: no `items` when nothing matches, no `nextCursor` at the end. */
export const searchPageSchema = z
  .object({
    items: z.array(profileSchema).nullish(),
    pagination: z.object({ nextCursor: z.string().nullish(), total: z.number().int().nullish() }).nullish(),
  })
  .transform((v) => ({
    items: v.items ?? [],
    nextCursor: v.pagination?.nextCursor || null,
    total: v.pagination?.total ?? null,
  }));
export type SearchPage = z.output<typeof searchPageSchema>;

/** google.rpc.Status: `{code, message, details}`. */
export function cadenyaMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}
