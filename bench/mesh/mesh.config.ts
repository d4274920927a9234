/**
 * GraphQL Mesh v1 composition of the matatika REST API, configured as a capable Mesh user would to answer
 * the benchmark's queries (bench/queries.mjs): the OpenAPI contract in schema/upstream/ is the only
 * source, and additional type definitions link the REST resources into a graph with `@resolveTo`.
 *
 * The upstream URL is not baked in: the bench script composes one supergraph per sandbox with
 * MATATIKA_API_URL set (e.g. http://127.0.0.1:PORT/matatika) and writes it to bench/.work/ (gitignored).
 *
 *   MATATIKA_API_URL=http://127.0.0.1:4000/matatika npx mesh-compose -o ../.work/supergraph.graphql
 *
 * Batching: Mesh batches a `@resolveTo` link only through `keysArg`, i.e. when the source field takes a
 * list of keys. Matatika has no get-many-by-ids endpoint (profiles and workspaces are read one id at a
 * time; GET /api/profiles and GET /api/workspaces take no ids), so Member.profile and
 * Profile.defaultWorkspaceDetails fan out one upstream call per parent, in parallel. What Mesh does batch
 * is the delegation itself: Hive Gateway merges the sibling delegations of one execution level into one
 * subgraph execution (its default), which saves planning work but not HTTP calls.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const endpoint = process.env.MATATIKA_API_URL ?? 'http://127.0.0.1:4000/matatika';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('matatika', {
        source: '../../schema/upstream/matatika.openapi.yaml',
        endpoint,
        // The caller's own credential goes to the upstream, as the gateway does it.
        operationHeaders: {
          authorization: '{context.headers.authorization}',
        },
        // Non-2xx answers become GraphQL errors (with the upstream status and body in extensions) instead
        // of union members that every query would have to spread over.
        ignoreErrorResponses: true,
      }),
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type Member {
      "The full profile behind this member (GET /api/profiles/{id}, one call per member)."
      profile: Profile
        @resolveTo(
          sourceName: "matatika"
          sourceTypeName: "Query"
          sourceFieldName: "profile"
          requiredSelectionSet: "{ id }"
          sourceArgs: { profileId: "{root.id}" }
        )
    }

    extend type Profile {
      "The whole default workspace (GET /api/workspaces/{id}); defaultWorkspace holds only {id, name}."
      defaultWorkspaceDetails: Workspace
        @resolveTo(
          sourceName: "matatika"
          sourceTypeName: "Query"
          sourceFieldName: "workspace"
          requiredSelectionSet: "{ defaultWorkspace { id } }"
          sourceArgs: { workspaceId: "{root.defaultWorkspace.id}" }
        )
    }

    extend type Workspace {
      "This workspace's members (GET /api/workspaces/{id}/members)."
      memberList: [Member]
        @resolveTo(
          sourceName: "matatika"
          sourceTypeName: "Query"
          sourceFieldName: "members"
          requiredSelectionSet: "{ id }"
          sourceArgs: { workspaceId: "{root.id}" }
          result: "_embedded.members"
        )
    }
  `,
});
