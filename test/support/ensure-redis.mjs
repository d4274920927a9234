#!/usr/bin/env node
// `npm test`'s pretest: the Redis tests start a real redis-server (test/support/redis.ts), so a fresh machine
// gets Debian's package here, or one line saying what to install. Nothing happens when it is on PATH.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const WHAT_TO_INSTALL =
  'npm test needs redis-server on PATH for its Redis tests: install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis), then run npm test again.';

/** The first executable called `name` on PATH, as a shell's `command -v` finds it. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return null;
}

function run(command, args, stdio = 'ignore') {
  const result = spawnSync(command, args, {
    stdio,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (onPath('redis-server')) process.exit(0);

// `id -u` first, so that the test of this script can stand in for root (or not) with its own `id`.
const root = onPath('id')
  ? run('id', ['-u'], ['ignore', 'pipe', 'ignore']).stdout.trim() === '0'
  : process.getuid?.() === 0;
// sudo drops most of the environment, so the non-interactive frontend goes through `env`.
const asRoot = root
  ? (args) => ['apt-get', args]
  : onPath('sudo') && run('sudo', ['-n', 'true']).ok
    ? (args) => ['sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]]
    : null;
if (!asRoot || !onPath('apt-get')) fail(WHAT_TO_INSTALL);

console.error("redis-server is not on PATH: installing Debian's redis-server package (apt-get)…");
for (const args of [
  ['update', '-qq'],
  ['install', '-y', '-qq', 'redis-server'],
]) {
  // apt-get's errors (stderr) are worth seeing; its progress (stdout) is not.
  if (!run(...asRoot(args), ['ignore', 'ignore', 'inherit']).ok)
    fail(`apt-get ${args.join(' ')} failed. ${WHAT_TO_INSTALL}`);
}
if (!onPath('redis-server'))
  fail(`apt-get installed redis-server, yet it is not on PATH. ${WHAT_TO_INSTALL}`);
