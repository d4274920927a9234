// The named tokens and ids of the sandbox's demo data, for tests and for `npm start` to print. The data
// itself lives in fixtures/, one file per source, built from these names.

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
    /** Fifty more tokens of the demo user, as fifty browser sessions would hold (the bench's distinct callers). */
    sessionTokens: Array.from({ length: 50 }, (_, i) => `matatika-demo-session-${i + 1}`),
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
