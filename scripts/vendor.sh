#!/usr/bin/env bash
# Copy the NHS.UK frontend's compiled CSS, JS and assets out of node_modules
# into static/vendor/ (git-ignored). Run by `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/nhsuk-frontend/dist/nhsuk
dest=static/vendor/nhsuk
rm -rf "$dest"
mkdir -p "$dest"
cp "$src"/nhsuk-frontend.min.css "$src"/nhsuk-frontend.min.js "$dest"/
cp -r "$src"/assets "$dest"/assets
