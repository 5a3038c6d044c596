# hean engine image. Build from the repository root:  docker build -t hean .
# Runs `hean run` as the unprivileged `node` user; the journal lives in the /var/lib/hean volume.

FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. Install scripts are skipped: the image already has Node 24, so the
# `node` package's download step is not needed, and nothing else here builds native code.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root src ./src
# The code is owned by root and read-only to the engine; only the journal directory is writable.
RUN mkdir -p /var/lib/hean && chown node:node /var/lib/hean
USER node
VOLUME ["/var/lib/hean"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/hean.js"]
# Binds all interfaces inside the container so Prometheus can scrape it; Compose publishes the
# port on the host's loopback only. A non-loopback bind requires the API token (HEAN_API_TOKEN_FILE).
CMD ["run", "--journal", "/var/lib/hean/journal.db", "--api-host", "0.0.0.0", "--api-port", "8080"]
