// "One screen, many tabs" (bench/README.md says what is measured): Q2 from 50 connections at
// 20 ms with the sandbox sending max-age and an ETag, on the gateway today, with single-flight, and with
// single-flight and the upstream cache, for one credential and for fifty. A cold burst of fifty requests
// on empty caches comes first, since "fifty tabs open the screen at once" is what the issue is about.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { partialDir, rootDir } from './config.mjs';
import { load, rotate, round, summarise } from './measure.mjs';
import { stopChild } from './procs.mjs';
import { scenarios } from './scenarios.mjs';
import { startGateway, startSandbox } from './systems.mjs';

export const TABS = {
  latencyMs: 20,
  connections: 50,
  caching: { maxAge: 60, etag: true },
  builds: {
    today: { UPSTREAM_DEDUPE: '0' },
    dedupe: { UPSTREAM_DEDUPE: '1' },
    shared: { UPSTREAM_DEDUPE: '1', UPSTREAM_CACHE: 'memory' },
  },
};

/** Runs the scenario alone (`npm run bench -- --tabs`) and writes bench/.work/partial/tabs-<date>.json. */
export async function runTabs({ config, autocannon, log }) {
  const sandbox = await startSandbox(TABS.latencyMs);
  const started = [];
  try {
    await sandbox.setCaching(TABS.caching);
    const m = sandbox.demo.matatika;
    const q2 = scenarios({ profileId: m.profileIds.demo, workspaceId: m.workspaceIds.large }).find(
      (s) => s.id === 'Q2',
    ).gateway;
    const body = JSON.stringify({ query: q2.query, variables: q2.variables });
    const credentials = { one: [m.tokens.demo], fifty: m.sessionTokens };
    const names = Object.keys(TABS.builds);
    const targets = {};
    await Promise.all(
      names.map(async (name) => {
        const g = await startGateway(
          sandbox.matatikaUrl,
          m.tokens.demo,
          `gateway(${name})`,
          TABS.builds[name],
        );
        started.push(g);
        targets[name] = { url: g.url, pid: g.info.child.pid };
      }),
    );
    log(
      `tabs: sandbox at ${sandbox.url} (${TABS.latencyMs} ms, max-age ${TABS.caching.maxAge}); ${names.join(', ')}`,
    );

    const burst = {};
    for (const mode of Object.keys(credentials)) {
      burst[mode] = {};
      for (const name of names)
        burst[mode][name] = await coldBurst(sandbox, targets[name].url, body, credentials[mode]);
      log(
        `tabs: cold burst of ${TABS.connections}, ${mode} credential(s): upstream calls ${JSON.stringify(burst[mode])}`,
      );
    }
    const expected = await verify(targets, body, [...credentials.one, ...credentials.fifty.slice(0, 3)]);

    const measured = {};
    for (const mode of Object.keys(credentials)) {
      const requests = Object.fromEntries(
        names.map((name) => [name, tabRequest(targets[name].url, body, credentials[mode], expected)]),
      );
      for (const name of names) await load(autocannon, requests[name], Math.max(1, config.warmupSec || 1));
      const rounds = Object.fromEntries(names.map((n) => [n, []]));
      for (let i = 0; i < config.rounds; i++) {
        for (const name of rotate(names, i)) {
          const request = requests[name];
          const pid = targets[name].pid;
          rounds[name].push(
            await round({
              autocannon,
              request,
              pid,
              durationSec: config.durationSec,
              sandbox,
              latencyMs: TABS.latencyMs,
            }),
          );
        }
      }
      measured[mode] = Object.fromEntries(names.map((n) => [n, summarise(rounds[n])]));
      for (const name of names)
        log(`tabs ${mode}: ${line(name, measured[mode][name], measured[mode].today)}`);
    }
    const result = {
      date: new Date().toISOString(),
      tabs: TABS,
      rounds: config.rounds,
      durationSec: config.durationSec,
      burst,
      measured,
    };
    mkdirSync(partialDir, { recursive: true });
    const file = join(partialDir, `tabs-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`tabs: wrote ${relative(rootDir, file)}`);
    printTable(result);
    return result;
  } finally {
    await Promise.all([...started, sandbox].map((s) => stopChild(s.info)));
  }
}

/** Fifty requests at once, one per tab (tab i sends credential i mod n), and the upstream calls they made. */
async function coldBurst(sandbox, url, body, tokens) {
  await sandbox.clearLog();
  const before = (await sandbox.totals()).all;
  const answers = await Promise.all(
    Array.from({ length: TABS.connections }, (_, i) =>
      fetch(url, { method: 'POST', headers: headersOf(tokens[i % tokens.length]), body }).then(
        (r) => r.status,
      ),
    ),
  );
  if (answers.some((s) => s !== 200)) throw new Error(`tabs: a cold-burst request failed: ${answers}`);
  await new Promise((resolve) => setTimeout(resolve, 150 + TABS.latencyMs * 3));
  return (await sandbox.totals()).all - before;
}

/** Every build answers every credential byte for byte alike; that answer is what the load expects. */
async function verify(targets, body, tokens) {
  let expected = null;
  for (const [name, target] of Object.entries(targets)) {
    for (const token of tokens) {
      const text = await (
        await fetch(target.url, { method: 'POST', headers: headersOf(token), body })
      ).text();
      if (!text.includes('"edges"') || text.includes('"errors"'))
        throw new Error(`tabs: ${name} answered ${text.slice(0, 300)}`);
      expected ??= text;
      if (text !== expected) throw new Error(`tabs: ${name} answers differently for ${token}`);
    }
  }
  return expected;
}

/** Autocannon's request: one credential, or each request the next of several. */
function tabRequest(url, body, tokens, expectBody) {
  const request = {
    url,
    method: 'POST',
    headers: headersOf(tokens[0]),
    body,
    expectBody,
    connections: TABS.connections,
  };
  if (tokens.length === 1) return request;
  let next = 0;
  const setupRequest = (req) => ({ ...req, headers: headersOf(tokens[next++ % tokens.length]), body });
  // autocannon takes verifyBody, not expectBody, with `requests`.
  const { expectBody: _, ...rest } = request;
  return { ...rest, verifyBody: (text) => text === expectBody, requests: [{ setupRequest }] };
}

const headersOf = (token) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

function line(name, s, today) {
  const ratio = today?.opsMedian ? ` (${(s.opsMedian / today.opsMedian).toFixed(2)}x today)` : '';
  return `${name} ${s.opsMedian.toFixed(0)} req/s${ratio}, p50 ${s.p50Exact ?? s.p50} ms, ${s.upstreamCallsPerOp?.toFixed(3)} calls/request, ${s.cpuUsPerOpMedian ?? '?'} µs CPU/request${s.failed ? `, FAILED ${s.failed}` : ''}`;
}

function printTable(result) {
  const rows = [];
  for (const [mode, builds] of Object.entries(result.measured)) {
    for (const [name, s] of Object.entries(builds)) {
      const today = builds.today.opsMedian;
      rows.push(
        `| ${mode} | ${name} | ${s.opsMedian.toFixed(0)} | ${(s.opsMedian / today).toFixed(2)}x | ${s.p50Exact ?? s.p50} | ${s.upstreamCallsPerOp?.toFixed(3)} | ${result.burst[mode][name]} | ${s.cpuUsPerOpMedian ?? '?'} |`,
      );
    }
  }
  console.log(
    [
      `\n"One screen, many tabs": Q2, ${TABS.connections} connections, ${TABS.latencyMs} ms, ${result.rounds} x ${result.durationSec} s`,
      '| credentials | build | req/s | vs today | p50 ms | calls/request | cold burst calls | CPU µs/request |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}
