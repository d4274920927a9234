import { describe, expect, it } from 'vitest';
import { codes, demo, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W, counts } = demo.matatika;
const h = useHarness();

interface Page {
  totalCount: number | null;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: Array<{ cursor: string; node: { upstreamId: string } }>;
}
const PAGE =
  'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { upstreamId } }';

describe('relay: global ids refetch every node type', () => {
  it('refetches a Profile, a Workspace and a Member by their global ids with node and nodes', async () => {
    const first = await h.gql<{
      profile: { id: string; name: string };
      workspace: { id: string; name: string; member: { id: string; name: string } };
    }>(`{
      profile(id: "${P.demo}") { id name }
      workspace(id: "${W.ready}") { id name member(id: "${P.google}") { id name } }
    }`);
    expect(first.errors).toBeUndefined();
    const { profile, workspace } = first.data as NonNullable<typeof first.data>;
    expect(new Set([profile.id, workspace.id, workspace.member.id]).size).toBe(3);

    const again = await h.gql(`{
      p: node(id: "${profile.id}") { __typename id ... on Profile { name } }
      all: nodes(ids: ["${workspace.id}", "${workspace.member.id}"]) {
        __typename id
        ... on Workspace { name }
        ... on Member { name workspace { upstreamId } }
      }
    }`);
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual({
      p: { __typename: 'Profile', id: profile.id, name: profile.name },
      all: [
        { __typename: 'Workspace', id: workspace.id, name: workspace.name },
        {
          __typename: 'Member',
          id: workspace.member.id,
          name: workspace.member.name,
          workspace: { upstreamId: W.ready },
        },
      ],
    });
  });

  it("gives a Member a global id that carries its workspace's id", async () => {
    const res = await h.gql<{ workspace: { member: { id: string } } }>(
      `{ workspace(id: "${W.ready}") { member(id: "${P.google}") { id } } }`,
    );
    const decoded = Buffer.from(res.data?.workspace.member.id ?? '', 'base64').toString();
    expect(decoded).toContain(W.ready);
    expect(decoded).toContain(P.google);
  });

  it('answers null with NOT_FOUND for the node of a profile that does not exist', async () => {
    const id = Buffer.from('Profile:auth0|does-not-exist').toString('base64');
    const res = await h.gql(`{ node(id: "${id}") { id } }`);
    expect(res.data).toEqual({ node: null });
    expect(codes(res)).toEqual(['NOT_FOUND']);
  });
});

describe('relay: connections page honestly', () => {
  it('pages through workspaces with page/size upstream, and resumes from any edge', async () => {
    const all = await h.gql<{ workspaces: Page }>(`{ workspaces(first: 20) { ${PAGE} } }`);
    const ids = all.data?.workspaces.edges.map((e) => e.node.upstreamId) ?? [];
    expect(ids).toHaveLength(counts.demoWorkspaces);
    expect(all.data?.workspaces.totalCount).toBe(counts.demoWorkspaces);
    expect(all.data?.workspaces.pageInfo.hasNextPage).toBe(false);

    h.sandbox.clearLog();
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: { data?: { workspaces: Page } | null } = await h.gql<{ workspaces: Page }>(
        `query($after: String) { workspaces(first: 2, after: $after) { ${PAGE} } }`,
        { variables: { after } },
      );
      const conn = res.data?.workspaces as Page;
      seen.push(...conn.edges.map((e) => e.node.upstreamId));
      expect(conn.pageInfo.hasPreviousPage).toBe(page > 0);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    expect(h.calls()).toEqual([
      'GET /api/workspaces?page=0&size=2',
      'GET /api/workspaces?page=1&size=2',
      'GET /api/workspaces?page=2&size=2',
    ]);

    // Resuming from the first edge's cursor spans two upstream pages, read together.
    const firstEdge = all.data?.workspaces.edges[0]?.cursor;
    h.sandbox.clearLog();
    const mid = await h.gql<{ workspaces: Page }>(
      `{ workspaces(first: 2, after: "${firstEdge}") { ${PAGE} } }`,
    );
    expect(mid.data?.workspaces.edges.map((e) => e.node.upstreamId)).toEqual(ids.slice(1, 3));
    expect(h.calls().sort()).toEqual([
      'GET /api/workspaces?page=0&size=2',
      'GET /api/workspaces?page=1&size=2',
    ]);
  });

  it('slices the whole profile list in the gateway, with totalCount', async () => {
    const first = await h.gql<{ profiles: Page }>(`{ profiles(first: 25) { ${PAGE} } }`);
    const conn = first.data?.profiles as Page;
    expect(conn.totalCount).toBe(counts.accountProfiles);
    expect(conn.edges).toHaveLength(25);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const rest = await h.gql<{ profiles: Page }>(
      `{ profiles(first: 25, after: "${conn.pageInfo.endCursor}") { ${PAGE} } }`,
    );
    const tail = rest.data?.profiles as Page;
    expect(tail.edges).toHaveLength(counts.accountProfiles - 25);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const ids = [...conn.edges, ...tail.edges].map((e) => e.node.upstreamId);
    expect(new Set(ids).size).toBe(counts.accountProfiles);
  });

  it("slices a workspace's members, with totalCount", async () => {
    const res = await h.gql<{ workspace: { members: Page } }>(
      `{ workspace(id: "${W.large}") { members(first: 5) { ${PAGE} } } }`,
    );
    const conn = res.data?.workspace.members as Page;
    expect(conn.totalCount).toBe(counts.largeWorkspaceMembers);
    expect(conn.edges).toHaveLength(5);
    expect(conn.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('answers first: 0 with no edges and the total', async () => {
    const res = await h.gql<{ profiles: Page }>(`{ profiles(first: 0) { ${PAGE} } }`);
    expect(res.data?.profiles).toMatchObject({
      totalCount: counts.accountProfiles,
      edges: [],
      pageInfo: { hasNextPage: true },
    });
  });
});
