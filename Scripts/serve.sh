#!/usr/bin/env bash
# Builds and starts kvserver on 127.0.0.1:8000 with its SQLite file under ./data.
# Installs the system dependencies (libsqlite3-dev, zlib1g-dev, libyaml-dev, libzstd-dev) when they are missing.
# Extra arguments go to kvserver, e.g. `bash Scripts/serve.sh --in-memory --port 0`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists sqlite3 zlib yaml-0.1 libzstd 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq libsqlite3-dev zlib1g-dev libyaml-dev libzstd-dev pkg-config
fi
# The release build flags of README "The release build" (Scripts/release-flags, read by the benchmarks too).
# shellcheck disable=SC2046
swift build $(cat Scripts/release-flags) --product kvserver
exec .build/release/kvserver "$@"
