FROM ruby:3.3
COPY Gemfile Gemfile.lock ./
RUN bundle config set --local without 'development test' && bundle install --jobs 4 --retry 3 && rm -rf /usr/local/bundle/cache
RUN bundle && bundle update rails
