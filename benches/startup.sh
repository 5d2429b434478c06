#!/usr/bin/env bash
# Reader startup benchmark: time to the first frame showing headlines, and peak resident
# memory, for caches of 1,000 and 100,000 articles (the same 500 feeds, 2 or 200 items each, so
# only the cache size differs) built from the shared corpus generator
# (../shared/bench/gen_corpus.py; read as local files, no server needed). Each figure covers
# process start, config load, cache open, the first page query and the first draw, measured
# by `khabar --bench-startup` in a real terminal (tmux, 120x40). RUNS runs each; prints
# median and min-max. Needs tmux and python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$HERE/../shared/bench}"
RUNS="${RUNS:-5}"
WORK="${KHABAR_STARTUP_DIR:-/tmp/khabar-startup}"
mkdir -p "$WORK"
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml"
BIN="$HERE/target/release/khabar"
SOCK="khabar-bench-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true' EXIT

prepare() { # name feeds items: corpus + config + cache, built once
    local dir="$WORK/$1"
    if [[ ! -f "$dir/cache.db" ]]; then
        python3 "$SHARED/gen_corpus.py" --out "$dir/www" -n "$2" -m "$3" --no-gz >/dev/null
        for f in "$dir"/www/feeds/*.xml; do printf '[[feed]]\nurl = "%s"\n' "$f"; done >"$dir/config.toml"
        "$BIN" --config "$dir/config.toml" --cache "$dir/cache.db" refresh 2>&1 | tail -n1 >&2
    fi
}

measure() { # name: prints "ms kib" per run, after one run that is not counted (it reads the
    # cache into the OS's page cache, which every later start finds there, as a user's would)
    local dir="$WORK/$1"
    for run in $(seq 0 "$RUNS"); do
        rm -f "$dir/out.txt"
        tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
            "$BIN --config $dir/config.toml --cache $dir/cache.db --bench-startup 2>$dir/out.txt"
        for _ in $(seq 100); do [[ -s "$dir/out.txt" ]] && break; sleep 0.1; done
        sleep 0.2
        [[ $run == 0 ]] && continue
        sed -n 's/.*headlines: \([0-9.]*\) ms; peak RSS \([0-9]*\) KiB.*/\1 \2/p' "$dir/out.txt"
    done
}

stats() { # label column values-file
    sort -g -k"$2" "$3" | awk -v l="$1" -v c="$2" '{v[NR]=$c} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%-48s median %9.2f  (min %.2f, max %.2f, n=%d)\n", l, m, v[1], v[NR], NR}'
}

prepare small 500 2
prepare big 500 200
for name in small big; do
    n=$("$BIN" --config "$WORK/$name/config.toml" --cache "$WORK/$name/cache.db" list | wc -l)
    measure "$name" >"$WORK/$name/runs.txt"
    stats "$name ($n articles): first frame, ms" 1 "$WORK/$name/runs.txt"
    stats "$name ($n articles): peak RSS, KiB" 2 "$WORK/$name/runs.txt"
done
