import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './profile.js';
import './workspace.js';
import './member.js';
import './account-profile.js';
import './workspace-account-profile.js';
import './user-profile.js';

/** The gateway's schema, sorted so that the printed schema/schema.graphql diffs cleanly. */
export const schema = lexicographicSortSchema(builder.toSchema());
