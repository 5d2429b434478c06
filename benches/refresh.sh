#!/usr/bin/env bash
# Refresh benchmark on the shared corpus (../shared/bench): 500 feeds served by nginx on
# 127.0.0.1:8080. Measures a cold refresh (empty cache) and a warm refresh (every feed answers
# 304), RUNS times each, and prints median and min-max wall time. Needs nginx (nginx-light).
#   benches/refresh.sh                 # 500 x 50 items
#   FEEDS=500 ITEMS=200 KHABAR_BENCH_DIR=/tmp/khabar-bench-big benches/refresh.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$HERE/../shared/bench}"
RUNS="${RUNS:-5}"
export KHABAR_BENCH_DIR="${KHABAR_BENCH_DIR:-/tmp/khabar-bench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

"$SHARED/serve.sh" start >&2
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml"
BIN="$HERE/target/release/khabar"

# One [[feed]] per corpus URL.
while read -r url; do printf '[[feed]]\nurl = "%s"\n' "$url"; done <"$KHABAR_BENCH_DIR/data/www/feeds.txt" >"$WORK/config.toml"
FEEDS_N=$(wc -l <"$KHABAR_BENCH_DIR/data/www/feeds.txt")

run() { # label, then the command; prints seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$WORK/last.err"
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
stats() { # label, values...: median and min-max
    local label=$1; shift
    printf '%s\n' "$@" | sort -g | awk -v l="$label" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%-44s median %.3f s  (min %.3f, max %.3f, n=%d)\n", l, m, v[1], v[NR], NR}'
}

cold=(); warm=()
for i in $(seq "$RUNS"); do
    rm -f "$WORK"/cache.db*
    cold+=("$(run "$BIN" --config "$WORK/config.toml" --cache "$WORK/cache.db" refresh)")
    tail -n1 "$WORK/last.err" >&2
    warm+=("$(run "$BIN" --config "$WORK/config.toml" --cache "$WORK/cache.db" refresh)")
    tail -n1 "$WORK/last.err" >&2
done
articles=$("$BIN" --config "$WORK/config.toml" --cache "$WORK/cache.db" list | wc -l)
bytes=$(stat -c %s "$WORK/cache.db")
echo "corpus: $FEEDS_N feeds, $articles articles stored; cache $bytes bytes ($((bytes / articles)) bytes/article)"
stats "cold refresh (empty cache)" "${cold[@]}"
stats "warm refresh (every feed 304)" "${warm[@]}"
