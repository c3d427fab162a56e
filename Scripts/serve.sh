#!/usr/bin/env bash
# Builds and starts kvserver on 127.0.0.1:8000 with its SQLite file under ./data.
# Installs the system dependencies (libsqlite3-dev, zlib1g-dev, libyaml-dev, libzstd-dev) when they are missing.
# Extra arguments go to kvserver, e.g. `bash Scripts/serve.sh --in-memory --port 0`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists sqlite3 zlib yaml-0.1 libzstd 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq libsqlite3-dev zlib1g-dev libyaml-dev libzstd-dev pkg-config
fi
# The release build flags of README "Memory and start-up" (and Scripts/bench/benchlib.py).
swift build -c release -Xswiftc -Xfrontend -Xswiftc -function-sections --product kvserver
exec .build/release/kvserver "$@"
