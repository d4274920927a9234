import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { SOURCES } from '../../src/sources/registry.js';
import type { GraphQLResponse } from '../support/harness.js';
import { pathEnv } from '../support/path.js';
import { type RedisServer, startRedis, untilRedis } from '../support/redis.js';

/**
 * Two gateway processes (`npm start`'s entry point) behind no balancer, over one sandbox and one
 * redis-server, all started here: what two replicas of a deployment share is the environment.
 */
let sandbox: Sandbox;
let redis: RedisServer;
const replicas: Array<{ child: ChildProcess; endpoint: string }> = [];

async function startReplica(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...pathEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  for (let i = 0; i < 200; i++) {
    const endpoint = /"endpoint":"(http:\/\/[^"]+\/graphql)"/.exec(stdout)?.[1];
    if (endpoint) return { child, endpoint };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the replica did not start: ${stdout}`);
}

beforeAll(async () => {
  [sandbox, redis] = await Promise.all([startSandbox({ port: 0 }), startRedis()]);
  const env = {
    SANDBOX: '0',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...Object.fromEntries(SOURCES.map((s) => [`${s.toUpperCase()}_API_URL`, sandbox.urlOf(s)])),
    UPSUN_AUTH_URL: sandbox.urlOf('upsun-auth'),
    CURSOR_SECRET: 'the-cursor-secret-every-replica-shares',
    REDIS_URL: redis.url,
    RESPONSE_CACHE_TTL_MS: '60000',
    RESPONSE_CACHE_SECRET: 'the-cache-secret-every-replica-shares',
    COST_EXTENSION: 'on-request',
  };
  replicas.push(...(await Promise.all([startReplica(env), startReplica(env)])));
  // A replica refuses Redis commands until its connection is ready, rather than queueing them.
  await untilRedis(
    'up',
    ...replicas.map(({ endpoint }) => ({
      fetch: (url: string) => fetch(url.replace('http://gateway.test/', endpoint.replace(/graphql$/, ''))),
    })),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(
    replicas.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }),
  );
  await Promise.all([sandbox?.close(), redis?.close()]);
});

async function send<T = Record<string, unknown>>(
  replica: 0 | 1,
  body: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(replicas[replica]?.endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

const asDemo = { authorization: `Bearer ${demo.matatika.tokens.demo}` };
const asOther = { authorization: `Bearer ${demo.matatika.tokens.other}` };
const asUpsunUser = { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` };
const WORKSPACES = '{ workspaces(first: 20) { edges { node { upstreamId isDefault } } } }';
type Workspaces = { workspaces: { edges: Array<{ node: { upstreamId: string; isDefault: boolean } }> } };
type Page = {
  userProfiles: {
    pageInfo: { endCursor: string; hasNextPage: boolean };
    edges: Array<{ node: { upstreamId: string } }>;
  };
};

describe('two replicas sharing CURSOR_SECRET and one Redis', () => {
  it('resume paging on one replica from a cursor minted by the other', async () => {
    const page = '{ pageInfo { endCursor hasNextPage } edges { node { upstreamId } } }';
    const first = await send<Page>(0, { query: `{ userProfiles(first: 3) ${page} }` }, asUpsunUser);
    const cursor = first.data?.userProfiles.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const next = await send<Page>(
      1,
      { query: `{ userProfiles(first: 3, after: "${cursor}") ${page} }` },
      asUpsunUser,
    );
    expect(next.errors).toBeUndefined();
    const seen = [...(first.data?.userProfiles.edges ?? []), ...(next.data?.userProfiles.edges ?? [])];
    expect(new Set(seen.map((e) => e.node.upstreamId)).size).toBe(6);
  });

  it('serve an APQ hash registered on one replica from the other', async () => {
    const query = `query Apq { profile(id: "${demo.matatika.profileIds.demo}") { upstreamId } }`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    expect((await send(1, { extensions: { persistedQuery } }, asDemo)).errors?.[0]?.message).toBe(
      'PersistedQueryNotFound',
    );
    expect((await send(0, { query, extensions: { persistedQuery } }, asDemo)).errors).toBeUndefined();
    expect(await send(1, { extensions: { persistedQuery } }, asDemo)).toEqual({
      data: { profile: { upstreamId: demo.matatika.profileIds.demo } },
    });
  });

  it('drop the cached answer on one replica when a mutation goes through the other', async () => {
    const target = demo.matatika.workspaceIds.marketing;
    const defaults = (r: GraphQLResponse<Workspaces>) =>
      r.data?.workspaces.edges.filter((e) => e.node.isDefault).map((e) => e.node.upstreamId);
    expect(defaults(await send<Workspaces>(1, { query: WORKSPACES }, asDemo))).not.toEqual([target]);
    sandbox.clearLog();
    await send(1, { query: WORKSPACES }, asDemo);
    expect(sandbox.count({ source: 'matatika' })).toBe(0); // cached on replica 1
    const mutation = await send(
      0,
      {
        query: `mutation { setDefaultWorkspace(input: { profileId: "${demo.matatika.profileIds.demo}", workspaceId: "${target}" }) { profile { upstreamId } } }`,
      },
      asDemo,
    );
    expect(mutation.errors).toBeUndefined();
    expect(defaults(await send<Workspaces>(1, { query: WORKSPACES }, asDemo))).toEqual([target]);
  });

  it('never show one caller another caller’s cached answer', async () => {
    sandbox.clearLog();
    const otherFirst = await send<Workspaces>(0, { query: WORKSPACES }, asOther);
    const answers = [
      await send<Workspaces>(1, { query: WORKSPACES }, asDemo),
      await send<Workspaces>(0, { query: WORKSPACES }, asDemo),
      await send<Workspaces>(1, { query: WORKSPACES }, asOther),
    ];
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[2]).toEqual(otherFirst);
    expect(answers[0]).not.toEqual(otherFirst);
    // One call per caller (demo's answer may still be cached from the test before): never zero for `other`.
    expect(
      sandbox.requests.filter((r) => r.headers.authorization?.includes(demo.matatika.tokens.other)),
    ).toHaveLength(1);
  });
});
