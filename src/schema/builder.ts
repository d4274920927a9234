import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';
import { decodeId } from './errors.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: string; Output: string } };
  Connection: { totalCount: number | null };
  // Upstream payloads leave almost every field optional, so fields are nullable unless marked otherwise.
  DefaultFieldNullability: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    decodeGlobalID: decodeId,
  },
});

builder.queryType({});
builder.mutationType({});
