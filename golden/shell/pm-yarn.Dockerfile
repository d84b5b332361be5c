FROM node:20
RUN yarn install --frozen-lockfile && yarn add react && yarn global add serve && yarn build && yarn cache clean
RUN yarn
