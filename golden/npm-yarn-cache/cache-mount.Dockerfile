FROM node:20-slim
RUN --mount=type=cache,target=/root/.npm npm ci
