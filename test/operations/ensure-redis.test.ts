import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../support/ensure-redis.mjs', import.meta.url).pathname;

/** Stand-ins for the commands the script may call; each records how it was called in the log. */
const FAKES = {
  rootId: '#!/bin/sh\necho 0\n',
  userId: '#!/bin/sh\necho 1000\n',
  passwordlessSudo: '#!/bin/sh\necho "sudo $*" >> "$LOG"\nshift\n"$@"\n',
  sudoAskingForAPassword:
    '#!/bin/sh\necho "sudo $*" >> "$LOG"\necho "sudo: a password is required" >&2\nexit 1\n',
  // `install` leaves a redis-server behind, as Debian's package does.
  aptGet:
    '#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> "$LOG"\n' +
    'if [ "$1" = install ]; then printf "#!/bin/sh\\n" > "$BIN/redis-server"; /bin/chmod +x "$BIN/redis-server"; fi\n',
  failingAptGet: '#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> "$LOG"\nexit 100\n',
  redisServer: '#!/bin/sh\n',
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the pretest script with PATH holding only `commands` (no real redis-server, apt-get or sudo). */
function ensureRedisWith(commands: Record<string, string>) {
  const bin = mkdtempSync(join(tmpdir(), 'ensure-redis-'));
  dirs.push(bin);
  const log = join(bin, 'calls.log');
  writeFileSync(log, '');
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(join(bin, name), body);
    chmodSync(join(bin, name), 0o755);
  }
  symlinkSync('/usr/bin/env', join(bin, 'env'));
  const result = spawnSync(process.execPath, [SCRIPT], {
    env: { PATH: bin, LOG: log, BIN: bin },
    encoding: 'utf8',
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: readFileSync(log, 'utf8').split('\n').filter(Boolean),
    installed: existsSync(join(bin, 'redis-server')),
  };
}

describe('npm test brings its own redis-server (test/support/ensure-redis.mjs, the pretest script)', () => {
  it('does nothing when redis-server is on PATH', () => {
    const run = ensureRedisWith({
      'redis-server': FAKES.redisServer,
      id: FAKES.rootId,
      'apt-get': FAKES.aptGet,
    });
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '', calls: [] });
  });

  it("as root, installs Debian's redis-server package non-interactively", () => {
    const run = ensureRedisWith({ id: FAKES.rootId, 'apt-get': FAKES.aptGet });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server',
    ]);
    expect(run.installed).toBe(true);
  });

  it('as another user with passwordless sudo, installs it through sudo', () => {
    const run = ensureRedisWith({ id: FAKES.userId, sudo: FAKES.passwordlessSudo, 'apt-get': FAKES.aptGet });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'sudo -n true',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get update -qq',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server',
    ]);
    expect(run.installed).toBe(true);
  });

  it('as another user whom sudo asks for a password, stops with one line saying what to install', () => {
    const run = ensureRedisWith({
      id: FAKES.userId,
      sudo: FAKES.sudoAskingForAPassword,
      'apt-get': FAKES.aptGet,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/needs redis-server .*apt-get install -y redis-server/);
    expect(run.calls).toEqual(['sudo -n true']);
    expect(run.installed).toBe(false);
  });

  it('without apt-get, stops with one line saying what to install, even as root', () => {
    const run = ensureRedisWith({ id: FAKES.rootId });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/needs redis-server .*brew install redis/);
  });

  it('stops with an error when apt-get fails', () => {
    const run = ensureRedisWith({ id: FAKES.rootId, 'apt-get': FAKES.failingAptGet });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/apt-get update -qq failed/);
    expect(run.calls).toEqual(['DEBIAN_FRONTEND=noninteractive apt-get update -qq']);
  });
});
