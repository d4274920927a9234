import { pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import { envelopeSchema, type WorkspaceAccountProfile } from './payloads.js';

/** The paths this client calls, for the metrics' route label. */
export const ROUTES = ['/api/workspace/account/profile'];

/**
 * Moltaro's profile of the calling workspace user. The credential goes in the Authorization header only,
 * never in the `access_token` query parameter the API also accepts: query strings end up in logs.
 */
export class MoltaroClient {
  private profile: Promise<WorkspaceAccountProfile> | undefined;

  constructor(private readonly session: SourceSession) {}

  /** The caller's profile, read once per request. */
  accountProfile(): Promise<WorkspaceAccountProfile> {
    this.profile ??= this.read();
    return this.profile;
  }

  private async read(): Promise<WorkspaceAccountProfile> {
    const { data: envelope, call } = await this.session.read(envelopeSchema, {
      method: 'GET',
      path: pathOf('moltaro', 'api', 'workspace', 'account', 'profile'),
    });
    // A 200 can still carry a failure; the envelope, not the status, says whether there is data.
    if (envelope.success === false || envelope.errors.length > 0) {
      const detail = envelope.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
      throw this.session.fail(
        'UPSTREAM_ERROR',
        `moltaro reported an error: ${detail || 'Success is false'}`,
        call,
      );
    }
    if (envelope.data === null)
      throw this.session.fail('UPSTREAM_ERROR', 'moltaro answered without Data', call);
    return { ...envelope.data, warnings: envelope.warnings };
  }
}
