import { z } from 'zod';
import {
  optionalBool as bool,
  optionalInt as int,
  optional,
  optionalNumber,
  optionalText as text,
} from '../decode.js';

const money = z
  .object({ formatted: text, amount: text, currency: text, currency_symbol: text })
  .transform((m) => ({
    formatted: m.formatted,
    amount: m.amount,
    currency: m.currency,
    currencySymbol: m.currency_symbol,
  }));

const trialSchema = z
  .object({
    active: bool,
    created: text,
    description: text,
    expiration: text,
    current: optional(money),
    spend: optional(money),
    spend_remaining: optional(
      z
        .object({ formatted: text, amount: text, currency: text, currency_symbol: text, unlimited: bool })
        .transform((m) => ({
          formatted: m.formatted,
          amount: m.amount,
          currency: m.currency,
          currencySymbol: m.currency_symbol,
          unlimited: m.unlimited,
        })),
    ),
    projects: optional(
      z.object({
        id: text,
        name: text,
        total: optional(
          z
            .object({
              amount: optionalNumber,
              currency_code: text,
              currency_symbol: text,
              formatted: text,
            })
            .transform((t) => ({
              amount: t.amount,
              currencyCode: t.currency_code,
              currencySymbol: t.currency_symbol,
              formatted: t.formatted,
            })),
        ),
      }),
    ),
    pending_verification: text,
    model: text,
    days_remaining: int,
  })
  .transform(({ spend_remaining, pending_verification, days_remaining, ...rest }) => ({
    ...rest,
    spendRemaining: spend_remaining,
    pendingVerification: pending_verification,
    daysRemaining: days_remaining,
  }));

export const userProfileSchema = z
  .object({
    id: z.string(),
    display_name: text,
    email: text,
    username: text,
    type: text,
    picture: text,
    company_type: text,
    company_name: text,
    company_role: text,
    currency: text,
    vat_number: text,
    website_url: text,
    new_ui: bool,
    ui_colorscheme: text,
    default_catalog: text,
    project_options_url: text,
    marketing: bool,
    billing_contact: text,
    invoiced: bool,
    created_at: text,
    updated_at: text,
    // Dropped from newer versions of the API, so absent is normal.
    current_trial: optional(trialSchema),
  })
  .transform((p) => ({
    id: p.id,
    displayName: p.display_name,
    email: p.email,
    username: p.username,
    type: p.type,
    picture: p.picture,
    companyType: p.company_type,
    companyName: p.company_name,
    companyRole: p.company_role,
    currency: p.currency,
    vatNumber: p.vat_number,
    websiteUrl: p.website_url,
    newUi: p.new_ui,
    uiColorscheme: p.ui_colorscheme,
    defaultCatalog: p.default_catalog,
    projectOptionsUrl: p.project_options_url,
    marketing: p.marketing,
    billingContact: p.billing_contact,
    invoiced: p.invoiced,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    currentTrial: p.current_trial,
  }));
export type UserProfile = z.output<typeof userProfileSchema>;

const link = z.object({ href: z.string() }).nullish();

export const userProfileListSchema = z.object({
  count: int,
  profiles: z
    .array(userProfileSchema)
    .nullish()
    .transform((v) => v ?? []),
  _links: z.object({ next: link, previous: link }).nullish(),
});

export const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

/** `{error}` bodies, and OAuth's `{error, error_description}`. */
export function upsunMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, error_description } = body as { error?: unknown; error_description?: unknown };
  if (typeof error_description === 'string' && error_description !== '') return error_description;
  return typeof error === 'string' && error !== '' ? error : undefined;
}
