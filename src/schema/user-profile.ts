import type { Context } from '../context.js';
import type { UserProfile } from '../sources/upsun/payloads.js';
import { builder } from './builder.js';
import { PAGED, reads } from './governance.js';
import { connectionOf, cursorConnection, orEmpty, pageSize } from './paging.js';

type Trial = NonNullable<UserProfile['currentTrial']>;

/** Loaded through the request's one cache of user profiles, which the upsun client owns. */
export const UserProfileRef = builder.nodeRef('UserProfile', {
  id: { resolve: (p: UserProfile) => p.id, parse: (id) => id },
  loadManyWithoutCache: (ids: string[], ctx: Context) =>
    ctx.sources.upsun.profiles.loadMany(ids) as Promise<UserProfile[]>,
});

const Money = builder.objectRef<NonNullable<Trial['current']>>('Money').implement({
  fields: (t) => ({
    formatted: t.exposeString('formatted'),
    amount: t.exposeString('amount', {
      description: 'A decimal string, as the upstream sends it, to keep its precision.',
    }),
    currency: t.exposeString('currency'),
    currencySymbol: t.exposeString('currencySymbol'),
  }),
});

const SpendRemaining = builder.objectRef<NonNullable<Trial['spendRemaining']>>('SpendRemaining').implement({
  fields: (t) => ({
    formatted: t.exposeString('formatted'),
    amount: t.exposeString('amount'),
    currency: t.exposeString('currency'),
    currencySymbol: t.exposeString('currencySymbol'),
    unlimited: t.exposeBoolean('unlimited'),
  }),
});

type Projects = NonNullable<Trial['projects']>;

const ProjectTotal = builder.objectRef<NonNullable<Projects['total']>>('ProjectTotal').implement({
  fields: (t) => ({
    amount: t.exposeFloat('amount'),
    currencyCode: t.exposeString('currencyCode'),
    currencySymbol: t.exposeString('currencySymbol'),
    formatted: t.exposeString('formatted'),
  }),
});

const TrialProjects = builder.objectRef<Projects>('TrialProjects').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    total: t.field({ type: ProjectTotal, resolve: (p) => p.total }),
  }),
});

const TrialRef = builder.objectRef<Trial>('Trial').implement({
  fields: (t) => ({
    active: t.exposeBoolean('active'),
    created: t.field({ type: 'DateTime', resolve: (p) => p.created }),
    description: t.exposeString('description'),
    expiration: t.field({ type: 'DateTime', resolve: (p) => p.expiration }),
    current: t.field({ type: Money, resolve: (p) => p.current }),
    spend: t.field({ type: Money, resolve: (p) => p.spend }),
    spendRemaining: t.field({ type: SpendRemaining, resolve: (p) => p.spendRemaining }),
    projects: t.field({ type: TrialProjects, resolve: (p) => p.projects }),
    pendingVerification: t.exposeString('pendingVerification'),
    model: t.exposeString('model'),
    daysRemaining: t.exposeInt('daysRemaining'),
  }),
});

UserProfileRef.implement({
  authenticated: true,
  description: 'An Upsun (formerly Platform.sh) user profile.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, description: 'The id the upstream uses.', resolve: (p) => p.id }),
    displayName: t.exposeString('displayName'),
    email: t.exposeString('email'),
    username: t.exposeString('username'),
    type: t.exposeString('type', { description: '`user`; newer upstream versions also `organization`.' }),
    picture: t.exposeString('picture'),
    companyType: t.exposeString('companyType'),
    companyName: t.exposeString('companyName'),
    companyRole: t.exposeString('companyRole'),
    currency: t.exposeString('currency'),
    vatNumber: t.exposeString('vatNumber'),
    websiteUrl: t.exposeString('websiteUrl'),
    newUi: t.exposeBoolean('newUi'),
    uiColorscheme: t.exposeString('uiColorscheme'),
    defaultCatalog: t.exposeString('defaultCatalog'),
    projectOptionsUrl: t.exposeString('projectOptionsUrl'),
    marketing: t.exposeBoolean('marketing'),
    billingContact: t.exposeString('billingContact'),
    invoiced: t.exposeBoolean('invoiced'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    currentTrial: t.field({
      type: TrialRef,
      description: 'Absent from newer upstream versions, so often null.',
      resolve: (p) => p.currentTrial,
    }),
  }),
});

const UserProfileConnection = connectionOf(UserProfileRef, 'UserProfile');

builder.queryFields((t) => ({
  userProfiles: t.field({
    type: UserProfileConnection,
    nullable: false,
    // The list is walked through its next links, at most 10 pages (UpsunClient's MAX_PAGES).
    ...reads(10),
    ...PAGED,
    description: "Upsun user profiles, paged by following the upstream's own next links.",
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx, info) =>
      orEmpty(ctx, info, async () =>
        cursorConnection(await ctx.sources.upsun.list({ first: pageSize(args), after: args.after })),
      ),
  }),
  userProfile: t.field({
    type: UserProfileRef,
    ...reads(1),
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.sources.upsun.profiles.load(id),
  }),
}));
