FROM node:20
RUN corepack enable && pnpm fetch && pnpm install --offline --frozen-lockfile && pnpm add -g nodemon && pnpm store prune
