import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque, signed cursors for upstream paging state. The state travels to the client and back, so it is
 * signed: a cursor that was edited, or minted by someone else, fails the check and never reaches an
 * upstream. The key comes from CURSOR_SECRET so that every instance behind a load balancer accepts the
 * others' cursors.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(state: unknown): string {
    const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The state inside `cursor`, or null when it is malformed or its signature does not match. */
  decode(cursor: string): unknown {
    const dot = cursor.indexOf('.');
    if (dot < 1) return null;
    const payload = cursor.slice(0, dot);
    // Compare the signatures as text: decoded, 22 base64url characters are 16 bytes and the last
    // character's low 4 bits fall away, so an edited cursor would pass one time in 16.
    const given = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}
