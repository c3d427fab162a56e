#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer.
#
#   bash Scripts/fuzz.sh TARGET SECONDS      # TARGET: json, requests, expressions, itemcodec, or all
#   bash Scripts/fuzz.sh --build-only
#
# Builds the Fuzz/ package with `-sanitize=fuzzer` (plus ASan when FUZZ_ASAN=1), then runs the
# target for SECONDS, starting from its seed corpus (Fuzz/Corpus/TARGET, made from the test
# suite by Scripts/fuzz_corpus.py) and its regression corpus (Fuzz/Regressions/TARGET). New
# inputs that reach new code go to a scratch corpus under .build-fuzz/, never into the repo. A
# crash leaves its input in .build-fuzz/crashes/TARGET/ and the script exits non-zero: copy that
# file into Fuzz/Regressions/TARGET/ once fixed, and FuzzRegressionTests runs it as an ordinary
# test from then on.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

declare -A PRODUCTS=([json]=FuzzJSON [requests]=FuzzRequests [expressions]=FuzzExpressions [itemcodec]=FuzzItemCodec)
SCRATCH="$ROOT/.build-fuzz"
SANITIZERS="fuzzer"
if [ "${FUZZ_ASAN:-0}" = "1" ]; then SANITIZERS="fuzzer,address"; fi

build() {
    # Debug: it compiles much faster than release on a small machine, and keeps overflow and
    # bounds checks (which are what a fuzzer trips) exactly as the tests have them.
    swift build --package-path Fuzz --scratch-path "$SCRATCH/build" \
        -Xswiftc "-sanitize=$SANITIZERS" -Xswiftc -parse-as-library >&2
}

run() {
    local target="$1" seconds="$2"
    local product="${PRODUCTS[$target]:?unknown target $target (json, requests, expressions, itemcodec)}"
    local bin
    bin="$(swift build --package-path Fuzz --scratch-path "$SCRATCH/build" --show-bin-path)/$product"
    local work="$SCRATCH/corpus/$target" crashes="$SCRATCH/crashes/$target"
    mkdir -p "$work" "$crashes" "Fuzz/Corpus/$target" "Fuzz/Regressions/$target"
    echo "fuzz: $target for ${seconds}s" >&2
    # -rss_limit_mb: the requests target keeps one in-memory database for the whole run.
    "$bin" "$work" "Fuzz/Corpus/$target" "Fuzz/Regressions/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$crashes/" -print_final_stats=1 2>"$SCRATCH/$target.log" || {
        tail -n 60 "$SCRATCH/$target.log" >&2
        echo "fuzz: $target found a crash; the input is in $crashes/" >&2
        return 1
    }
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done)" "$SCRATCH/$target.log" >&2 || true
}

if [ "${1:-}" = "--build-only" ]; then
    build
    exit 0
fi
TARGET="${1:?usage: Scripts/fuzz.sh TARGET SECONDS | --build-only}"
SECONDS_EACH="${2:-60}"
build
if [ "$TARGET" = "all" ]; then
    status=0
    for target in json requests expressions itemcodec; do run "$target" "$SECONDS_EACH" || status=1; done
    exit $status
fi
run "$TARGET" "$SECONDS_EACH"
