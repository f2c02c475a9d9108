# MedQ application image: every role (api, ivr, sms) in one process by default.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# espeak-ng and sox render the prompt catalog and the doctors' names to audio (npm run prompts).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng sox tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production MEDQ_DB=/data/medq.sqlite ASTERISK_SOUNDS_DIR=/prompts
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY db ./db
COPY web ./web
COPY src/locales ./src/locales
COPY docker/medq/entrypoint.sh ./docker/medq/entrypoint.sh
# The volumes belong to the app's user (node, uid 1000). The prompts volume is shared with the
# Asterisk container, whose image leaves its mount point owned by the same uid.
RUN mkdir -p /data /prompts && chown node:node /data /prompts
USER node
VOLUME ["/data", "/prompts"]
# Migrate, demo data only with MEDQ_DEMO_SEED=on, render the prompts into /prompts, start.
# tests/install/container.test.ts runs this command as uid 1000 with the environment compose gives.
ENTRYPOINT ["tini", "--", "sh", "docker/medq/entrypoint.sh"]
