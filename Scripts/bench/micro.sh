#!/usr/bin/env bash
# Engine micro-benchmarks (Benchmarks/Micro: JSON, expressions, keys, item codec, PutItem and
# GetItem through KVEngine without HTTP), from the repo root:
#   bash Scripts/bench/micro.sh                      # everything, release build
#   bash Scripts/bench/micro.sh --filter 'JSON.*'    # extra arguments go to the benchmark plugin
#   MICRO_CALLGRIND=0 bash Scripts/bench/micro.sh    # skip the callgrind instruction counts
# Prints the plugin's tables (ordo-one/benchmark: wall clock, mallocs, and instructions where the
# kernel exposes hardware counters), then a summary per operation, which a run without
# arguments also writes to Scripts/bench/results/micro.md. Where `perf stat -e instructions` is not supported (most VMs),
# instructions are counted with valgrind's callgrind instead, for the CPU-only benchmarks.
set -euo pipefail

cd "$(dirname "$0")/../.."
PACKAGE=Benchmarks/Micro
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@"
}

# The root package's CSQLite target needs sqlite3's headers, found through pkg-config.
if ! pkg-config --exists sqlite3 2>/dev/null; then
    apt_install libsqlite3-dev pkg-config
fi

swift package --package-path "$PACKAGE" benchmark --no-progress --time-units nanoseconds "$@" | tee "$WORK/plugin.txt"

# micro-count runs one workload outside the benchmark framework; its list gives the summary's order.
swift build --package-path "$PACKAGE" -c release --product micro-count >/dev/null
"$PACKAGE/.build/release/micro-count" --list > "$WORK/workloads.tsv"

# The plugin prints an Instructions row only where perf_event_open gives hardware counters.
COUNTS="$WORK/callgrind.tsv"
: > "$COUNTS"
if [ "${MICRO_CALLGRIND:-1}" != 0 ] && ! grep -q "│ Instructions" "$WORK/plugin.txt"; then
    command -v valgrind >/dev/null || apt_install valgrind
    # valgrind 3.19 cannot read the DWARF 5 debug info this toolchain writes: count on a stripped copy.
    cp "$PACKAGE/.build/release/micro-count" "$WORK/micro-count"
    strip --strip-debug "$WORK/micro-count"
    OPERATIONS=2000
    echo
    echo "No hardware instruction counter: counting instructions with callgrind ($OPERATIONS operations each)..."
    while IFS=$'\t' read -r kind name; do
        # Engine calls run partly on the writer thread, and valgrind 3.19 crashes when the engine starts it.
        [ "$kind" = cpu ] || continue
        # Fixed hash seeds: dictionary collisions, and so the counts, repeat from run to run.
        if ! SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measuredOperations*' \
            --callgrind-out-file="$WORK/callgrind.out" "$WORK/micro-count" "$name" "$OPERATIONS" </dev/null 2>"$WORK/valgrind.txt"; then
            echo "callgrind failed for $name:"
            tail -5 "$WORK/valgrind.txt"
            continue
        fi
        total=$(sed -n 's/^totals: *//p' "$WORK/callgrind.out")
        printf '%s\t%s\n' "$name" "$((total / OPERATIONS))" >> "$COUNTS"
    done < "$WORK/workloads.tsv"
fi

# Only a full run replaces the recorded results.
RESULTS=()
if [ "$#" -eq 0 ]; then RESULTS=(Scripts/bench/results/micro.md); fi
echo
python3 Scripts/bench/micro_summary.py "$WORK/plugin.txt" "$WORK/workloads.tsv" "$COUNTS" "${RESULTS[@]}"
