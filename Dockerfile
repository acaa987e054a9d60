# callbackd for production: talks to your Asterisk over ARI; the SQLite database lives in /data.
# Build: docker build -t callbackd .   Run: see README.md, "Deploy" → "Docker".

# --- build: compile better-sqlite3 (native) and the TypeScript, then drop the dev dependencies ---------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched: it needs these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The --help run fails the build if the entry point is not where ENTRYPOINT below expects it.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node dist/cli/index.js --help >/dev/null

# --- runtime: plain node on the compiled dist/, as the unprivileged user `node` (uid 1000) -------------
FROM node:20-bookworm-slim
# sox: `callbackd greetings add` converts recordings to 8 kHz mono WAV with it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends sox \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    CALLBACKD_DB_PATH=/data/callbackd.db \
    CALLBACKD_SOUNDS_DIR=/app/sounds \
    CALLBACKD_LOG_FORMAT=json \
    CALLBACKD_METRICS_BIND=0.0.0.0:9464
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY sounds ./sounds
# /data is created here and owned by `node` BEFORE the VOLUME line: Docker initialises a fresh named
# (or anonymous) volume from the image's directory, ownership included, so the unprivileged daemon can
# create the database there with no root entrypoint. A bind mount is not initialised: chown it to 1000.
# sounds/custom is where `greetings add` writes; mount a volume there to keep custom greetings.
RUN mkdir -p /data /app/sounds/custom \
 && chown node:node /data /app/sounds/custom \
 && printf '#!/bin/sh\nexec node /app/dist/cli/index.js "$@"\n' > /usr/local/bin/callbackd \
 && chmod 755 /usr/local/bin/callbackd
VOLUME /data
USER node
# The metrics, /healthz and /readyz listener (CALLBACKD_METRICS_BIND).
EXPOSE 9464
# Ready = ARI event socket up and the database writable. Plain node (the slim image has no curl); the
# port follows CALLBACKD_METRICS_BIND.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const b=process.env.CALLBACKD_METRICS_BIND||'';fetch('http://127.0.0.1:'+b.slice(b.lastIndexOf(':')+1)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# The daemon closes ARI and SQLite on SIGTERM (docker stop); node as PID 1 gets it because the daemon
# installs its own handler.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/index.js"]
CMD ["start"]
