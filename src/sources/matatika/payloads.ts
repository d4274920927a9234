import { z } from 'zod';
import { optionalText as text } from '../decode.js';

// Every field but the id may be absent or null (../shared/design/upstreams.md).

export const profileSchema = z.object({
  id: z.string(),
  name: text,
  handle: text,
  phone: text,
  email: text,
  defaultWorkspace: z
    .object({ id: z.string(), name: text })
    .nullish()
    .transform((v) => v ?? null),
  workingAccount: z
    .object({ id: z.string(), company: text })
    .nullish()
    .transform((v) => v ?? null),
});
export type Profile = z.output<typeof profileSchema>;

export const memberSchema = z.object({ id: z.string(), name: text, handle: text });
export type Member = z.output<typeof memberSchema>;

export const WORKSPACE_STATUSES = ['READY', 'PROVISIONING', 'FAILED'] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

export const workspaceSchema = z.object({
  id: z.string(),
  name: text,
  alias: text,
  // A status this gateway does not know yet reads as null rather than failing the whole workspace.
  status: z
    .string()
    .nullish()
    .transform((v) =>
      (WORKSPACE_STATUSES as readonly string[]).includes(v ?? '') ? (v as WorkspaceStatus) : null,
    ),
  domains: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  repositoryUrl: text,
  imageUrl: text,
  created: text,
  lastModified: text,
  defaultWorkspace: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
});
export type Workspace = z.output<typeof workspaceSchema>;

/** A HAL collection: `{_embedded: {<name>: [...]}}`. An empty collection may omit `_embedded` entirely. */
function collection<T extends z.ZodType>(name: string, item: T) {
  return z
    .object({ _embedded: z.object({ [name]: z.array(item).optional() }).optional() })
    .transform((v) => ((v._embedded?.[name] as z.output<T>[] | undefined) ?? []) as z.output<T>[]);
}

export const profileListSchema = collection('profiles', profileSchema);
export const memberListSchema = collection('members', memberSchema);

export const workspacePageSchema = z
  .object({
    _embedded: z.object({ workspaces: z.array(workspaceSchema).optional() }).optional(),
    page: z
      .object({
        size: z.number().int(),
        totalElements: z.number().int(),
        totalPages: z.number().int(),
        number: z.number().int(),
      })
      .optional(),
  })
  .transform((v) => ({ workspaces: v._embedded?.workspaces ?? [], page: v.page ?? null }));
export type WorkspacePage = z.output<typeof workspacePageSchema>;

/** Spring's error body: `{timestamp, status, error, errors[], message, path}`. */
export function matatikaMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof error === 'string' && error !== '' ? error : undefined;
}
