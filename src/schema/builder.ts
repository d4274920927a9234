import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';
import { decodeId } from './global-ids.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: string; Output: string } };
  Connection: { totalCount: number | null };
  // Upstream payloads leave almost every field optional, so fields are nullable unless marked otherwise.
  DefaultFieldNullability: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // Federation comes last: it wraps what the others built (see src/schema/federation.ts).
  plugins: [RelayPlugin, DirectivePlugin, FederationPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    decodeGlobalID: decodeId,
    // PageInfo is the same value type in every Relay subgraph, so a supergraph may hold it in several.
    pageInfoTypeOptions: { shareable: true },
    // Reading a node reads an upstream with the caller's credential (see schema/governance.ts).
    nodeQueryOptions: { authenticated: true, cost: 1 },
    nodesQueryOptions: { authenticated: true, cost: 1 },
  },
});

// Every connection counts its items, where the upstream says how many there are.
builder.globalConnectionField('totalCount', (t) => t.int({ resolve: (c) => c.totalCount }));

builder.queryType({});
builder.mutationType({});
