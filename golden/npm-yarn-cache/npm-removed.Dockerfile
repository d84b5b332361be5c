FROM node:20
COPY package*.json ./
RUN npm ci && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm
