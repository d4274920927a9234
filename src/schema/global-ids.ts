import { decodeGlobalID } from '@pothos/plugin-relay';
import { InputError } from '../errors.js';

/**
 * The types a global id may name: every type that implements Node. A test checks this list against
 * the schema, so a new node type cannot be forgotten here.
 */
export const NODE_TYPES: ReadonlySet<string> = new Set([
  'AccountProfile',
  'Member',
  'Profile',
  'UserProfile',
  'Workspace',
]);

/**
 * Decodes a Relay global id, turning a malformed one, or one naming a type that is not a node, into
 * BAD_USER_INPUT for that id alone, instead of a masked crash or the relay plugin's bare message.
 */
export function decodeId(globalId: string): { typename: string; id: string } {
  let decoded: { typename: string; id: string } | null;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = null;
  }
  if (!decoded?.typename || decoded.id === '') {
    throw new InputError(`Invalid global id ${JSON.stringify(globalId.slice(0, 100))}.`);
  }
  if (!NODE_TYPES.has(decoded.typename)) {
    throw new InputError(
      `Invalid global id: ${JSON.stringify(decoded.typename.slice(0, 100))} is not a type with ids.`,
    );
  }
  return decoded;
}
