// `npm run sandbox`: the four upstream APIs as a local stand-in, logging every request, until Ctrl-C.
import { demo, type SandboxSource, startSandbox } from './index.js';

const port = Number(process.env.SANDBOX_PORT ?? 4010);
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';

const sandbox = await startSandbox({ port, host, logToConsole: true });

const sources: SandboxSource[] = ['matatika', 'cadenya', 'moltaro', 'upsun', 'upsun-auth'];
console.log(`Sandbox listening on ${sandbox.url}`);
for (const source of sources) console.log(`  ${source.padEnd(10)} ${sandbox.urlOf(source)}`);
console.log(`
Demo credentials (Authorization: Bearer <token>):
  matatika   ${Object.entries(demo.matatika.tokens)
    .map(([name, token]) => `${name}=${token}`)
    .join('  ')}
  cadenya    admin=${demo.cadenya.tokens.admin}  member=${demo.cadenya.tokens.member}
  moltaro    ${Object.entries(demo.moltaro.tokens)
    .map(([name, token]) => `${name}=${token}`)
    .join('  ')}
  upsun      access token=${demo.upsun.accessToken}  API token=${demo.upsun.apiToken}

Try: curl -H 'Authorization: Bearer ${demo.matatika.tokens.demo}' ${sandbox.urlOf('matatika')}/api/profiles
`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing the sandbox`);
  await sandbox.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
