import type { SourceDescriptor } from '../descriptor.js';
import { MoltaroClient, ROUTES } from './client.js';
import { moltaroMessage } from './payloads.js';

/** Moltaro: the caller's workspace account profile, in an envelope. */
export const moltaro: SourceDescriptor<MoltaroClient> = {
  tokenHeader: 'x-moltaro-authorization',
  routes: ROUTES,
  messageOf: moltaroMessage,
  client: (session) => new MoltaroClient(session),
};
