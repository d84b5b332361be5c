#!/bin/bash
wait-for-it db:5432 --timeout=30
exec "$@"
