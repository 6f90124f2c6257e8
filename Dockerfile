# One image for every Vigil service; the command picks the service (`vigil serve <service>` or `vigil up`).
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY libs ./libs
COPY services ./services
RUN npm ci --no-audit --no-fund && npm cache clean --force
ENV NODE_ENV=production
EXPOSE 8080
ENTRYPOINT ["node", "libs/cli/bin/vigil.js"]
CMD ["up", "--host", "0.0.0.0"]
