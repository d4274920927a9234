import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * A second, small federation subgraph of the tests' own: Projects. `Project.owner` is a Profile known
 * only by its upstream id (this gateway's `@key(fields: "upstreamId")`), and it adds `Profile.projects`.
 * It has its own credential, `x-projects-token`, and records every request's headers so a test can see
 * which credentials reached it.
 */
export const PROJECTS_TOKEN = 'projects-demo-token';

export const projectsTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Project @key(fields: "id") {
    id: ID!
    name: String!
    owner: Profile
  }

  type Profile @key(fields: "upstreamId") {
    upstreamId: String!
    projects: [Project!]!
  }

  type Query {
    projects: [Project!]!
  }
`);

export interface Project {
  id: string;
  name: string;
  ownerId: string;
}

export interface ProjectsSubgraph {
  url: string;
  headers: Headers[];
  close(): Promise<void>;
}

export async function startProjectsSubgraph(projects: Project[]): Promise<ProjectsSubgraph> {
  const headers: Headers[] = [];
  const allowed = (ctx: { request: Request }) => {
    if (ctx.request.headers.get('x-projects-token') !== PROJECTS_TOKEN) {
      throw new GraphQLError('No projects credential.', { extensions: { code: 'UNAUTHENTICATED' } });
    }
  };
  const schema = buildSubgraphSchema({
    typeDefs: projectsTypeDefs,
    resolvers: {
      Query: {
        projects: (_root: unknown, _args: unknown, ctx: { request: Request }) => {
          allowed(ctx);
          return projects;
        },
      },
      Project: { owner: (p: Project) => ({ upstreamId: p.ownerId }) },
      Profile: {
        projects: (p: { upstreamId: string }, _args: unknown, ctx: { request: Request }) => {
          allowed(ctx);
          return projects.filter((project) => project.ownerId === p.upstreamId);
        },
      },
    } as never,
  });
  const yoga = createYoga({ schema, logging: false, landingPage: false, graphiql: false });
  const server = createServer((req, res) => {
    headers.push(new Headers(req.headers as Record<string, string>));
    yoga(req, res);
  });
  const url = await listen(server);
  return { url: `${url}/graphql`, headers, close: () => close(server) };
}

/** Listens on 127.0.0.1, port 0; resolves the origin. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
