// Child processes of the benchmark: the sandbox, this gateway, Mesh, Tailcall and the bare proxy. Every child is
// registered here so that one call (killAll) ends them all, on success, on error, on a signal and on the overall
// deadline. Also what /proc says about them: RSS and CPU time.
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();

/** Starts a child with `spawn` (or `fork` when ipc is set), keeps its last output lines for error reports. */
function track(child, name) {
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const info = { name, child, tail, exited: false, exitCode: null };
  child.on('exit', (code, signal) => {
    info.exited = true;
    info.exitCode = code ?? signal;
    children.delete(info);
  });
  children.add(info);
  return info;
}

export function spawnTracked(name, command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false, ...options });
  return track(child, name);
}

export function forkTracked(name, modulePath, options) {
  const child = fork(modulePath, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...options });
  return track(child, name);
}

/** Ends every child this process started: SIGTERM, then SIGKILL for any that is still there after graceMs. */
export async function killAll(graceMs = 3000) {
  const alive = [...children].filter((c) => !c.exited);
  for (const c of alive) {
    try {
      c.child.kill('SIGTERM');
    } catch {}
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive.some((c) => !c.exited)) await sleep(50);
  for (const c of alive) {
    if (!c.exited) {
      try {
        c.child.kill('SIGKILL');
      } catch {}
    }
  }
}

/** Synchronous last resort for process 'exit': no waiting possible there. */
export function killAllNow() {
  for (const c of children) {
    try {
      c.child.kill('SIGKILL');
    } catch {}
  }
}

export async function stopChild(info, graceMs = 3000) {
  if (info.exited) return;
  info.child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !info.exited) await sleep(50);
  if (!info.exited) info.child.kill('SIGKILL');
  while (!info.exited) await sleep(20);
}

export function failureReport(info) {
  return `${info.name} (pid ${info.child.pid}) ${info.exited ? `exited with ${info.exitCode}` : 'is running'}; last output:\n  ${info.tail.join('\n  ')}`;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released again before the child binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until POST {url} with a trivial GraphQL document answers 200, or the child exits, or timeoutMs
 * passes. Polls every 200 ms: bounded in count and time.
 */
export async function waitForGraphQL(info, url, headers, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (info.exited) throw new Error(`${failureReport(info)}`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(2000),
      });
      if (res.status === 200) return;
      lastError = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (error) {
      lastError = String(error?.cause?.code ?? error?.message ?? error);
    }
    await sleep(200);
  }
  throw new Error(
    `${info.name} did not answer at ${url} within ${timeoutMs} ms (${lastError})\n${failureReport(info)}`,
  );
}

/** Resident set size now and at its peak (VmRSS, VmHWM) in bytes of a process and its descendants, or null. */
export function rssBytes(pid) {
  const pids = [pid, ...descendants(pid)];
  let rss = 0;
  let peak = 0;
  let found = false;
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const now = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
      const high = status.match(/^VmHWM:\s+(\d+)\s+kB/m);
      if (now) {
        rss += Number(now[1]) * 1024;
        peak += Number(high?.[1] ?? now[1]) * 1024;
        found = true;
      }
    } catch {}
  }
  return found ? { rss, peak } : null;
}

/** The pids of a process's children, their children, and so on (from /proc, at this moment). */
export function descendants(pid) {
  const out = [];
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const k of kids) out.push(Number(k), ...descendants(Number(k)));
  } catch {}
  return out;
}

/** Microseconds per clock tick, the unit of utime and stime in /proc/<pid>/stat. */
export const CLOCK_TICK_US =
  1_000_000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime (every thread) of one process, in clock ticks, or null when it is gone. */
function ownTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * CPU time used so far by a process and its descendants alive now (utime + stime of every thread), in clock
 * ticks, or null when the process is gone. Read it before and after a load: the difference is the CPU the
 * system spent on it (a child that exits in between takes its ticks with it).
 */
export function cpuTicks(pid) {
  const own = ownTicks(pid);
  if (own == null) return null;
  let ticks = own;
  for (const p of descendants(pid)) ticks += ownTicks(p) ?? 0;
  return ticks;
}

/**
 * Waits for a forked child's first {type:'ready'} message (the sandbox and the bare proxy report their URL
 * this way), or rejects when it exits first or timeoutMs passes.
 */
export function waitForReady(info, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${info.name} did not start within ${timeoutMs} ms\n${failureReport(info)}`)),
      timeoutMs,
    );
    const onMessage = (m) => {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      info.child.off('message', onMessage);
      resolve(m);
    };
    info.child.on('message', onMessage);
    info.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${info.name} exited before it was ready\n${failureReport(info)}`));
    });
  });
}

/** A small request/response channel over a forked child's IPC. */
export function ipcClient(info) {
  let next = 1;
  const pending = new Map();
  info.child.on('message', (m) => {
    const p = pending.get(m?.id);
    if (p) {
      pending.delete(m.id);
      p.resolve(m);
    }
  });
  info.child.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`${info.name} exited`));
    pending.clear();
  });
  return (message, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${info.name} did not answer ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      info.child.send({ ...message, id });
    });
}
