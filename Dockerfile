# syntax=docker/dockerfile:1
#
# One recipe for every image of the stack. Pick a service with a target or a build argument:
#
#   docker build --target products -t shop/products .       # BuildKit, compose.yaml
#   docker build --build-arg SERVICE=products -t shop/products .   # builders without --target (Kontena)
#
# Targets: products, customers, purchases, gateway, shell. docs/deploy.md explains the choices.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG SERVICE=gateway

# --- manifests: the lock and every package.json, nothing else. Copied into the build stage before
# the sources, so `npm ci` reruns only when dependencies change, and a new workspace needs no edit here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

# --- build: all dependencies (dev ones too: Vite bundles the dashboard), then only production ones.
FROM ${NODE_IMAGE} AS build
# better-sqlite3 (the embedded log) compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY . .
# Workspaces that have a build step (the dashboard the gateway serves) build it here, once.
RUN npm run build --workspaces --if-present
# Services run their TypeScript through tsx, a production dependency (ADR 0005): no dist/ to build,
# and the compiler, linters and test tools go away here.
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and sources, owned by root so the service cannot rewrite them.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/shop
WORKDIR /app
COPY --from=build /app ./
# Only the embedded log (no KAFKA_BROKERS) writes to disk, and only under DATA_DIR.
RUN mkdir -p /var/lib/shop && chown node:node /var/lib/shop
USER node
# Configuration and secrets come from the environment at run time only; none is baked in here.

# Each service: `node --import tsx` instead of the tsx CLI, so node itself is PID 1 and receives
# SIGTERM, finishes requests in flight and closes its Kafka clients. HEALTHCHECK is liveness
# (/healthz): it answers during a replay, which /readyz does not, so a long replay is never
# mistaken for a dead container. The probe reads the same port variable as the service.

FROM runtime AS products
EXPOSE 4001
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "infra/docker/healthcheck.mjs", "PRODUCTS_PORT", "4001"]
CMD ["node", "--import", "tsx", "subgraphs/products/src/main.ts"]

FROM runtime AS customers
EXPOSE 4002
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "infra/docker/healthcheck.mjs", "CUSTOMERS_PORT", "4002"]
CMD ["node", "--import", "tsx", "subgraphs/customers/src/main.ts"]

FROM runtime AS purchases
EXPOSE 4003
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "infra/docker/healthcheck.mjs", "PURCHASES_PORT", "4003"]
CMD ["node", "--import", "tsx", "subgraphs/purchases/src/main.ts"]

FROM runtime AS gateway
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "infra/docker/healthcheck.mjs", "GATEWAY_PORT", "4000"]
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]

# The interactive shell: a client of the gateway, not a service, so it has no health check.
FROM runtime AS shell
ENV GATEWAY_URL=http://gateway:4000/graphql \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
CMD ["npm", "run", "shell"]

# `--build-arg SERVICE=...` picks one of the targets above for builders that cannot pass --target.
FROM ${SERVICE}
