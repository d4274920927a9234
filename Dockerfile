# syntax=docker/dockerfile:1
# The gateway's image: built in one stage, run from a second that holds only the compiled code and
# the production dependencies. Not built in CI (no registry for base images there); test/deploy.test.ts
# checks that the ports, paths and variables used here exist in the code.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# GraphiQL's example tabs (read only when GRAPHIQL=1), and the trusted-documents manifest that
# PERSISTED_OPERATIONS=only reads by default.
COPY schema/examples ./schema/examples
COPY schema/generated/persisted-documents.json ./schema/generated/persisted-documents.json
# The image's own unprivileged user; nothing under /app is writable by it.
USER node
EXPOSE 4000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm, no shell), so SIGTERM reaches the gateway's own shutdown handler;
# the gateway starts no child processes, so there are no zombies to reap.
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=128", "dist/index.js"]
