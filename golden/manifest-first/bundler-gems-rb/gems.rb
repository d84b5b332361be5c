source "https://rubygems.org"
gem "rack"
