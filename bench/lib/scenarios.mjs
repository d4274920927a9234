// The benchmark's scenarios: one logical query each, written once per system. `gateway` is this project's
// public schema (shared/design/schema-contract.graphql), `mesh` is the schema Mesh composes from
// schema/upstream/matatika.openapi.yaml plus bench/mesh/mesh.config.ts, `tailcall` is the schema of
// bench/tailcall/matatika.graphql, and `raw` is the single upstream request that answers the scenario's main
// data (the limit: what the upstream itself sustains). `canonical` turns each system's `data` into one shape,
// so the harness can prove every GraphQL system answers the same thing before it measures them.
//
// `chain` is the scenario's dependent chain for this gateway: the number of upstream round trips one
// operation waits for one after the other (README, "Loading"). At an injected latency L the p50 target is
// chain x L + 1 ms. The harness checks it at every latency above 0: a single warm operation takes about
// chain x L, and verify() logs the round trips it observed next to the declared number.

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const edges = (connection) => (connection?.edges ?? []).map((e) => e.node);

/**
 * @param {{profileId: string, workspaceId: string, token: string}} ids  the demo caller, the large workspace
 */
export function scenarios({ profileId, workspaceId }) {
  const enc = encodeURIComponent;
  return [
    {
      id: 'Q1',
      title: 'one profile by id',
      // GET /api/profiles/{id}, nothing after it.
      chain: 1,
      gateway: {
        query: `query Q1($id: String!) {
  profile(id: $id) { upstreamId name handle email phone workingAccount { company } }
}`,
        variables: { id: profileId },
        canonical: (d) => profileCanon(d.profile, d.profile?.upstreamId),
        // A different document on every request, as a client generating its queries would send: the root
        // field under an alias numbered per request (test/fixtures/distinct-documents.ts does the same).
        // Same variables, same upstream call; the answer is the verified one under the alias.
        distinct: {
          query: (n) => `query Q1($id: String!) {
  d${n}: profile(id: $id) { upstreamId name handle email phone workingAccount { company } }
}`,
          expectBody: (verifiedBody, n) =>
            verifiedBody.replace(/^\{"data":\{"profile":/, `{"data":{"d${n}":`),
          // For autocannon's verifyBody: any alias number, the rest byte for byte the verified answer.
          matcher: (verifiedBody) => {
            const rest = verifiedBody.replace(/^\{"data":\{"profile":/, '');
            return (body) => {
              const head = /^\{"data":\{"d\d+":/.exec(body);
              return head !== null && body.length === head[0].length + rest.length && body.endsWith(rest);
            };
          },
        },
      },
      mesh: {
        query: `query Q1($id: NonEmptyString!) {
  profile(profileId: $id) { id name handle email phone workingAccount { company } }
}`,
        variables: { id: profileId },
        canonical: (d) => profileCanon(d.profile, d.profile?.id),
      },
      // 1 call: GET /api/profiles/{id}.
      tailcall: {
        query: `query Q1($id: String!) {
  profile(id: $id) { id name handle email phone workingAccount { company } }
}`,
        variables: { id: profileId },
        canonical: (d) => profileCanon(d.profile, d.profile?.id),
      },
      raw: { method: 'GET', path: `/api/profiles/${enc(profileId)}`, what: 'GET /api/profiles/{id}' },
    },
    {
      id: 'Q2',
      title: "a workspace's members, each with its profile's email",
      // The member list stands in for the workspace, and since the look-ahead the account's profile list
      // starts with it: 2 calls, both sent at once, so 1 round trip.
      chain: 1,
      gateway: {
        query: `query Q2($ws: String!) {
  workspace(id: $ws) { members(first: 100) { edges { node { upstreamId name handle profile { email } } } } }
}`,
        variables: { ws: workspaceId },
        canonical: (d) =>
          edges(d.workspace?.members)
            .map((m) => ({
              id: m.upstreamId,
              name: m.name,
              handle: m.handle,
              email: m.profile?.email ?? null,
            }))
            .sort(byId),
      },
      mesh: {
        query: `query Q2($ws: NonEmptyString!) {
  members(workspaceId: $ws) { _embedded { members { id name handle profile { email } } } }
}`,
        variables: { ws: workspaceId },
        canonical: (d) =>
          (d.members?._embedded?.members ?? [])
            .map((m) => ({ id: m.id, name: m.name, handle: m.handle, email: m.profile?.email ?? null }))
            .sort(byId),
      },
      // The member list, then one GET /api/profiles/{id} per member (N+1, in parallel): 1 + 24 calls.
      tailcall: {
        query: `query Q2($ws: String!) {
  members(workspaceId: $ws) { _embedded { members { id name handle profile { email } } } }
}`,
        variables: { ws: workspaceId },
        canonical: (d) =>
          (d.members?._embedded?.members ?? [])
            .map((m) => ({ id: m.id, name: m.name, handle: m.handle, email: m.profile?.email ?? null }))
            .sort(byId),
      },
      raw: {
        method: 'GET',
        path: `/api/workspaces/${enc(workspaceId)}/members`,
        what: 'GET /api/workspaces/{id}/members (the member list only; the per-member profile reads are not in it)',
      },
    },
    {
      id: 'Q3',
      title: "the caller's workspaces with status and default flag",
      // GET /api/workspaces?size=20 carries name, status and the default flag: 1 call.
      chain: 1,
      gateway: {
        query: `query Q3 {
  workspaces(first: 20) { edges { node { upstreamId name status isDefault } } }
}`,
        variables: {},
        canonical: (d) =>
          edges(d.workspaces)
            .map((w) => ({ id: w.upstreamId, name: w.name, status: w.status, isDefault: w.isDefault }))
            .sort(byId),
      },
      mesh: {
        query: `query Q3 {
  workspaces(size: 20) { _embedded { workspaces { id name status defaultWorkspace } } }
}`,
        variables: {},
        canonical: (d) =>
          (d.workspaces?._embedded?.workspaces ?? [])
            .map((w) => ({
              id: w.id,
              name: w.name,
              status: w.status,
              isDefault: w.defaultWorkspace === true,
            }))
            .sort(byId),
      },
      // 1 call: GET /api/workspaces?size=20.
      tailcall: {
        query: `query Q3 {
  workspaces(size: 20) { _embedded { workspaces { id name status defaultWorkspace } } }
}`,
        variables: {},
        canonical: (d) =>
          (d.workspaces?._embedded?.workspaces ?? [])
            .map((w) => ({
              id: w.id,
              name: w.name,
              status: w.status,
              isDefault: w.defaultWorkspace === true,
            }))
            .sort(byId),
      },
      raw: { method: 'GET', path: '/api/workspaces?size=20', what: 'GET /api/workspaces?size=20' },
    },
    {
      id: 'Q4',
      title: "setDefaultWorkspace, then the default workspace's name and status",
      // The PATCH, then the new default workspace's GET for its status (the PATCH answer only names it):
      // the second call needs the first one's answer, so 2 round trips.
      chain: 2,
      mutation: true,
      gateway: {
        query: `mutation Q4($p: String!, $w: String!) {
  setDefaultWorkspace(input: { profileId: $p, workspaceId: $w }) {
    profile { upstreamId defaultWorkspace { upstreamId name status } }
  }
}`,
        variables: { p: profileId, w: workspaceId },
        canonical: (d) => {
          const p = d.setDefaultWorkspace?.profile;
          const w = p?.defaultWorkspace;
          return { id: p?.upstreamId, workspace: w && { id: w.upstreamId, name: w.name, status: w.status } };
        },
      },
      mesh: {
        query: `mutation Q4($p: NonEmptyString!, $w: String!) {
  setDefaultWorkspace(profileId: $p, input: { defaultWorkspace: { id: $w } }) {
    id defaultWorkspace { id name } defaultWorkspaceDetails { status }
  }
}`,
        variables: { p: profileId, w: workspaceId },
        canonical: (d) => {
          const p = d.setDefaultWorkspace;
          const w = p?.defaultWorkspace;
          return {
            id: p?.id,
            workspace: w && { id: w.id, name: w.name, status: p.defaultWorkspaceDetails?.status ?? null },
          };
        },
      },
      // The PATCH, then GET /api/workspaces/{id} of the new default for its status: 2 calls, one after the
      // other.
      tailcall: {
        query: `mutation Q4($p: String!, $w: String!) {
  setDefaultWorkspace(profileId: $p, workspaceId: $w) { id defaultWorkspace { id name workspace { status } } }
}`,
        variables: { p: profileId, w: workspaceId },
        canonical: (d) => {
          const p = d.setDefaultWorkspace;
          const w = p?.defaultWorkspace;
          return {
            id: p?.id,
            workspace: w && { id: w.id, name: w.name, status: w.workspace?.status ?? null },
          };
        },
      },
      raw: {
        method: 'PATCH',
        path: `/api/profiles/${enc(profileId)}`,
        body: { defaultWorkspace: { id: workspaceId } },
        what: 'PATCH /api/profiles/{id} {defaultWorkspace:{id}}',
      },
    },
    {
      id: 'Q5',
      title: 'wide: the caller, all profiles, all workspaces with their members',
      // Round trip 1: the caller's profile, the profile list and the workspace page, at once. Round trip
      // 2: each workspace's member list, which needs the page's ids. The caller's default workspace
      // (name, status) is answered by the page. So 2.
      chain: 2,
      gateway: {
        query: `query Q5($p: String!) {
  me: profile(id: $p) { upstreamId name email defaultWorkspace { upstreamId name status } }
  profiles(first: 100) { edges { node { upstreamId name email } } }
  workspaces(first: 20) {
    edges { node { upstreamId name status isDefault members(first: 100) { edges { node { upstreamId name handle } } } } }
  }
}`,
        variables: { p: profileId },
        canonical: (d) => ({
          me: d.me && {
            id: d.me.upstreamId,
            name: d.me.name,
            email: d.me.email,
            defaultWorkspace: d.me.defaultWorkspace && {
              id: d.me.defaultWorkspace.upstreamId,
              name: d.me.defaultWorkspace.name,
              status: d.me.defaultWorkspace.status,
            },
          },
          profiles: edges(d.profiles)
            .map((p) => ({ id: p.upstreamId, name: p.name, email: p.email }))
            .sort(byId),
          workspaces: edges(d.workspaces)
            .map((w) => ({
              id: w.upstreamId,
              name: w.name,
              status: w.status,
              isDefault: w.isDefault,
              members: edges(w.members)
                .map((m) => ({ id: m.upstreamId, name: m.name, handle: m.handle }))
                .sort(byId),
            }))
            .sort(byId),
        }),
      },
      mesh: {
        query: `query Q5($p: NonEmptyString!) {
  me: profile(profileId: $p) { id name email defaultWorkspace { id name } defaultWorkspaceDetails { status } }
  profiles { _embedded { profiles { id name email } } }
  workspaces(size: 20) {
    _embedded { workspaces { id name status defaultWorkspace memberList { id name handle } } }
  }
}`,
        variables: { p: profileId },
        canonical: (d) => ({
          me: d.me && {
            id: d.me.id,
            name: d.me.name,
            email: d.me.email,
            defaultWorkspace: d.me.defaultWorkspace && {
              id: d.me.defaultWorkspace.id,
              name: d.me.defaultWorkspace.name,
              status: d.me.defaultWorkspaceDetails?.status ?? null,
            },
          },
          profiles: (d.profiles?._embedded?.profiles ?? [])
            .map((p) => ({ id: p.id, name: p.name, email: p.email }))
            .sort(byId),
          workspaces: (d.workspaces?._embedded?.workspaces ?? [])
            .map((w) => ({
              id: w.id,
              name: w.name,
              status: w.status,
              isDefault: w.defaultWorkspace === true,
              members: (w.memberList ?? [])
                .map((m) => ({ id: m.id, name: m.name, handle: m.handle }))
                .sort(byId),
            }))
            .sort(byId),
        }),
      },
      // The caller's profile, the profile list and the workspace page at once; then the default workspace's
      // GET and one member list per workspace on the page: 3 + 1 + 5 calls.
      tailcall: {
        query: `query Q5($p: String!) {
  me: profile(id: $p) { id name email defaultWorkspace { id name workspace { status } } }
  profiles { _embedded { profiles { id name email } } }
  workspaces(size: 20) {
    _embedded { workspaces { id name status defaultWorkspace memberList { id name handle } } }
  }
}`,
        variables: { p: profileId },
        canonical: (d) => ({
          me: d.me && {
            id: d.me.id,
            name: d.me.name,
            email: d.me.email,
            defaultWorkspace: d.me.defaultWorkspace && {
              id: d.me.defaultWorkspace.id,
              name: d.me.defaultWorkspace.name,
              status: d.me.defaultWorkspace.workspace?.status ?? null,
            },
          },
          profiles: (d.profiles?._embedded?.profiles ?? [])
            .map((p) => ({ id: p.id, name: p.name, email: p.email }))
            .sort(byId),
          workspaces: (d.workspaces?._embedded?.workspaces ?? [])
            .map((w) => ({
              id: w.id,
              name: w.name,
              status: w.status,
              isDefault: w.defaultWorkspace === true,
              members: (w.memberList ?? [])
                .map((m) => ({ id: m.id, name: m.name, handle: m.handle }))
                .sort(byId),
            }))
            .sort(byId),
        }),
      },
      raw: {
        method: 'GET',
        path: '/api/workspaces?size=20',
        what: 'GET /api/workspaces?size=20 (one of its several reads)',
      },
    },
  ];
}

function profileCanon(p, id) {
  if (!p) return null;
  return {
    id,
    name: p.name ?? null,
    handle: p.handle ?? null,
    email: p.email ?? null,
    phone: p.phone ?? null,
    company: p.workingAccount?.company ?? null,
  };
}

/** A query per system whose answer must be a 403 surfaced as a GraphQL error. */
export function forbiddenChecks(workspaceId) {
  return {
    gateway: {
      query:
        'query Forbidden($ws: String!) { workspace(id: $ws) { members(first: 5) { edges { node { name } } } } }',
      variables: { ws: workspaceId },
    },
    mesh: {
      query:
        'query Forbidden($ws: NonEmptyString!) { members(workspaceId: $ws) { _embedded { members { name } } } }',
      variables: { ws: workspaceId },
    },
    tailcall: {
      query: 'query Forbidden($ws: String!) { members(workspaceId: $ws) { _embedded { members { name } } } }',
      variables: { ws: workspaceId },
    },
  };
}
