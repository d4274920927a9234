// Correctness before speed: every system is sent every scenario once, and the run stops unless each answer
// is complete, error-free and the same data on every GraphQL system (gateway, cached, Mesh, Tailcall; the
// bare proxy must answer what the raw upstream answers). The upstream calls of that single operation are
// counted from the sandbox's totals, each exact body is kept (autocannon then counts any answer that differs
// as a mismatch), and at an injected latency the wall time of one operation gives the number of upstream
// round trips it waits for, which is checked against the scenario's declared dependent chain.
import { forbiddenChecks } from './scenarios.mjs';
import { isGraphQL, queryOf } from './systems.mjs';

async function send(url, { method = 'POST', headers, body }) {
  const started = performance.now();
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/** The HTTP request a system is sent for a scenario: GraphQL for the gateways, the raw request otherwise. */
export function requestOf(system, scenario, url, headers) {
  if (!isGraphQL(system)) {
    const raw = scenario.raw;
    return {
      url: `${url}${raw.path}`,
      method: raw.method,
      headers: raw.body ? headers : { authorization: headers.authorization },
      body: raw.body ? JSON.stringify(raw.body) : undefined,
    };
  }
  const q = scenario[queryOf(system)];
  return { url, method: 'POST', headers, body: JSON.stringify({ query: q.query, variables: q.variables }) };
}

const sameJson = (a, b) => {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

/**
 * Verifies every scenario on every system of `config.systems`. Returns, per scenario id,
 * `{ bodies, calls, canonical, observedChain }`: `bodies[system]` is the exact answer when it is the same
 * from one request to the next (null otherwise), `calls[system]` the upstream calls of one operation,
 * `observedChain.gateway` (latency > 0 only) the round trips the fastest of a few warm operations waited for.
 */
export async function verify({ config, scenarioList, targets, headers, sandbox, ids, latencyMs, log }) {
  const out = {};
  for (const scenario of scenarioList) {
    const v = { bodies: {}, calls: {}, canonical: {}, observedChain: {} };
    const texts = {};
    for (const system of config.systems) {
      const request = requestOf(system, scenario, targets[system].url, headers);
      const before = await sandbox.totals();
      const first = await send(request.url, request);
      const after = await sandbox.totals();
      // The raw upstream is the sandbox itself: one request is one call, by definition.
      v.calls[system] = system === 'raw' ? 1 : after.all - before.all;
      const again = await send(request.url, request);
      // Only an answer that is byte-identical from one request to the next can be checked under load.
      v.bodies[system] = again.text === first.text ? first.text : null;
      texts[system] = first.text;
      if (latencyMs > 0 && system === 'gateway') {
        // Every round trip costs at least the injected latency, so floor(time / latency) counts them as long
        // as the gateway's own time stays under one latency: the fastest of several operations, since the
        // first ones of a just-started process are slow (cold JIT) and the machine is shared.
        let fastest = again.ms;
        for (let i = 0; i < 8; i++) fastest = Math.min(fastest, (await send(request.url, request)).ms);
        v.observedChain.gateway = Math.floor(fastest / latencyMs);
      }
      const sample =
        first.text.length > 360 ? `${first.text.slice(0, 360)}… (${first.text.length} bytes)` : first.text;

      if (!isGraphQL(system)) {
        if (first.status < 200 || first.status > 299)
          throw new Error(`${system} ${scenario.id}: HTTP ${first.status}: ${first.text.slice(0, 300)}`);
        if (system === 'bare') log(`${scenario.id} bare: ${v.calls.bare} upstream calls; ${sample}`);
        continue;
      }
      let json;
      try {
        json = JSON.parse(first.text);
      } catch {
        throw new Error(
          `${system} ${scenario.id}: HTTP ${first.status}, not JSON: ${first.text.slice(0, 300)}`,
        );
      }
      if (first.status !== 200 || json.errors?.length || !json.data) {
        throw new Error(`${system} ${scenario.id}: HTTP ${first.status}: ${first.text.slice(0, 1500)}`);
      }
      v.canonical[system] = scenario[queryOf(system)].canonical(json.data);
      log(`${scenario.id} ${system}: ${v.calls[system]} upstream calls; ${sample}`);
    }
    checkScenario(scenario, v.canonical);
    if (v.canonical.gateway && v.canonical.cached) {
      if (JSON.stringify(v.canonical.gateway) !== JSON.stringify(v.canonical.cached))
        throw new Error(`${scenario.id}: the gateway answers differently with its response cache on`);
    }
    // Every GraphQL system must answer what the first of them (the gateway, when it runs) answers.
    const [reference, ...others] = ['gateway', 'mesh', 'tailcall'].filter((sys) => v.canonical[sys]);
    for (const other of others) {
      const a = JSON.stringify(v.canonical[reference]);
      const b = JSON.stringify(v.canonical[other]);
      if (a !== b)
        throw new Error(
          `${scenario.id}: ${reference} and ${other} disagree:\n ${reference.padEnd(8)} ${a}\n ${other.padEnd(8)} ${b}`,
        );
    }
    if (others.length) log(`${scenario.id}: ${[reference, ...others].join(', ')} answer the same data`);
    if (v.calls.bare != null && v.calls.bare !== 1)
      throw new Error(`${scenario.id}: the bare proxy made ${v.calls.bare} upstream calls for one request`);
    if (texts.bare != null) {
      // Without `raw` among the systems, ask the sandbox directly.
      const rawRequest = requestOf('raw', scenario, sandbox.matatikaUrl, headers);
      texts.raw ??= (await send(rawRequest.url, rawRequest)).text;
      if (!sameJson(texts.bare, texts.raw))
        throw new Error(`${scenario.id}: the bare proxy and the raw upstream answer different bodies`);
      log(`${scenario.id}: the bare proxy answers what the raw upstream answers`);
    }
    if (latencyMs > 0 && v.observedChain.gateway != null) {
      const seen = v.observedChain.gateway;
      const note =
        seen === scenario.chain ? 'as declared' : `declared ${scenario.chain}: check lib/scenarios.mjs`;
      log(`${scenario.id}: one gateway operation waited for ${seen} upstream round trip(s) (${note})`);
    }
    if (
      config.distinct?.scenario === scenario.id &&
      config.distinct.latencyMs === latencyMs &&
      targets.gateway
    ) {
      await verifyDistinct({
        scenario,
        target: targets.gateway,
        headers,
        verifiedBody: v.bodies.gateway,
        log,
      });
    }
    await sandbox.clearLog();
    out[scenario.id] = v;
  }
  if (ids.forbiddenWorkspaceId) await verifyForbidden(targets, headers, ids.forbiddenWorkspaceId, log);
  else log('the sandbox names no forbidden workspace: 403 check skipped');
  return out;
}

/** A 403 from the upstream must surface as a GraphQL error on every GraphQL system (but `cached`). */
async function verifyForbidden(targets, headers, workspaceId, log) {
  const checks = forbiddenChecks(workspaceId);
  for (const system of ['gateway', 'mesh', 'tailcall']) {
    if (!targets[system]) continue;
    const { status, text } = await send(targets[system].url, {
      headers,
      body: JSON.stringify(checks[system]),
    });
    const error = JSON.parse(text).errors?.[0];
    const surfaced =
      error &&
      (error.extensions?.code === 'FORBIDDEN' ||
        error.extensions?.http?.status === 403 ||
        error.extensions?.upstream?.status === 403 ||
        /403|forbidden/i.test(error.message));
    if (!surfaced)
      throw new Error(
        `${system}: a 403 from the upstream did not surface as an error: HTTP ${status} ${text}`,
      );
    log(`403 on ${system}: HTTP ${status}; ${text.slice(0, 400)}`);
  }
}

/**
 * The distinct-documents variant of a scenario: one aliased document must answer the verified body under
 * its alias, and pass the matcher autocannon uses under load.
 */
async function verifyDistinct({ scenario, target, headers, verifiedBody, log }) {
  const d = scenario.gateway.distinct;
  if (!d) throw new Error(`${scenario.id} has no distinct-documents variant`);
  if (!verifiedBody) throw new Error(`${scenario.id}: the gateway's answer changes between requests`);
  const n = 987654321;
  const body = JSON.stringify({ query: d.query(n), variables: scenario.gateway.variables });
  const { status, text } = await send(target.url, { headers, body });
  const expected = d.expectBody(verifiedBody, n);
  if (status !== 200 || text !== expected || !d.matcher(verifiedBody)(text))
    throw new Error(
      `${scenario.id} distinct document: HTTP ${status}, expected ${expected}, got ${text.slice(0, 500)}`,
    );
  log(`${scenario.id} distinct documents: an aliased document answers the verified data under its alias`);
}

function checkScenario(scenario, canonical) {
  for (const [system, c] of Object.entries(canonical)) {
    const problem = (() => {
      switch (scenario.id) {
        case 'Q1':
          return c?.id && c.email ? null : 'no profile id/email';
        case 'Q2':
          if (c.length < 20) return `${c.length} members, expected 20 or more`;
          // Some demo profiles have no email at all; a failed profile read would have been a GraphQL error.
          return c.filter((m) => m.email).length >= 20 ? null : 'fewer than 20 member profiles with an email';
        case 'Q3':
          if (!c.length) return 'no workspaces';
          return c.some((w) => w.isDefault) && c.every((w) => w.status)
            ? null
            : 'no default workspace or no status';
        case 'Q4':
          return c.workspace?.name && c.workspace.status ? null : 'no default workspace name/status';
        case 'Q5':
          if (!c.me?.defaultWorkspace?.status) return 'no default workspace status';
          if (!c.profiles.length || !c.workspaces.length) return 'no profiles or workspaces';
          return c.workspaces.every((w) => w.members.length) ? null : 'a workspace without members';
        default:
          return null;
      }
    })();
    if (problem) throw new Error(`${system} ${scenario.id}: ${problem}: ${JSON.stringify(c).slice(0, 500)}`);
  }
}
