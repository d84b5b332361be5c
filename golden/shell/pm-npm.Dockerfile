FROM node:20
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
RUN npm install && npm install -g typescript@5 && npm run build && rm -rf ~/.npm
