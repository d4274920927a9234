import type { SourceDescriptor } from '../descriptor.js';
import { CadenyaClient, ROUTES } from './client.js';
import { cadenyaMessage } from './payloads.js';

/** Cadenya: account profiles, searched and paged by cursor. */
export const cadenya: SourceDescriptor<CadenyaClient> = {
  tokenHeader: 'x-cadenya-authorization',
  routes: ROUTES,
  messageOf: cadenyaMessage,
  client: (session, cursors) => new CadenyaClient(session, cursors),
};
