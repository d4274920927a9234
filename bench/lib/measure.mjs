// Load and its numbers: per scenario, a warm-up per system, then rounds of autocannon with the systems
// alternating (the first one rotates from round to round), the upstream calls of each round counted by the
// sandbox, the CPU time each system's processes spent on the round (utime + stime from /proc, before and
// after) per request completed, and medians over rounds. Two additions in the same rotation or right after it:
//   - distinct documents: the gateway on one scenario with a different document on every request, as a
//     run of its own beside the gateway's repeated document (config.distinct);
//   - at a latency above 0, a short set of rounds at 1 connection (config.oneConnection).
// At a latency above 0 every 2xx latency is also kept exactly (autocannon's histogram has 1 ms steps,
// too coarse for a target of chain x L + 1 ms) and reported as p50Exact/p99Exact.
import { CLOCK_TICK_US, cpuTicks, rssBytes } from './procs.mjs';
import { requestOf } from './verify.mjs';

export function rotate(list, n) {
  const k = n % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

/** The autocannon options for one system on one scenario (the body it must answer included). */
function autocannonRequest(system, scenario, target, headers, verifiedBody, connections) {
  return {
    ...requestOf(system, scenario, target.url, headers),
    expectBody: verifiedBody ?? undefined,
    connections,
  };
}

let distinctCounter = 0;

/**
 * The gateway with a different document on every request: the root field under an alias numbered by a
 * counter shared by the whole run, so no document is ever sent twice. The answer is checked with the
 * scenario's matcher (the verified body under any alias).
 */
function distinctRequest(scenario, target, headers, verifiedBody, connections) {
  const d = scenario.gateway.distinct;
  const variables = scenario.gateway.variables;
  const nextBody = () => JSON.stringify({ query: d.query(distinctCounter++), variables });
  return {
    url: target.url,
    method: 'POST',
    headers,
    connections,
    verifyBody: d.matcher(verifiedBody),
    requests: [
      {
        setupRequest: (req) => {
          req.body = nextBody();
          return req;
        },
      },
    ],
    nextBody,
  };
}

/** One autocannon run of `durationSec`; with `exact`, every 2xx latency in ms as well. */
export function load(autocannon, request, durationSec, { exact = false } = {}) {
  const { nextBody, ...options } = request;
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon({ ...options, duration: durationSec, timeout: 10 }, (error, result) =>
      error ? reject(error) : resolve({ result, latencies }),
    );
    if (exact) {
      instance.on('response', (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      });
    }
  });
}

/**
 * Sends `count` requests, `connections` at a time, with fetch. Used for the quick mode's warm-up:
 * autocannon only stops on its one-second tick, so even a 100-request autocannon run costs a second.
 */
async function warmUp(request, count) {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.nextBody ? request.nextBody() : request.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.connections, count) }, worker));
}

/**
 * One measured round: the load, a pause for the last upstream calls, the sandbox's count, and the CPU time
 * of the system's process `pid` (and its children) over the load.
 */
export async function round({ autocannon, request, pid, durationSec, sandbox, latencyMs }) {
  const before = await sandbox.totals();
  const ticksBefore = cpuTicks(pid);
  const { result: r, latencies } = await load(autocannon, request, durationSec, { exact: latencyMs > 0 });
  // Read right after the load, not after the pause below: what runs then is the tail of requests that
  // were cut off and are not counted, and for `raw` (the sandbox itself) the totals requests.
  const ticksAfter = cpuTicks(pid);
  // In-flight upstream calls of the last requests land shortly after autocannon stops.
  await new Promise((resolve) => setTimeout(resolve, 150 + latencyMs * 3));
  const after = await sandbox.totals();
  await sandbox.clearLog();
  const completed = r.requests.total || 0;
  // Every request sent (completed or cut off when the round ended) ran its upstream calls to the end
  // during the pause above, so calls per request sent is the per-operation cost.
  const sent = r.requests.sent || completed;
  const ok = Math.max(0, (r['2xx'] || 0) - (r.mismatches || 0));
  const sorted = latencies.sort((a, b) => a - b);
  const ticks = ticksBefore != null && ticksAfter != null ? ticksAfter - ticksBefore : null;
  return {
    opsPerSec: ok / (r.duration || durationSec),
    // CPU µs per request completed, with a resolution of one clock tick (10 ms) over the round.
    cpuUsPerOp: ticks != null && completed ? round2((ticks * CLOCK_TICK_US) / completed) : null,
    cpuTicks: ticks,
    p50: r.latency.p50,
    p99: r.latency.p99,
    p50Exact: round2(percentile(sorted, 50)),
    p99Exact: round2(percentile(sorted, 99)),
    completed,
    sent,
    ok,
    non2xx: r.non2xx || 0,
    errors: r.errors || 0,
    timeouts: r.timeouts || 0,
    mismatches: r.mismatches || 0,
    upstreamCalls: after.all - before.all,
    durationSec: r.duration,
  };
}

/** Medians over rounds, calls per operation, failures. */
export function summarise(rounds) {
  const ops = rounds.map((r) => r.opsPerSec);
  const sent = rounds.reduce((a, r) => a + r.sent, 0);
  const calls = rounds.reduce((a, r) => a + r.upstreamCalls, 0);
  const exact = rounds.map((r) => r.p50Exact).filter((x) => x != null);
  const exact99 = rounds.map((r) => r.p99Exact).filter((x) => x != null);
  const cpu = rounds.map((r) => r.cpuUsPerOp).filter((x) => x != null);
  return {
    rounds,
    opsMedian: median(ops),
    opsMin: Math.min(...ops),
    opsMax: Math.max(...ops),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    ...(exact.length ? { p50Exact: round2(median(exact)), p99Exact: round2(median(exact99)) } : {}),
    cpuUsPerOpMedian: cpu.length ? round2(median(cpu)) : null,
    upstreamCallsPerOp: sent ? calls / sent : null,
    failed: rounds.reduce((a, r) => a + r.non2xx + r.errors + r.mismatches, 0),
  };
}

/**
 * Rounds of `names` (keys of `requests` and `pids`) alternating, the first one rotating. `pids[name]` is the
 * process whose CPU time the round reads.
 */
async function alternate({ autocannon, names, requests, pids, rounds, durationSec, sandbox, latencyMs }) {
  const byName = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (const name of rotate(names, i)) {
      byName[name].push(
        await round({
          autocannon,
          request: requests[name],
          pid: pids[name],
          durationSec,
          sandbox,
          latencyMs,
        }),
      );
    }
  }
  return byName;
}

const fmtSystem = (name, s) => {
  const rss = s.rssBytes ? ` ${(s.rssBytes / 2 ** 20).toFixed(0)} MB` : '';
  const bad = s.failed ? ` FAILED ${s.failed}` : '';
  const hits = s.hitRatio != null ? ` hit ratio ${(s.hitRatio * 100).toFixed(1)}%` : '';
  const p50 = s.p50Exact != null ? ` p50 ${s.p50Exact} ms` : '';
  const cpu = s.cpuUsPerOpMedian != null ? ` ${s.cpuUsPerOpMedian.toFixed(0)} µs CPU/op` : '';
  return `${name} ${s.opsMedian.toFixed(0)} ops/s${cpu}${p50} p99 ${s.p99} ms ${s.upstreamCallsPerOp?.toFixed(2)} calls/op${hits}${rss}${bad}`;
};

/**
 * Measures one scenario at one latency on every system of `config.systems` (plus the distinct-documents
 * run and the 1-connection set where they apply) and returns the scenario's entry of the result JSON.
 */
export async function measureScenario({
  config,
  autocannon,
  scenario,
  verified,
  targets,
  headers,
  sandbox,
  latencyMs,
  log,
}) {
  const entry = {
    id: scenario.id,
    title: scenario.title,
    raw: scenario.raw.what,
    chain: scenario.chain,
    callsPerOpSingle: verified.calls,
    observedChain: verified.observedChain,
    systems: {},
  };
  const requests = {};
  const pids = {};
  for (const system of config.systems) {
    pids[system] = targets[system].pid;
    requests[system] = autocannonRequest(
      system,
      scenario,
      targets[system],
      headers,
      verified.bodies[system],
      config.connections,
    );
  }
  const withDistinct =
    config.distinct?.scenario === scenario.id && config.distinct.latencyMs === latencyMs && targets.gateway;
  const names = [...config.systems];
  if (withDistinct) {
    requests.distinct = distinctRequest(
      scenario,
      targets.gateway,
      headers,
      verified.bodies.gateway,
      config.connections,
    );
    pids.distinct = targets.gateway.pid;
    names.push('distinct');
  }

  // Warm-up (not measured): JIT, connection pools, caches of parsed documents.
  for (const name of names) {
    if (config.warmupRequests) await warmUp(requests[name], config.warmupRequests);
    else if (config.warmupSec) await load(autocannon, requests[name], config.warmupSec);
  }
  const measured = await alternate({
    autocannon,
    names,
    requests,
    pids,
    rounds: config.rounds,
    durationSec: config.durationSec,
    sandbox,
    latencyMs,
  });
  for (const system of config.systems) {
    const s = summarise(measured[system]);
    // The share of operations answered without any upstream call: 1 - (calls per op under load) /
    // (calls of the same operation uncached, counted once by verify() on its first, missing, request).
    const uncachedCalls = verified.calls.cached;
    if (system === 'cached' && uncachedCalls && s.upstreamCallsPerOp != null) {
      s.hitRatio = Math.max(0, Math.min(1, 1 - s.upstreamCallsPerOp / uncachedCalls));
    }
    const mem = system === 'raw' ? null : rssBytes(targets[system].pid);
    s.rssBytes = mem?.rss ?? null;
    s.rssPeakBytes = mem?.peak ?? null;
    entry.systems[system] = s;
  }
  if (withDistinct) {
    const d = summarise(measured.distinct);
    const mem = rssBytes(targets.gateway.pid);
    d.rssBytes = mem?.rss ?? null;
    d.rssPeakBytes = mem?.peak ?? null;
    entry.distinct = { system: 'gateway', ...d };
  }

  const oc = config.oneConnection;
  const ocSystems = oc.systems.filter((s) => targets[s]);
  if (latencyMs > 0 && oc.rounds > 0 && ocSystems.length) {
    const one = {};
    for (const system of ocSystems) one[system] = { ...requests[system], connections: 1 };
    const measuredOne = await alternate({
      autocannon,
      names: ocSystems,
      requests: one,
      pids,
      rounds: oc.rounds,
      durationSec: oc.durationSec,
      sandbox,
      latencyMs,
    });
    entry.oneConnection = { connections: 1, systems: {} };
    for (const system of ocSystems) entry.oneConnection.systems[system] = summarise(measuredOne[system]);
  }

  entry.ratios = ratios(entry);
  log(`${scenario.id} ${config.systems.map((sys) => fmtSystem(sys, entry.systems[sys])).join(' | ')}`);
  if (entry.distinct) log(`${scenario.id} ${fmtSystem('gateway, distinct documents', entry.distinct)}`);
  if (entry.oneConnection) {
    const cells = Object.entries(entry.oneConnection.systems).map(([sys, s]) => fmtSystem(sys, s));
    log(`${scenario.id} at 1 connection: ${cells.join(' | ')}`);
  }
  return entry;
}

function ratios(entry) {
  const s = entry.systems;
  const g = s.gateway?.opsMedian;
  const over = (a, b) => (a != null && b ? a / b : null);
  const cpu = (sys) => s[sys]?.cpuUsPerOpMedian;
  return {
    cachedOverGateway: g ? over(s.cached?.opsMedian, g) : null,
    gatewayOverMesh: over(g, s.mesh?.opsMedian),
    gatewayOverTailcall: over(g, s.tailcall?.opsMedian),
    gatewayOverRaw: over(g, s.raw?.opsMedian),
    meshOverRaw: over(s.mesh?.opsMedian, s.raw?.opsMedian),
    gatewayOverBare: over(g, s.bare?.opsMedian),
    bareOverRaw: over(s.bare?.opsMedian, s.raw?.opsMedian),
    distinctOverRepeated: over(entry.distinct?.opsMedian, g),
    // CPU per request, the gateway's over the other's (above 1: the gateway spends more per request).
    cpuGatewayOverBare: over(cpu('gateway'), cpu('bare')),
    cpuGatewayOverTailcall: over(cpu('gateway'), cpu('tailcall')),
  };
}
