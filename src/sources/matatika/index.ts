import type { SourceDescriptor } from '../descriptor.js';
import { MatatikaClient, ROUTES } from './client.js';
import { matatikaMessage } from './payloads.js';

/** Meltano Cloud (Matatika): profiles, workspaces and members, HAL+JSON. */
export const matatika: SourceDescriptor<MatatikaClient> = {
  tokenHeader: 'authorization',
  routes: ROUTES,
  messageOf: matatikaMessage,
  client: (session) => new MatatikaClient(session),
};
