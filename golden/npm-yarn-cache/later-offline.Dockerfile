FROM node:20
WORKDIR /a
COPY package*.json ./
RUN npm ci
WORKDIR /b
COPY sub/package*.json ./
RUN --network=none npm ci --offline
