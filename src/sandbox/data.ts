// The sandbox's demo data: plain objects, deep-copied into a fresh state at start and on reset(), so a test's
// mutations never leak into the next. `demo` names the tokens and ids tests and `npm start` refer to.

const A_OWNER = 'auth0|6a21dc7aa1db2e036a222942';
const B_OWNER = 'auth0|5eb0327cbfd7490bff55feeb';
const OUTSIDER = 'auth0|15eff0eea498a8901850e85f';

const MATATIKA_TOKENS = {
  demo: 'matatika-demo-token',
  other: 'matatika-other-token',
  newcomer: 'matatika-newcomer-token',
  outsider: 'matatika-outsider-token',
} as const;

const WS = {
  ready: '1f4dd699-ecb3-4e7f-ab8c-3c077ad51272',
  provisioning: '79459aa4-32ba-4eac-837d-430553ab67b6',
  failed: 'debda0b9-7887-4fb3-ad93-f0a423b11f69',
  marketing: '84934a16-8a3b-4c7f-a4f8-b7bafcef809d',
  finance: '1755daa3-9b87-4b9d-bb67-5b2dd25fcddc',
  forbidden: '5400b920-a321-45aa-bc0c-186777738d9d',
} as const;

const CADENYA_ACCOUNT = 'account_01HXN1W2VKMBVXDC6BV9XJYBTW';

export const demo = {
  matatika: {
    tokens: MATATIKA_TOKENS,
    /** Token -> the profile id that is its subject. */
    subjects: {
      [MATATIKA_TOKENS.demo]: A_OWNER,
      [MATATIKA_TOKENS.other]: B_OWNER,
      [MATATIKA_TOKENS.newcomer]: 'auth0|6a290eb31ce7627f41f2430e',
      [MATATIKA_TOKENS.outsider]: OUTSIDER,
    },
    profileIds: {
      /** Owner of account A ("Test Company"), the demo user; the seed profile. */
      demo: A_OWNER,
      /** Owner of account B (no company); member of the provisioning workspace, so visible as a member only. */
      other: B_OWNER,
      /** Has no profile until it PUTs one (201). */
      newcomer: 'auth0|6a290eb31ce7627f41f2430e',
      /** In account A but a member of no workspace. */
      outsider: OUTSIDER,
      /** Has a phone; owns the marketing workspace, where the demo user is a plain member. */
      google: 'google-oauth2|104882345120938475610',
      github: 'github|5821734',
      saml: 'samlp|acme|jane.doe@acme.com',
      /** Email only: no name, no handle. */
      nameless: 'auth0|403d002a58898176b9c0f2cc',
      /** Nothing but an id. */
      bare: 'auth0|63d0b32af9675e8783a63af1',
      /** In account B and in the forbidden workspace. */
      otherAccount: 'auth0|7e14e81ca57d3fb04bc78250',
    },
    workspaceIds: { ...WS, large: WS.ready },
    counts: { accountProfiles: 30, otherAccountProfiles: 3, largeWorkspaceMembers: 24, demoWorkspaces: 5 },
  },
  cadenya: {
    tokens: { admin: 'cadenya-admin-key', member: 'cadenya-member-key' },
    accountId: CADENYA_ACCOUNT,
    profileIds: {
      admin: 'profile_01HXTVWN0S3KJPA4CV7KHXQZMZ',
      member: 'profile_01HX8GFMQ5QSWRWB9SK0DXW8AF',
      apiKey: 'profile_01HXJD9Y68H1S7F3W2FDPWFBZW',
      system: 'profile_01HXYMTC42QK223RA9RKGFQVXK',
      unspecified: 'profile_01HXFYEWX4MEESY0K7TA02F20N',
    },
    count: 15,
  },
  moltaro: {
    tokens: {
      demo: 'moltaro-demo-token',
      /** A user whose Data is mostly null and whose Warnings are null. */
      sparse: 'moltaro-sparse-token',
      serviceAccount: 'moltaro-service-account-key',
      notFound: 'moltaro-not-found-token',
      /** 200 with Success false and Errors. */
      failing: 'moltaro-failing-token',
    },
  },
  upsun: {
    apiToken: 'upsun-demo-api-token',
    /** A bearer that works without an exchange until revokeUpsunTokens(). */
    accessToken: 'upsun-demo-access-token',
    profileIds: {
      demo: '6f8bea83-59b8-4278-892c-f2208009002f',
      organization: 'fbe85e42-9a48-4d74-841d-9de0c92f71b0',
      nulls: '71d4c7b5-277c-4a2b-8dec-b4161f4815ef',
      noTrial: '1f8f5979-a3b4-4b8e-bb31-f25ba50781db',
    },
    count: 8,
    pageSize: 3,
  },
} as const;

// ---- matatika ----

export type WorkspaceStatus = 'READY' | 'PROVISIONING' | 'FAILED';

export interface MatatikaProfile {
  id: string;
  /** The id of the owner profile of the account this profile lives in. */
  accountId: string;
  name?: string;
  handle?: string;
  phone?: string;
  email?: string;
  defaultWorkspaceId?: string;
}

export interface MatatikaWorkspace {
  id: string;
  created: string;
  lastModified: string;
  alias: string;
  name: string;
  domains: string[];
  repositoryUrl?: string;
  pipelinesImage?: string;
  imageUrl?: string;
  status: WorkspaceStatus;
  ownerId: string;
  /** Includes the owner; order is the order members are listed in. */
  memberIds: string[];
}

export interface MatatikaData {
  /** Token -> subject (profile id). */
  tokens: Record<string, string>;
  /** Keyed by the account owner's profile id. */
  accounts: Record<string, { company?: string }>;
  profiles: Record<string, MatatikaProfile>;
  /** In creation order, which is the order /api/workspaces lists them in. */
  workspaces: MatatikaWorkspace[];
}

/**
 * The handle the upstream generates from a name: `@` + the name lower-cased without whitespace, cut at an
 * `@` (an email used as a name yields its local part), with the first free numeric suffix when another
 * profile holds it. This reproduces both seed examples: `sit+prod@meltano.com` became `@sit+prod1` because
 * `@sit+prod` was taken, and `SIT-Generated Profile [2026-…]` became `@sit-generatedprofile[2026-…]`.
 */
export function handleFor(name: string, isTaken: (handle: string) => boolean): string | undefined {
  const stem = name.toLowerCase().replace(/\s+/g, '').split('@')[0];
  if (!stem) return undefined;
  let handle = `@${stem}`;
  for (let n = 1; isTaken(handle); n++) handle = `@${stem}${n}`;
  return handle;
}

function person(
  accountId: string,
  id: string,
  name: string,
  extra: Partial<MatatikaProfile> = {},
): MatatikaProfile {
  const email = `${name.toLowerCase().replace(/\s+/g, '.')}@testcompany.io`;
  return { id, accountId, name, handle: handleFor(name, () => false), email, ...extra };
}

const a = (id: string, name: string, extra?: Partial<MatatikaProfile>) => person(A_OWNER, id, name, extra);

const accountA: MatatikaProfile[] = [
  {
    id: A_OWNER,
    accountId: A_OWNER,
    name: 'sit+prod@meltano.com',
    handle: '@sit+prod1',
    email: 'sit+prod@meltano.com',
    defaultWorkspaceId: WS.ready,
  },
  a('google-oauth2|104882345120938475610', 'Ada Lovelace', {
    phone: '+44 20 7946 0018',
    defaultWorkspaceId: WS.marketing,
  }),
  a('github|5821734', 'Grace Hopper'),
  a('samlp|acme|jane.doe@acme.com', 'Jane Doe', { email: 'jane.doe@acme.com', phone: '+1 555 0100' }),
  { id: 'auth0|403d002a58898176b9c0f2cc', accountId: A_OWNER, email: 'no.name@testcompany.io' },
  a('auth0|29e0bbefd18196eded96b99e', 'Alan Turing', {
    phone: '+44 161 496 0123',
    defaultWorkspaceId: WS.ready,
  }),
  a('auth0|40490c4e8824c1b1c590e27f', 'Katherine Johnson'),
  a('google-oauth2|117263549810293847561', 'Margaret Hamilton', { phone: '+1 617 555 0199' }),
  a('auth0|b68caaa94612d51400aff51a', 'Barbara Liskov'),
  a('auth0|b073dcf7b4b9592fb964b893', 'Edsger Dijkstra', { phone: '+31 20 555 0142' }),
  a('samlp|acme|ken.thompson@acme.com', 'Ken Thompson', { email: 'ken.thompson@acme.com' }),
  a('auth0|cfd7d245536b62bc18617383', 'Dennis Ritchie'),
  a('auth0|eb69df20bf69638d9348ff5f', 'Frances Allen', { phone: '+1 914 555 0107' }),
  a('google-oauth2|108374659201837465920', 'John McCarthy'),
  a('auth0|efce83be062e193d231fb041', 'Radia Perlman'),
  a('github|1024', 'Donald Knuth', { phone: '+1 650 555 0110' }),
  a('auth0|4caaaa8d840e79c2598e6dcf', 'Hedy Lamarr'),
  a('auth0|6c37fbe6a8caadb9010b46c4', 'Tim Berners-Lee', { phone: '+44 1865 555 012' }),
  a('auth0|24a0487eb920ac63c3f00d54', 'Shafi Goldwasser'),
  a('auth0|7cc46677f4f25582191fc90b', 'Leslie Lamport'),
  a('samlp|acme|adele.goldberg@acme.com', 'Adele Goldberg', {
    email: 'adele.goldberg@acme.com',
    phone: '+1 555 0175',
  }),
  a('auth0|6b44d198b3eaf3a3110011d0', 'Niklaus Wirth'),
  a('auth0|2b924dd54861cc4e6a0e42d8', 'Annie Easley'),
  a('github|2208517', 'Guido van Rossum', { phone: '+31 20 555 0188' }),
  { id: 'auth0|63d0b32af9675e8783a63af1', accountId: A_OWNER },
  a('auth0|b76e23b25823ca35b70e50d9', 'Sophie Wilson'),
  a('auth0|7183621927ba9ba968d34826', 'Joan Clarke'),
  a('auth0|afeab062f13721b9e78cabdb', 'Mary  Kenneth Keller'),
  a('auth0|8fc6ccf9510c98911dc20b5b', 'Evelyn Berezin'),
  a(OUTSIDER, 'Olive Outsider'),
];

const accountB: MatatikaProfile[] = [
  {
    id: B_OWNER,
    accountId: B_OWNER,
    name: 'sit+prod@matatika.com',
    handle: '@sit+prod',
    email: 'sit+prod@matatika.com',
    defaultWorkspaceId: WS.forbidden,
  },
  person(B_OWNER, 'auth0|7e14e81ca57d3fb04bc78250', 'Bob Builder'),
  person(B_OWNER, 'google-oauth2|100293847561029384756', 'Carol Danvers', { phone: '+1 555 0123' }),
];

/** Account A's profiles outside the large workspace: the outsider and five who just never joined it. */
const notInLarge = new Set([
  OUTSIDER,
  'auth0|6b44d198b3eaf3a3110011d0',
  'auth0|b76e23b25823ca35b70e50d9',
  'auth0|7183621927ba9ba968d34826',
  'auth0|afeab062f13721b9e78cabdb',
  'auth0|8fc6ccf9510c98911dc20b5b',
]);

const IMAGE = 'europe-west2-docker.pkg.dev/matatika/pipelines/meltano';

const workspaces: MatatikaWorkspace[] = [
  {
    id: WS.ready,
    created: '2026-06-10T07:13:48.250Z',
    lastModified: '2026-06-10T07:15:02.118Z',
    alias: 'test-workspace-20260610',
    name: 'Test Workspace [2026-06-10T07:13:48.250417991]',
    domains: ['testcompany.io'],
    repositoryUrl: 'https://github.com/test-company/analytics.git',
    pipelinesImage: `${IMAGE}:3.5.4`,
    imageUrl: 'https://app.matatika.com/assets/images/workspace/analytics.png',
    status: 'READY',
    ownerId: A_OWNER,
    memberIds: accountA.map((p) => p.id).filter((id) => !notInLarge.has(id)),
  },
  {
    id: WS.provisioning,
    created: '2026-06-10T07:14:02.731Z',
    lastModified: '2026-06-10T07:14:02.731Z',
    alias: 'shared-sandbox',
    name: 'Shared Sandbox',
    domains: [],
    status: 'PROVISIONING',
    ownerId: A_OWNER,
    memberIds: [A_OWNER, B_OWNER, 'google-oauth2|104882345120938475610'],
  },
  {
    id: WS.failed,
    created: '2026-06-11T09:30:00.000Z',
    lastModified: '2026-06-11T09:41:17.502Z',
    alias: 'legacy-import',
    name: 'Legacy Import',
    domains: [],
    repositoryUrl: 'https://github.com/test-company/legacy-import.git',
    status: 'FAILED',
    ownerId: A_OWNER,
    memberIds: [A_OWNER, 'github|5821734'],
  },
  {
    id: WS.marketing,
    created: '2026-06-12T14:05:31.009Z',
    lastModified: '2026-06-20T08:00:45.377Z',
    alias: 'marketing',
    name: 'Marketing Analytics',
    domains: ['testcompany.io', 'acme.com'],
    repositoryUrl: 'https://github.com/test-company/marketing.git',
    pipelinesImage: `${IMAGE}:3.5.4`,
    imageUrl: 'https://app.matatika.com/assets/images/workspace/marketing.png',
    status: 'READY',
    ownerId: 'google-oauth2|104882345120938475610',
    memberIds: [
      'google-oauth2|104882345120938475610',
      A_OWNER,
      'samlp|acme|jane.doe@acme.com',
      'auth0|29e0bbefd18196eded96b99e',
    ],
  },
  {
    id: WS.finance,
    created: '2026-06-15T10:00:00.000Z',
    lastModified: '2026-06-15T10:02:10.440Z',
    alias: 'finance',
    name: 'Finance Reporting',
    domains: ['finance.testcompany.io'],
    repositoryUrl: 'https://github.com/test-company/finance.git',
    pipelinesImage: `${IMAGE}:3.4.0`,
    status: 'READY',
    ownerId: A_OWNER,
    memberIds: [A_OWNER, 'auth0|40490c4e8824c1b1c590e27f'],
  },
  {
    id: WS.forbidden,
    created: '2026-05-02T16:45:12.873Z',
    lastModified: '2026-05-30T11:11:11.111Z',
    alias: 'account-b',
    name: 'Account B Analytics',
    domains: ['matatika.com'],
    repositoryUrl: 'https://github.com/account-b/analytics.git',
    pipelinesImage: `${IMAGE}:3.5.4`,
    status: 'READY',
    ownerId: B_OWNER,
    memberIds: accountB.map((p) => p.id),
  },
];

const matatika: MatatikaData = {
  tokens: { ...demo.matatika.subjects },
  accounts: { [A_OWNER]: { company: 'Test Company' }, [B_OWNER]: {} },
  profiles: Object.fromEntries([...accountA, ...accountB].map((p) => [p.id, p])),
  workspaces,
};

// ---- cadenya ----

export type CadenyaProfileType =
  | 'PROFILE_TYPE_UNSPECIFIED'
  | 'PROFILE_TYPE_USER'
  | 'PROFILE_TYPE_API_KEY'
  | 'PROFILE_TYPE_SYSTEM';

/** Stored in wire shape; absent optional fields are omitted, as proto3 JSON does. */
export interface CadenyaProfile {
  metadata: {
    id: string;
    accountId: string;
    name: string;
    profileId: string;
    externalId?: string;
    labels?: Record<string, string>;
  };
  spec: { type: CadenyaProfileType; email?: string; name?: string };
}

export interface CadenyaData {
  /** API key -> whether it carries the admin role. */
  keys: Record<string, { admin: boolean }>;
  profiles: CadenyaProfile[];
}

function cadenyaProfile(
  ulid: string,
  type: CadenyaProfileType,
  name: string,
  opts: {
    email?: string;
    specName?: string;
    externalId?: string;
    labels?: Record<string, string>;
    by?: string;
  } = {},
): CadenyaProfile {
  const id = `profile_${ulid}`;
  const metadata: CadenyaProfile['metadata'] = {
    id,
    accountId: CADENYA_ACCOUNT,
    name,
    profileId: opts.by ?? id,
  };
  if (opts.externalId) metadata.externalId = opts.externalId;
  if (opts.labels) metadata.labels = opts.labels;
  const spec: CadenyaProfile['spec'] = { type };
  if (opts.email) spec.email = opts.email;
  if (opts.specName) spec.name = opts.specName;
  return { metadata, spec };
}

const ADMIN = demo.cadenya.profileIds.admin;
const USER = 'PROFILE_TYPE_USER';

const cadenya: CadenyaData = {
  keys: { [demo.cadenya.tokens.admin]: { admin: true }, [demo.cadenya.tokens.member]: { admin: false } },
  profiles: [
    cadenyaProfile('01HXTVWN0S3KJPA4CV7KHXQZMZ', USER, 'Avery Admin', {
      email: 'avery@cadenya.dev',
      specName: 'Avery Admin',
      labels: { team: 'platform', role: 'admin' },
    }),
    cadenyaProfile('01HX8GFMQ5QSWRWB9SK0DXW8AF', USER, 'Morgan Member', {
      email: 'morgan@cadenya.dev',
      specName: 'Morgan Member',
      labels: { team: 'support' },
    }),
    cadenyaProfile('01HXJD9Y68H1S7F3W2FDPWFBZW', 'PROFILE_TYPE_API_KEY', 'Support Bot', {
      specName: 'Support Bot',
      externalId: 'zendesk-bot-7',
      labels: { environment: 'production', team: 'support' },
      by: ADMIN,
    }),
    cadenyaProfile('01HXYMTC42QK223RA9RKGFQVXK', 'PROFILE_TYPE_SYSTEM', 'System Scheduler', {
      specName: 'Scheduler',
    }),
    cadenyaProfile('01HXFYEWX4MEESY0K7TA02F20N', 'PROFILE_TYPE_UNSPECIFIED', 'legacy-import-2024'),
    cadenyaProfile('01HXQTVN1GECA1BVGZF240NJB7', USER, 'Riley Chen', {
      email: 'riley.chen@cadenya.dev',
      specName: 'Riley Chen',
      labels: { team: 'platform', environment: 'staging' },
    }),
    cadenyaProfile('01HXAJR4DDJQKKWWBABQCGQBZJ', USER, 'Jordan Alvarez', {
      email: 'jordan@alvarez.example',
      specName: 'Jordan Alvarez',
      externalId: 'okta|00u1abcd2EFGH3ijk4x7',
    }),
    cadenyaProfile('01HXM7T9EMX8S85457PCYHRC1E', 'PROFILE_TYPE_API_KEY', 'CI Deploy Key', {
      labels: { environment: 'staging', team: 'platform' },
      by: ADMIN,
    }),
    cadenyaProfile('01HXZ3H9G98W28038F71B0HBP3', USER, 'Sam Patel', {
      email: 'sam.patel@cadenya.dev',
      specName: 'Sam Patel',
    }),
    cadenyaProfile('01HXZ0DZK92GXHM9F2GWNMTCW3', USER, 'taylor.kim@cadenya.dev', {
      email: 'taylor.kim@cadenya.dev',
    }),
    cadenyaProfile('01HXNYV92B9ZNEP795QZGE4VEW', 'PROFILE_TYPE_API_KEY', 'Billing Sync', {
      specName: 'Billing Sync',
      externalId: 'stripe-sync',
      labels: { environment: 'production', team: 'billing' },
      by: ADMIN,
    }),
    cadenyaProfile('01HXWQX6N9SSCEWS4NSRKFYG0T', USER, 'Casey Morgan', {
      email: 'casey@cadenya.dev',
      specName: 'Casey Morgan',
      labels: { team: 'billing' },
    }),
    cadenyaProfile('01HXVQJ9QAGWZW9ZF2Q21DZXZW', 'PROFILE_TYPE_SYSTEM', 'Audit Logger', {
      specName: 'Audit Logger',
      labels: { environment: 'production' },
    }),
    cadenyaProfile('01HX6ZGXW0G11845A8ZRZSMRP8', USER, "Quinn O'Neil", {
      email: 'quinn.oneil@cadenya.dev',
      specName: "Quinn O'Neil",
    }),
    cadenyaProfile('01HXFY0VNPXBGJ25M6BMJADA7F', USER, 'Jamie Müller', {
      email: 'JAMIE.MUELLER@cadenya.dev',
      specName: 'Jamie Müller',
      labels: { team: 'support', locale: 'de-DE' },
    }),
  ],
};

// ---- moltaro ----

export interface MoltaroNotice {
  Code: string | null;
  Message: string | null;
  Target?: string | null;
  Field?: string | null;
  Metadata?: Record<string, string> | null;
  Type?: 0 | 1 | 2;
  Severity?: 0 | 1 | 2;
}

export interface MoltaroEnvelope {
  Data: {
    UserId: string | null;
    UserName: string | null;
    Email: string | null;
    FirstName: string | null;
    LastName: string | null;
    UserType: 0 | 1 | 2;
  } | null;
  Errors: MoltaroNotice[] | null;
  Warnings: MoltaroNotice[] | null;
  Success: boolean;
}

/** What a token is: a user (200, whatever the envelope says), a user with no profile (404), a service account (403). */
export type MoltaroPrincipal =
  | { kind: 'user'; envelope: MoltaroEnvelope }
  | { kind: 'missing'; envelope: MoltaroEnvelope }
  | { kind: 'serviceAccount' };

export interface MoltaroData {
  principals: Record<string, MoltaroPrincipal>;
}

const mt = demo.moltaro.tokens;
const moltaro: MoltaroData = {
  principals: {
    [mt.demo]: {
      kind: 'user',
      envelope: {
        Data: {
          UserId: '8d3c1f0e-2b4a-4c6d-9e8f-a1b2c3d4e5f6',
          UserName: 'dana.demo',
          Email: 'dana.demo@moltaro.example',
          FirstName: 'Dana',
          LastName: 'Demo',
          UserType: 1,
        },
        Errors: [],
        Warnings: [
          {
            Code: 'PASSWORD_EXPIRES_SOON',
            Message: 'Your password expires in 5 days.',
            Target: 'Password',
            Field: null,
            Metadata: { daysRemaining: '5' },
            Type: 1,
            Severity: 1,
          },
        ],
        Success: true,
      },
    },
    [mt.sparse]: {
      kind: 'user',
      envelope: {
        Data: {
          UserId: 'kiosk-07',
          UserName: null,
          Email: null,
          FirstName: null,
          LastName: null,
          UserType: 0,
        },
        Errors: null,
        Warnings: null,
        Success: true,
      },
    },
    [mt.serviceAccount]: { kind: 'serviceAccount' },
    [mt.notFound]: {
      kind: 'missing',
      envelope: {
        Data: null,
        Errors: [
          {
            Code: 'PROFILE_NOT_FOUND',
            Message: 'No workspace account profile exists for this user.',
            Target: null,
            Field: null,
            Metadata: null,
            Type: 0,
            Severity: 2,
          },
        ],
        Warnings: null,
        Success: false,
      },
    },
    [mt.failing]: {
      kind: 'user',
      envelope: {
        Data: null,
        Errors: [
          {
            Code: 'DIRECTORY_UNAVAILABLE',
            Message: 'The user directory did not answer in time.',
            Target: 'Directory',
            Type: 2,
            Severity: 2,
          },
        ],
        Warnings: [],
        Success: false,
      },
    },
  },
};

// ---- upsun ----

export interface UpsunMoney {
  formatted: string | null;
  amount: string | null;
  currency: string | null;
  currency_symbol: string | null;
}

export interface UpsunTrial {
  active: boolean;
  created: string;
  description: string | null;
  expiration: string;
  current: UpsunMoney;
  spend: UpsunMoney;
  spend_remaining: UpsunMoney & { unlimited: boolean };
  projects: {
    id: string | null;
    name: string | null;
    total: { amount: number; currency_code: string; currency_symbol: string; formatted: string };
  };
  pending_verification: string | null;
  model: string | null;
  days_remaining: number;
}

/** Stored in wire shape (snake_case); `current_trial` is missing in newer specs, so it is optional here. */
export interface UpsunProfile {
  id: string;
  display_name: string | null;
  email: string | null;
  username: string | null;
  type: 'user' | 'organization';
  picture: string | null;
  company_type: string | null;
  company_name: string | null;
  currency: string | null;
  vat_number: string | null;
  company_role: string | null;
  website_url: string | null;
  new_ui: boolean | null;
  ui_colorscheme: string | null;
  default_catalog: string | null;
  project_options_url: string | null;
  marketing: boolean | null;
  created_at: string | null;
  updated_at: string | null;
  billing_contact: string | null;
  current_trial?: UpsunTrial | null;
  invoiced: boolean | null;
}

export interface UpsunData {
  apiTokens: string[];
  /** Access token -> expiry (epoch ms); the static demo token never expires. */
  accessTokens: Record<string, number>;
  profiles: UpsunProfile[];
}

const money = (amount: string, currency = 'EUR', symbol = '€'): UpsunMoney => ({
  formatted: `${symbol}${amount}`,
  amount,
  currency,
  currency_symbol: symbol,
});

function upsunUser(
  id: string,
  username: string,
  displayName: string,
  extra: Partial<UpsunProfile> = {},
): UpsunProfile {
  return {
    id,
    display_name: displayName,
    email: `${username}@upsun.example`,
    username,
    type: 'user',
    picture: `https://accounts.upsun.com/profiles/${id}/picture.png`,
    company_type: 'individual',
    company_name: null,
    currency: 'EUR',
    vat_number: null,
    company_role: 'developer',
    website_url: null,
    new_ui: true,
    ui_colorscheme: 'light',
    default_catalog: null,
    project_options_url: 'https://accounts.upsun.com/platform/project-options',
    marketing: false,
    created_at: '2024-02-11T09:12:44+00:00',
    updated_at: '2026-03-01T17:05:09+00:00',
    billing_contact: `${username}@upsun.example`,
    current_trial: {
      active: false,
      created: '2024-02-11T09:12:44+00:00',
      description: null,
      expiration: '2024-03-12T09:12:44+00:00',
      current: money('0.00'),
      spend: money('0.00'),
      spend_remaining: { ...money('0.00'), unlimited: false },
      projects: {
        id: null,
        name: null,
        total: { amount: 0, currency_code: 'EUR', currency_symbol: '€', formatted: '€0.00' },
      },
      pending_verification: null,
      model: 'standard',
      days_remaining: 0,
    },
    invoiced: false,
    ...extra,
  };
}

const up = demo.upsun.profileIds;
const noTrial = upsunUser(up.noTrial, 'riley.newspec', 'Riley Newspec', { ui_colorscheme: 'dark' });
delete noTrial.current_trial;

const upsun: UpsunData = {
  apiTokens: [demo.upsun.apiToken],
  accessTokens: { [demo.upsun.accessToken]: Number.POSITIVE_INFINITY },
  profiles: [
    upsunUser(up.demo, 'dana.demo', 'Dana Demo', {
      company_name: 'Demo Studio',
      website_url: 'https://demo-studio.example',
      marketing: true,
      current_trial: {
        active: true,
        created: '2026-05-20T08:00:00+00:00',
        description: 'Upsun free trial',
        expiration: '2026-06-19T08:00:00+00:00',
        current: money('12.40'),
        spend: money('12.40'),
        spend_remaining: { ...money('37.60'), unlimited: false },
        projects: {
          id: 'k7x3vq2lmn4ab',
          name: 'demo-shop',
          total: { amount: 12.4, currency_code: 'EUR', currency_symbol: '€', formatted: '€12.40' },
        },
        pending_verification: 'credit-card',
        model: 'trial-2024',
        days_remaining: 12,
      },
    }),
    upsunUser(up.organization, 'acme-hosting', 'Acme Hosting', {
      type: 'organization',
      picture: null,
      company_type: 'business',
      company_name: 'Acme Hosting GmbH',
      vat_number: 'DE123456789',
      company_role: null,
      website_url: 'https://acme-hosting.example',
      billing_contact: 'billing@acme-hosting.example',
      invoiced: true,
    }),
    {
      ...upsunUser(up.nulls, 'null.fields', 'Null Fields'),
      email: null,
      picture: null,
      company_type: null,
      currency: null,
      company_role: null,
      new_ui: null,
      ui_colorscheme: null,
      project_options_url: null,
      marketing: null,
      updated_at: null,
      billing_contact: null,
      current_trial: null,
      invoiced: null,
    },
    noTrial,
    upsunUser('77f0cf21-237d-427d-a3cc-748353c2cce0', 'sasha.ops', 'Sasha Ops', { currency: 'USD' }),
    upsunUser('07fb7f60-6b1a-4efb-9636-4756e1326946', 'lee.frontend', 'Lee Frontend', { new_ui: false }),
    upsunUser('7ff6f73b-879d-46bf-b008-e427a51835a6', 'morgan.data', 'Morgan Data', { currency: 'GBP' }),
    upsunUser('78d96556-a8da-449a-b523-446d6971e21e', 'kim.agency', 'Kim Agency', {
      company_type: 'agency',
      company_name: 'Kim & Partners',
      default_catalog: 'https://catalog.upsun.example/agency.json',
    }),
  ],
};

// ---- state ----

export interface SandboxState {
  matatika: MatatikaData;
  cadenya: CadenyaData;
  moltaro: MoltaroData;
  upsun: UpsunData;
}

const initial: SandboxState = { matatika, cadenya, moltaro, upsun };

/** A fresh, independent copy of the demo data (structuredClone, since Infinity does not survive JSON). */
export function createState(): SandboxState {
  return structuredClone(initial);
}
