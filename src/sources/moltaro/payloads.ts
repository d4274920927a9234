import { z } from 'zod';
import { optionalInt as int, optionalText as text } from '../decode.js';

// Every field of the envelope is nullable (seed 002); null and absent read the same.
const noticeSchema = z
  .object({ Code: text, Message: text, Target: text, Field: text, Type: int, Severity: int })
  .transform((n) => ({
    code: n.Code ?? '',
    message: n.Message ?? '',
    target: n.Target,
    field: n.Field,
    type: n.Type,
    severity: n.Severity,
  }));
export type Notice = z.output<typeof noticeSchema>;

const notices = z
  .array(noticeSchema)
  .nullish()
  .transform((v) => v ?? []);

export const envelopeSchema = z
  .object({
    Data: z
      .object({ UserId: text, UserName: text, Email: text, FirstName: text, LastName: text, UserType: int })
      .nullish(),
    Errors: notices,
    Warnings: notices,
    Success: z.boolean().nullish(),
  })
  .transform((e) => ({
    data: e.Data
      ? {
          userId: e.Data.UserId,
          userName: e.Data.UserName,
          email: e.Data.Email,
          firstName: e.Data.FirstName,
          lastName: e.Data.LastName,
          userType: e.Data.UserType,
        }
      : null,
    errors: e.Errors,
    warnings: e.Warnings,
    success: e.Success ?? null,
  }));

export type WorkspaceAccountProfile = NonNullable<z.output<typeof envelopeSchema>['data']> & {
  warnings: Notice[];
};

/** An error body is either RFC 9457 problem+json (403, 401) or the envelope with Errors (404). */
export function moltaroMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { detail, title, Errors } = body as { detail?: unknown; title?: unknown; Errors?: unknown };
  if (typeof detail === 'string' && detail !== '') return detail;
  if (typeof title === 'string' && title !== '') return title;
  const first = Array.isArray(Errors) ? (Errors[0] as { Message?: unknown } | undefined) : undefined;
  return typeof first?.Message === 'string' && first.Message !== '' ? first.Message : undefined;
}
