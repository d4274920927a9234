// The systems under test and their upstream, as child processes: the sandbox (once per latency), this
// gateway (`gateway`), the same gateway with its response cache on (`cached`), GraphQL Mesh v1 (`mesh`),
// Tailcall 1.0 (`tailcall`) and the bare Node proxy (`bare`, bench/bare-proxy.mjs). `raw` is the sandbox
// itself. Also what has to happen before any of them can start: bench/'s own dependencies and the gateway's
// build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { benchDir, rootDir, workDir } from './config.mjs';
import {
  forkTracked,
  freePort,
  ipcClient,
  spawnTracked,
  stopChild,
  waitForGraphQL,
  waitForReady,
} from './procs.mjs';

// Long enough to outlast a whole run: the `cached` system measures hits, not expiry.
export const CACHE_TTL_MS = 3_600_000;

/** The GraphQL document a system sends: `cached` sends the gateway's own query. */
export function queryOf(system) {
  return system === 'cached' ? 'gateway' : system;
}

/** Systems that answer GraphQL; the others (`bare`, `raw`) are sent the scenario's main upstream request. */
export const isGraphQL = (system) => system !== 'raw' && system !== 'bare';

// --- before anything starts ---------------------------------------------------------------------------

/** The Tailcall binary that @tailcallhq/core-linux-x64-gnu (a bench/ dependency) ships. */
export const TAILCALL_BIN = join(
  benchDir,
  'node_modules',
  '@tailcallhq',
  'core-linux-x64-gnu',
  'bin',
  'tailcall',
);

/** `npm ci --prefix bench` when bench/node_modules lacks Mesh or Tailcall (they and autocannon live there). */
export function installBenchDeps({ noInstall }, log) {
  const installed =
    existsSync(join(benchDir, 'node_modules', '@graphql-hive', 'gateway')) && existsSync(TAILCALL_BIN);
  if (noInstall || installed) return;
  log('installing the benchmark dependencies (npm ci --prefix bench)');
  const logFile = join(workDir, 'install.log');
  const res = spawnSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], {
    cwd: rootDir,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  writeFileSync(logFile, `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  if (res.status !== 0) throw new Error(`npm ci --prefix bench failed (see ${relative(rootDir, logFile)})`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm run build` unless dist/ is newer than src/ (or --no-build). */
export function buildGateway({ noBuild }, log) {
  const entry = join(rootDir, 'dist', 'index.js');
  if (noBuild) {
    if (!existsSync(entry))
      throw new Error('--no-build, but dist/index.js does not exist: run npm run build');
    return;
  }
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(rootDir, 'src'))) {
    log('gateway build is newer than src/: not rebuilding');
    return;
  }
  log('building the gateway (npm run build)');
  const res = spawnSync('npm', ['run', 'build'], { cwd: rootDir, encoding: 'utf8', timeout: 5 * 60_000 });
  if (res.status !== 0 || !existsSync(entry)) {
    throw new Error(
      `npm run build failed, so the gateway cannot be measured (run with --systems mesh,bare,raw to measure the others):\n${res.stdout}\n${res.stderr}`,
    );
  }
}

// --- each system ----------------------------------------------------------------------------------------

/** The project's sandbox in its own process (bench/sandbox-server.ts), with totals and log clearing over IPC. */
export async function startSandbox(latencyMs) {
  const info = forkTracked(`sandbox(${latencyMs} ms)`, join(benchDir, 'sandbox-server.ts'), {
    cwd: rootDir,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_LATENCY_MS: String(latencyMs) },
  });
  const ready = await waitForReady(info);
  const call = ipcClient(info);
  return {
    info,
    url: ready.url,
    matatikaUrl: ready.matatikaUrl,
    demo: ready.demo,
    totals: async () => (await call({ type: 'totals' })).totals,
    clearLog: () => call({ type: 'clearLog' }),
    setCaching: (caching) => call({ type: 'setCaching', caching }),
  };
}

/**
 * The V8 flags of `npm run serve`, the production command, so the gateway runs here exactly as it is
 * run in production (and its own pid is the one whose RSS is read, not npm's).
 */
function serveFlags() {
  const serve = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')).scripts.serve;
  const match = /^(?:NODE_ENV=production )?(?:exec )?node((?: --[\w-]+=\S+)*) dist\/index\.js$/.exec(
    serve ?? '',
  );
  if (!match)
    throw new Error(
      `package.json scripts.serve is not "[NODE_ENV=production] [exec] node [--flag=value ...] dist/index.js": ${serve}`,
    );
  return match[1].trim().split(/\s+/).filter(Boolean);
}

/** This gateway as production runs it; `env` adds configuration (the `cached` system's response cache). */
export async function startGateway(matatikaUrl, token, name = 'gateway', env = {}) {
  const port = await freePort();
  const info = spawnTracked(name, process.execPath, [...serveFlags(), join(rootDir, 'dist', 'index.js')], {
    cwd: rootDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SANDBOX: '0',
      MATATIKA_API_URL: matatikaUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { info, url };
}

/** Composes the Mesh supergraph against this sandbox, then serves it with Hive Gateway. */
export async function startMesh(matatikaUrl, latencyMs, token) {
  const supergraph = join(workDir, `supergraph-${latencyMs}ms.graphql`);
  execFileSync(
    process.execPath,
    [join(benchDir, 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js'), '-o', supergraph],
    {
      cwd: join(benchDir, 'mesh'),
      env: { ...process.env, MATATIKA_API_URL: matatikaUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    },
  );
  const port = await freePort();
  const info = spawnTracked(
    'mesh',
    process.execPath,
    [
      '--no-deprecation',
      join(benchDir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
      'supergraph',
      supergraph,
      '-c',
      join(benchDir, 'mesh', 'gateway.config.ts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      '1',
    ],
    { cwd: join(benchDir, 'mesh'), env: { ...process.env, NODE_ENV: 'production' } },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { info, url };
}

/**
 * Tailcall 1.0 serving bench/tailcall/matatika.graphql against this sandbox. The committed config names
 * port 8000; it is served from a copy in bench/.work/ with a free port instead (an @server port is a
 * literal). The upstream comes from MATATIKA_API_URL, which every @http url reads. Its usage tracking is off
 * (TAILCALL_TRACKER=false) and so is its once-a-day release check (its state file says it just checked), so
 * it talks to nothing but the sandbox.
 */
export async function startTailcall(matatikaUrl, token) {
  const port = await freePort();
  const source = readFileSync(join(benchDir, 'tailcall', 'matatika.graphql'), 'utf8');
  const config = source.replace(/(@server\([^)]*\bport:\s*)\d+/, `$1${port}`);
  if (config === source) throw new Error('bench/tailcall/matatika.graphql: no @server(port: N) to replace');
  const dir = join(workDir, 'tailcall');
  const cacheDir = join(dir, 'cache');
  mkdirSync(join(cacheDir, 'tailcall'), { recursive: true });
  writeFileSync(join(cacheDir, 'tailcall', '.state'), String(Math.floor(Date.now() / 1000)));
  const file = join(dir, `matatika-${port}.graphql`);
  writeFileSync(file, config);
  const info = spawnTracked('tailcall', TAILCALL_BIN, ['start', file], {
    cwd: dir,
    env: {
      ...process.env,
      MATATIKA_API_URL: matatikaUrl,
      TAILCALL_TRACKER: 'false',
      TAILCALL_LOG_LEVEL: 'warn',
      XDG_CACHE_HOME: cacheDir,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { info, url };
}

/**
 * The bare Node proxy (bench/bare-proxy.mjs) in front of this sandbox, with the gateway's V8 flags so that
 * the two differ by their code only. It listens on a port the OS picks and reports its URL over IPC.
 */
export async function startBare(matatikaUrl) {
  const info = forkTracked('bare', join(benchDir, 'bare-proxy.mjs'), {
    cwd: rootDir,
    execArgv: serveFlags(),
    env: { ...process.env, NODE_ENV: 'production', BARE_UPSTREAM: matatikaUrl, BARE_PORT: '0' },
  });
  const ready = await waitForReady(info);
  return { info, url: ready.url };
}

// --- one latency's set ----------------------------------------------------------------------------------

/**
 * Starts the sandbox with `latencyMs` injected, then every selected system against it, and puts the demo
 * caller's default workspace back to the large one (Q3 and Q5 read it). Returns the sandbox, the demo ids,
 * `targets` ({ [system]: { url, pid } }, raw included), the caller's `headers`, and `stop()`.
 */
export async function startSystems(config, latencyMs, log) {
  const sandbox = await startSandbox(latencyMs);
  const m = sandbox.demo?.matatika ?? {};
  const ids = {
    token: m.tokens?.demo ?? 'matatika-demo-token',
    profileId: m.profileIds?.demo ?? m.profileId ?? 'auth0|6a21dc7aa1db2e036a222942',
    workspaceId: m.workspaceIds?.large ?? m.largeWorkspaceId ?? '1f4dd699-ecb3-4e7f-ab8c-3c077ad51272',
    forbiddenWorkspaceId: m.workspaceIds?.forbidden ?? m.forbiddenWorkspaceId ?? null,
  };
  log(`sandbox at ${sandbox.url}`);

  const use = (s) => config.systems.includes(s);
  const started = {};
  const stop = () =>
    Promise.all([...Object.values(started), sandbox].filter(Boolean).map((s) => stopChild(s.info)));
  try {
    const [gateway, cached, mesh, tailcall, bare] = await Promise.all([
      use('gateway') ? startGateway(sandbox.matatikaUrl, ids.token) : null,
      use('cached')
        ? startGateway(sandbox.matatikaUrl, ids.token, 'cached', {
            RESPONSE_CACHE_TTL_MS: String(CACHE_TTL_MS),
          })
        : null,
      use('mesh') ? startMesh(sandbox.matatikaUrl, latencyMs, ids.token) : null,
      use('tailcall') ? startTailcall(sandbox.matatikaUrl, ids.token) : null,
      use('bare') ? startBare(sandbox.matatikaUrl) : null,
    ]);
    Object.assign(started, { gateway, cached, mesh, tailcall, bare });
  } catch (error) {
    await stop();
    throw error;
  }
  const what = {
    gateway: 'gateway',
    cached: 'gateway with its response cache',
    mesh: 'mesh',
    tailcall: 'tailcall',
    bare: 'bare proxy',
  };
  for (const [name, s] of Object.entries(started)) {
    if (s) log(`${what[name]} at ${s.url} (pid ${s.info.child.pid})`);
  }

  const targets = { raw: { url: sandbox.matatikaUrl, pid: sandbox.info.child.pid } };
  for (const [name, s] of Object.entries(started))
    if (s) targets[name] = { url: s.url, pid: s.info.child.pid };
  const headers = { authorization: `Bearer ${ids.token}`, 'content-type': 'application/json' };

  await fetch(`${sandbox.matatikaUrl}/api/profiles/${encodeURIComponent(ids.profileId)}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ defaultWorkspace: { id: ids.workspaceId } }),
  });
  return { sandbox, ids, targets, headers, stop };
}
