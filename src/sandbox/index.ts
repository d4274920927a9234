// The embedded sandbox: one node:http server playing the four upstream APIs under path prefixes, recording
// every request and injecting faults. It shares no code with src/sources/, whose bugs a shared decoder would hide.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkCaching, withCaching } from './caching.js';
import { cadenya } from './cadenya.js';
import { createState } from './data.js';
import { checkLatency, FaultTable, MALFORMED_BODY, matches, SOURCES } from './faults.js';
import { json, type Reply, type SandboxRequest, type SourceApi } from './http.js';
import { matatika } from './matatika.js';
import { moltaro } from './moltaro.js';
import type { Fault, RecordedRequest, Sandbox, SandboxOptions, SandboxSource } from './types.js';
import { upsun, upsunAuth } from './upsun.js';

export type { CachingOptions } from './caching.js';
export { demo } from './data.js';
export type { Fault, FaultRule, RecordedRequest, Sandbox, SandboxOptions, SandboxSource } from './types.js';

const APIS: Readonly<Record<SandboxSource, SourceApi>> = {
  matatika,
  cadenya,
  moltaro,
  upsun,
  'upsun-auth': upsunAuth,
};

const MAX_BODY_BYTES = 1 << 20;
/** Host header values safe to echo into hrefs: a name or address and an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const isSource = (prefix: string): prefix is SandboxSource => (SOURCES as readonly string[]).includes(prefix);

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { port = 0, host = '127.0.0.1', latencyMs = 0, logToConsole = false, maxRecorded = 10_000 } = options;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new RangeError(`Invalid port ${port}. Must be an integer from 0 to 65535`);
  }
  checkLatency(latencyMs, 'latencyMs');
  checkCaching(options.caching ?? null);
  if (!(Number.isInteger(maxRecorded) && maxRecorded >= 0)) {
    throw new RangeError(`Invalid maxRecorded ${maxRecorded}. Must be an integer >= 0`);
  }

  let state = createState();
  let latency = latencyMs;
  let caching = options.caching ?? null;
  const faults = new FaultTable();
  const log: RecordedRequest[] = [];
  const totals = {
    all: 0,
    bySource: Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<string, number>,
  };
  // Pending delayed answers, cancelled on close so no timer outlives the server.
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';

  function record(entry: RecordedRequest): void {
    totals.all += 1;
    if (entry.source) totals.bySource[entry.source] = (totals.bySource[entry.source] ?? 0) + 1;
    if (maxRecorded === 0) return;
    log.push(entry);
    if (log.length > maxRecorded) log.shift();
  }

  function clearLog(): void {
    log.length = 0;
    totals.all = 0;
    for (const key of Object.keys(totals.bySource)) totals.bySource[key] = 0;
    for (const key of Object.keys(peak)) peak[key] = inFlight[key] ?? 0;
  }

  /** Requests of each source received and not yet answered, and the most there were at once. */
  const inFlight: Record<string, number> = {};
  const peak: Record<string, number> = {};
  function arrived(source: string): void {
    inFlight[source] = (inFlight[source] ?? 0) + 1;
    peak[source] = Math.max(peak[source] ?? 0, inFlight[source]);
  }
  function answered(source: string): void {
    inFlight[source] = (inFlight[source] ?? 1) - 1;
  }

  function reply(
    entry: RecordedRequest,
    fault: Fault | undefined,
    req: IncomingMessage,
    tooLarge: boolean,
  ): Reply {
    if (fault?.malformed) return { status: 200, body: MALFORMED_BODY, contentType: 'application/json' };
    if (fault?.body !== undefined) {
      return {
        status: fault.status ?? 200,
        body: fault.body,
        contentType: fault.contentType ?? 'application/json',
      };
    }
    const { source } = entry;
    if (source === null) {
      const known = SOURCES.map((s) => `/${s}`).join(', ');
      return json(fault?.status ?? 404, { error: `No source under this prefix; the sources are ${known}` });
    }
    // The Host the client used, so hrefs stay on the origin it was configured with (localhost or 127.0.0.1).
    const hostHeader = req.headers.host;
    const base = hostHeader && HOST_HEADER.test(hostHeader) ? `http://${hostHeader}` : origin;
    const request: SandboxRequest = {
      method: entry.method,
      path: entry.path,
      query: new URLSearchParams(entry.query),
      headers: req.headers,
      body: entry.body,
      base: `${base}/${source}`,
      origin: base,
    };
    const api = APIS[source];
    if (fault?.status !== undefined) return api.error(fault.status, request);
    if (tooLarge) return api.error(413, request, 'Request body too large');
    try {
      return api.handle(request, state);
    } catch (err) {
      // A sandbox bug must not take the server down with it: answer 500 like a real upstream would.
      console.error('sandbox: handler failed', err);
      return api.error(500, request);
    }
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RecordedRequest,
    fault: Fault | undefined,
    tooLarge: boolean,
    started: number,
  ): void {
    if (fault?.hang) {
      logLine(entry, started, 'hang');
      return;
    }
    if (entry.source) answered(entry.source);
    if (fault?.reset) {
      req.socket.destroy();
      logLine(entry, started, 'reset');
      return;
    }
    const base = reply(entry, fault, req, tooLarge);
    const out = caching ? withCaching(caching, entry, req.headers, base) : base;
    entry.status = out.status;
    // The client may have given up while a latency timer ran.
    if (res.destroyed) return;
    // A 304 has no body, so no content headers (caching.ts).
    if (out.status === 304) res.writeHead(304, { ...out.headers, ...fault?.headers });
    else
      res.writeHead(out.status, {
        'content-type': out.contentType,
        'content-length': Buffer.byteLength(out.body),
        ...out.headers,
        ...fault?.headers,
      });
    res.end(out.body);
    logLine(entry, started);
  }

  function logLine(entry: RecordedRequest, started: number, outcome?: string): void {
    if (!logToConsole) return;
    const ms = (performance.now() - started).toFixed(1);
    // A moltaro access_token in the query is a credential: keep it out of the terminal.
    const target = entry.url.replace(/([?&]access_token=)[^&]*/gi, '$1***');
    console.log(`${new Date().toISOString()} ${outcome ?? entry.status} ${entry.method} ${target} ${ms}ms`);
  }

  function dispatch(req: IncomingMessage, res: ServerResponse, body: string, tooLarge: boolean): void {
    const started = logToConsole ? performance.now() : 0;
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    const slash = rawPath.indexOf('/', 1);
    const prefix = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
    const source = isSource(prefix) ? prefix : null;
    const entry: RecordedRequest = {
      source,
      method: req.method ?? 'GET',
      path: source === null ? rawPath : slash === -1 ? '' : rawPath.slice(slash),
      query: q === -1 ? '' : target.slice(q + 1),
      url: target,
      headers: flatten(req.headers),
      body,
      status: 0,
    };
    record(entry);
    if (source) arrived(source);
    const fault = faults.take(entry);
    const delay = latency + (fault?.latencyMs ?? 0);
    if (delay <= 0) {
      answer(req, res, entry, fault, tooLarge, started);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer(req, res, entry, fault, tooLarge, started);
    }, delay);
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
      dispatch(req, res, body, size > MAX_BODY_BYTES);
    });
  });
  // Longer than undici's default keep-alive, so benchmark clients reuse connections instead of reconnecting.
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = originOf(server.address() as AddressInfo);

  let closing: Promise<void> | undefined;

  return {
    get url() {
      return origin;
    },
    urlOf(source: SandboxSource): string {
      if (!isSource(source)) {
        throw new TypeError(`Unknown source ${JSON.stringify(source)}. Must be one of ${SOURCES.join(', ')}`);
      }
      return `${origin}/${source}`;
    },
    get requests() {
      return log;
    },
    count(filter = {}) {
      let n = 0;
      for (const entry of log) if (matches(filter, entry)) n += 1;
      return n;
    },
    get totals() {
      return totals;
    },
    peakInFlight: (source) => peak[source] ?? 0,
    clearLog,
    inject: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setLatency(ms: number) {
      checkLatency(ms, 'latency');
      latency = ms;
    },
    setCaching(next) {
      checkCaching(next);
      caching = next;
    },
    revokeUpsunTokens() {
      state.upsun.accessTokens = {};
    },
    reset() {
      state = createState();
      clearLog();
      faults.clear();
      latency = latencyMs;
      caching = options.caching ?? null;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        // close() alone would wait for hanging and keep-alive sockets; destroy them so this always settles.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** An origin clients can actually connect to: a wildcard bind address is reached through loopback. */
function originOf({ address, family, port }: AddressInfo): string {
  if (address === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (address === '::') return `http://[::1]:${port}`;
  return family === 'IPv6' ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}
