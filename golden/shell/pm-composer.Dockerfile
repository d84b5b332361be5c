FROM composer:2
RUN composer install --no-dev --no-scripts --prefer-dist && composer require monolog/monolog && composer dump-autoload -o && composer clear-cache
