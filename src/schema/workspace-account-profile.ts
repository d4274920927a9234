import type { Notice, WorkspaceAccountProfile } from '../sources/moltaro/payloads.js';
import { builder } from './builder.js';
import { reads } from './governance.js';

const UpstreamNotice = builder.objectRef<Notice>('UpstreamNotice').implement({
  description: "A notice from an upstream's response envelope (moltaro's Errors and Warnings).",
  fields: (t) => ({
    code: t.exposeString('code', { nullable: false }),
    message: t.exposeString('message', { nullable: false }),
    target: t.exposeString('target'),
    field: t.exposeString('field'),
    type: t.exposeInt('type'),
    severity: t.exposeInt('severity'),
  }),
});

const WorkspaceAccountProfileRef = builder
  .objectRef<WorkspaceAccountProfile>('WorkspaceAccountProfile')
  .implement({
    authenticated: true,
    description: "The calling Moltaro workspace user's own profile.",
    fields: (t) => ({
      userId: t.exposeString('userId'),
      userName: t.exposeString('userName'),
      email: t.exposeString('email'),
      firstName: t.exposeString('firstName'),
      lastName: t.exposeString('lastName'),
      userType: t.exposeInt('userType'),
      warnings: t.field({
        type: [UpstreamNotice],
        nullable: false,
        description: "The upstream envelope's Warnings.",
        resolve: (p) => p.warnings,
      }),
    }),
  });

builder.queryField('workspaceAccountProfile', (t) =>
  t.field({
    type: WorkspaceAccountProfileRef,
    ...reads(1),
    description: "The caller's own Moltaro workspace account profile.",
    resolve: (_root, _args, ctx) => ctx.sources.moltaro.accountProfile(),
  }),
);
