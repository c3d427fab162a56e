#!/usr/bin/env bash
# The one command that runs every test on a fresh machine, from the repo root:
#   bash Scripts/test.sh
# Stages: dependencies -> storage port check -> swift build -> swift test (with a throwaway
# PostgreSQL cluster for Tests/KVStorePostgresTests, Scripts/postgres.sh) -> pytest (Tests/integration)
# -> pytest (Tests/integration again, on kvserver-postgres) -> pytest (Examples: the four applications' acceptance tests) -> conformance (the
# DynamoDB Parity Suite, Scripts/conformance.sh) -> fuzz (each libFuzzer
# target for FUZZ_SECONDS, default 30; FUZZ_SECONDS=0 skips the stage).
# Exits non-zero if any stage fails; pytest's "no tests collected" (exit 5)
# counts as a failure.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO_ROOT="$(pwd)"

declare -a SUMMARY=()
FAILED=0

stage() { printf '\n==== %s ====\n' "$*"; }

run_stage() {
    # run_stage NAME CMD...: runs CMD, records the result, never aborts the script.
    local name="$1"; shift
    stage "$name"
    local rc=0
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        SUMMARY+=("$name: ok")
    else
        SUMMARY+=("$name: FAILED (exit $rc)")
        FAILED=1
    fi
    return "$rc"
}

install_deps() {
    if ! pkg-config --exists sqlite3 zlib yaml-0.1 libzstd 2>/dev/null; then
        echo "sqlite3, zlib, libyaml or libzstd development files missing: installing libsqlite3-dev, zlib1g-dev, libyaml-dev, libzstd-dev and pkg-config"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y libsqlite3-dev zlib1g-dev libyaml-dev libzstd-dev pkg-config
    fi
    if ! command -v openssl >/dev/null 2>&1; then
        # Tests/integration/test_auth.py makes self-signed certificates with it.
        echo "openssl missing: installing it"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y openssl
    fi
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        # Tests/integration/test_console.py drives the web console in headless Chromium.
        echo "chromium or chromedriver missing: installing chromium and chromium-driver"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-driver
    fi
    if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        # Tests/KVStorePostgresTests run against a real PostgreSQL (Scripts/postgres.sh starts a
        # throwaway cluster; Debian keeps initdb/pg_ctl in /usr/lib/postgresql/VERSION/bin).
        echo "PostgreSQL server missing: installing postgresql"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y postgresql
    fi
    python3 -m pip install -q -r Tests/integration/requirements.txt
}

storage_port_check() {
    # Only the SQLite adapter (Sources/KVStore/Storage/SQLite/) imports CSQLite or holds SQL.
    python3 Scripts/check-storage-port.py
}

swift_build() {
    swift build
}

start_postgres() {
    # One throwaway cluster for the whole run (Tests/KVStorePostgresTests make a database each),
    # stopped on exit; --watch also stops it should this script be killed.
    local env
    env="$(bash Scripts/postgres.sh start --watch $$)" || return 1
    eval "$env"
    trap 'bash Scripts/postgres.sh stop "$KVSTORE_POSTGRES_DIR" >/dev/null 2>&1 || true' EXIT
}

swift_unit_tests() {
    if [ -z "${KVSTORE_TEST_POSTGRES_URL:-}" ]; then
        # Without it the PostgreSQL tests try to start a cluster themselves, and fail if they can't.
        start_postgres || echo "Scripts/postgres.sh start failed"
    fi
    swift test
}

run_pytest() {
    # run_pytest DIR ARGS...: pytest against the freshly built server.
    local bin_dir
    bin_dir="$(swift build --show-bin-path)"
    export KVSERVER_BIN="${KVSERVER_BIN:-$bin_dir/kvserver}"
    echo "KVSERVER_BIN=$KVSERVER_BIN"
    local rc=0
    python3 -m pytest "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests: treating as a failure"
    fi
    return "$rc"
}

python_integration_tests() {
    run_pytest Tests/integration -q "$@"
}

python_integration_tests_postgres() {
    # The same black-box suite against kvserver-postgres (issue #18): every server the fixtures
    # start keeps its data in a database of its own on the run's cluster
    # (Tests/integration/conftest.py, KVSERVER_TEST_STORAGE=postgres); the features PostgreSQL
    # does not have yet are deselected by the commented list Tests/integration/postgres_deselected.txt.
    if [ -z "${KVSTORE_TEST_POSTGRES_URL:-}" ]; then
        start_postgres || { echo "Scripts/postgres.sh start failed"; return 1; }
    fi
    KVSERVER_TEST_STORAGE=postgres run_pytest Tests/integration -q "$@"
}

example_acceptance_tests() {
    run_pytest Examples -q
}

conformance_suite() {
    # The DynamoDB Parity Suite (601 tests validated against real DynamoDB), outside this repo.
    KVSERVER_BIN="$(swift build --show-bin-path)/kvserver" bash Scripts/conformance.sh
}

fuzz_targets() {
    # Builds Fuzz/ with -sanitize=fuzzer and runs every target briefly from its seed and
    # regression corpora, so that a new trap on hostile input is caught before it lands.
    bash Scripts/fuzz.sh all "${FUZZ_SECONDS:-30}"
}

run_stage "storage port check" storage_port_check || true
if run_stage "dependencies" install_deps \
   && run_stage "swift build" swift_build; then
    # The test stages all run even if an earlier one fails.
    run_stage "swift test" swift_unit_tests || true
    run_stage "pytest integration" python_integration_tests "$@" || true
    run_stage "pytest integration on PostgreSQL" python_integration_tests_postgres "$@" || true
    run_stage "pytest examples" example_acceptance_tests || true
    run_stage "conformance" conformance_suite || true
    if [ "${FUZZ_SECONDS:-30}" != "0" ]; then
        run_stage "fuzz" fuzz_targets || true
    fi
fi

stage "summary"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
if [ "$FAILED" -ne 0 ]; then
    echo "test.sh: FAILED"
    exit 1
fi
echo "test.sh: all stages passed"
