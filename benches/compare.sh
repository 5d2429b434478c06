#!/usr/bin/env bash
# The performance issue's table, measured in one run: khabar against newsboat (when installed)
# on the shared corpus (../shared/bench: nginx on 127.0.0.1:8080, the 200 ms/request slow server
# on :8081), runs alternating between the two readers. Writes the table, the machine and the
# commands between the "compare" markers of docs/benchmarks.md, and prints it.
#   benches/compare.sh                  # RUNS=5; newsboat's slow-server and 100k runs once each
#   RUNS=3 PEER=0 benches/compare.sh    # khabar only
#   RUSS=/path/to/russ benches/compare.sh   # and russ's cold refresh (`russ import`) beside them
# Needs nginx (nginx-light), tmux, bc, python3, sqlite3, GNU time (/usr/bin/time); newsboat
# and russ are optional (russ is not in the package registry: build it outside this repository
# from https://github.com/ckampfe/russ with `cargo build --release`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$HERE/../shared/bench}"
RUNS="${RUNS:-5}"
PEER_ONCE_RUNS="${PEER_ONCE_RUNS:-1}" # newsboat runs of the two slowest measures (111 s and ~40 s each)
SMALL="${KHABAR_BENCH_DIR:-/tmp/khabar-bench}"
BIG="${KHABAR_BENCH_BIG_DIR:-/tmp/khabar-bench-big}"
DOC="$HERE/docs/benchmarks.md"
PEER="${PEER:-1}"
command -v newsboat >/dev/null || PEER=0
for tool in nginx tmux bc python3 sqlite3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y nginx-light tmux bc sqlite3)" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "missing GNU time (apt-get install -y time)" >&2; exit 1; }
RUSS="${RUSS:-}"
[[ -z $RUSS || -x $RUSS ]] || { echo "RUSS=$RUSS is not an executable" >&2; exit 1; }
WORK="$(mktemp -d)"
SOCK="khabar-compare-$$"
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    KHABAR_BENCH_DIR="$BIG" "$SHARED/serve.sh" stop >/dev/null 2>&1 || true
    KHABAR_BENCH_DIR="$SMALL" "$SHARED/serve.sh" stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet --manifest-path "$HERE/Cargo.toml"
BIN="$HERE/target/release/khabar"
KHOME="$WORK/home" # the readers keep their logs and state here, not in the user's home
mkdir -p "$KHOME"
k() { HOME="$KHOME" "$BIN" "$@"; }

seconds() { # runs the command, prints its wall time in seconds; its stderr is kept in $WORK/last.err
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$WORK/last.err" || { echo "failed: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
record() { echo "$2" >>"$WORK/$1.txt"; }           # measure-name value
costs() { # name program args...: wall seconds as `seconds` does, and records name_cpu (user +
          # system seconds) and name_rss (peak resident KiB) from GNU time; the program must be
          # one process (use `env VAR=… program`, never a shell function)
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -o "$WORK/time.txt" -f "%U %S %M" "${@:2}" >/dev/null 2>"$WORK/last.err" \
        || { echo "failed: ${*:2}" >&2; cat "$WORK/last.err" >&2; exit 1; }
    end=$(date +%s.%N)
    read -r user sys rss <"$WORK/time.txt"
    record "$1_cpu" "$(echo "$user + $sys" | bc -l)"
    record "$1_rss" "$rss"
    echo "$end - $start" | bc -l
}
opml_of() { # url-list: an OPML document listing them (what russ imports)
    echo '<?xml version="1.0"?><opml version="2.0"><head><title>corpus</title></head><body>'
    while read -r u; do printf '<outline type="rss" text="%s" xmlUrl="%s"/>\n' "$u" "$u"; done <"$1"
    echo '</body></opml>'
}
russ_items() { sqlite3 "$1" "SELECT COUNT(*) FROM entries"; }
stat_of() { # measure-name [scale]: "median (min–max)" of the values, or "–"
    local f="$WORK/$1.txt" scale="${2:-1}"
    [[ -s $f ]] || { echo "–"; return; }
    sort -g "$f" | awk -v s="$scale" '
        function fmt(x) { return (x >= 100) ? sprintf("%.0f", x) : sprintf("%.3g", x) }
        {v[NR]=$1*s}
        END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; if (NR==1) printf "%s (n=1)", fmt(m); else printf "%s (%s–%s, n=%d)", fmt(m), fmt(v[1]), fmt(v[NR]), NR}'
}
median_of() {
    local f="$WORK/$1.txt"
    [[ -s $f ]] || { echo ""; return; }
    sort -g "$f" | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'
}
slower() { # measure base-measure: how much slower the first is than the second, "+4.2 %"
    local a b
    a=$(median_of "$1"); b=$(median_of "$2")
    [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" 'BEGIN {printf "%+.1f %%", (a/b-1)*100}' || echo "–"
}
ratio() { # peer-measure khabar-measure: how many times faster (or smaller) khabar is
    local p k
    p=$(median_of "$1"); k=$(median_of "$2")
    [[ -n $p && -n $k ]] && awk -v p="$p" -v k="$k" 'BEGIN {printf "%.1f×", p/k}' || echo "–"
}

khabar_config() { # url-list [general lines...]
    local list=$1; shift
    { echo "[general]"; printf '%s\n' "$@"; while read -r u; do printf '[[feed]]\nurl = "%s"\n' "$u"; done <"$list"; }
}
newsboat_reload() { HOME="$KHOME" newsboat -x reload -u "$1" -c "$2" -C "$WORK/newsboat.conf"; }
: >"$WORK/newsboat.conf"
touch_corpus() { # dir [mtime]: every feed file (and its .gz) gets a new mtime, so nginx answers 200 with a new ETag
    find "$1/data/www/feeds" -type f -exec touch -d "@${2:-$(date +%s)}" {} +
}
expect() { # pattern: the last refresh's stderr must hold it, else the run is wrong: stop
    grep -q "$1" "$WORK/last.err" || { echo "expected \"$1\":" >&2; tail -n1 "$WORK/last.err" >&2; exit 1; }
}
articles_in() { k --config "$1" --cache "$2" list | wc -l; }
newsboat_items() { sqlite3 "$1" "SELECT COUNT(*) FROM rss_item"; }

# --- 500 × 50 from nginx: cold, unchanged 200, 304 -------------------------------------------
KHABAR_BENCH_DIR="$SMALL" "$SHARED/serve.sh" start >&2
MTIME=$(stat -c %Y "$(ls "$SMALL"/data/www/feeds/*.xml | head -n1)")
khabar_config "$SMALL/data/www/feeds.txt" >"$WORK/k.toml"
# The same feeds with twenty filters (benches/filters20.toml), and with the same twenty made to
# match nothing (a word no article has): what judging costs, and what acting costs too.
cat "$WORK/k.toml" "$HERE/benches/filters20.toml" >"$WORK/kf.toml"
{ cat "$WORK/k.toml"; sed 's/^query = "/query = "zzqx /' "$HERE/benches/filters20.toml"; } >"$WORK/kn.toml"
UPDATED=0
for i in $(seq "$RUNS"); do
    echo "run $i/$RUNS: 500 × 50" >&2
    rm -f "$WORK"/k.db*
    record k_cold "$(costs k_cold env HOME="$KHOME" "$BIN" --config "$WORK/k.toml" --cache "$WORK/k.db" refresh)"
    expect " 25000 new articles"
    rm -f "$WORK"/kf.db*
    record k_cold_filters "$(seconds k --config "$WORK/kf.toml" --cache "$WORK/kf.db" refresh)"
    expect " 25000 new articles"
    record k_filters_acted "$(sqlite3 "$WORK/kf.db" "SELECT COUNT(*) FROM articles WHERE hidden OR read OR starred OR id IN (SELECT article_id FROM article_tags)")"
    rm -f "$WORK"/kn.db*
    record k_cold_filters_none "$(seconds k --config "$WORK/kn.toml" --cache "$WORK/kn.db" refresh)"
    expect " 25000 new articles"
    rm -f "$WORK"/kf.db* "$WORK"/kn.db*
    record k_size "$(( $(stat -c %s "$WORK/k.db") / $(articles_in "$WORK/k.toml" "$WORK/k.db") ))"
    touch_corpus "$SMALL"
    record k_200 "$(seconds k --config "$WORK/k.toml" --cache "$WORK/k.db" refresh)"
    expect " 0 new articles; 500 fetched"
    # "No article rewritten": no feed line reports updated articles.
    UPDATED=$((UPDATED + $(grep -c "updated" "$WORK/last.err" || true)))
    record k_304 "$(seconds k --config "$WORK/k.toml" --cache "$WORK/k.db" refresh)"
    expect "500 not modified"
    touch_corpus "$SMALL" "$MTIME"
    if [[ $PEER == 1 ]]; then
        rm -f "$WORK"/n.db*
        record n_cold "$(costs n_cold env HOME="$KHOME" newsboat -x reload -u "$SMALL/data/www/feeds.txt" -c "$WORK/n.db" -C "$WORK/newsboat.conf")"
        record n_size "$(( $(stat -c %s "$WORK/n.db") / $(newsboat_items "$WORK/n.db") ))"
        touch_corpus "$SMALL"
        record n_200 "$(seconds newsboat_reload "$SMALL/data/www/feeds.txt" "$WORK/n.db")"
        record n_304 "$(seconds newsboat_reload "$SMALL/data/www/feeds.txt" "$WORK/n.db")"
        touch_corpus "$SMALL" "$MTIME"
    fi
    if [[ -n $RUSS ]]; then
        opml_of "$SMALL/data/www/feeds.txt" >"$WORK/small.opml"
        rm -f "$WORK"/r.db*
        record r_cold "$(costs r_cold env HOME="$KHOME" "$RUSS" import -o "$WORK/small.opml" -d "$WORK/r.db")"
        record r_items "$(russ_items "$WORK/r.db")"
    fi
done
# --- the slow server (200 ms per request) ----------------------------------------------------
sed 's#127.0.0.1:8080#127.0.0.1:8081#' "$SMALL/data/www/feeds.txt" >"$WORK/slow.txt"
khabar_config "$WORK/slow.txt" "concurrency = 128" "per_host_concurrency = 128" >"$WORK/slow.toml"
for i in $(seq "$RUNS"); do
    echo "run $i/$RUNS: slow server" >&2
    rm -f "$WORK"/s.db*
    record k_slow "$(seconds k --config "$WORK/slow.toml" --cache "$WORK/s.db" refresh)"
done
if [[ $PEER == 1 ]]; then
    for i in $(seq "$PEER_ONCE_RUNS"); do
        echo "newsboat run $i/$PEER_ONCE_RUNS: slow server" >&2
        rm -f "$WORK"/ns.db*
        record n_slow "$(seconds newsboat_reload "$WORK/slow.txt" "$WORK/ns.db")"
    done
fi

# --- the reader: key press to frame during a cold refresh (same corpus, real terminal) -------
tui_bench() { # config cache flag...: runs khabar in tmux 120x40, prints its stderr report
    rm -f "$WORK/tui.out"
    tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
        "HOME=$KHOME $BIN --config $1 --cache $2 ${*:3} 2>$WORK/tui.out"
    for _ in $(seq 600); do [[ -s $WORK/tui.out ]] && break; sleep 0.1; done
    sleep 0.2
    cat "$WORK/tui.out"
}
for i in $(seq "$RUNS"); do
    rm -f "$WORK"/k.db*
    report=$(tui_bench "$WORK/k.toml" "$WORK/k.db" --bench-keys refresh)
    echo "$report" >&2
    record k_refresh_key_max "$(sed -n 's/.*max \([0-9.]*\) ms.*/\1/p' <<<"$report")"
    record k_refresh_key_median "$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' <<<"$report")"
done
KHABAR_BENCH_DIR="$SMALL" "$SHARED/serve.sh" stop >&2

# --- 500 × 200 (100,000 articles) ------------------------------------------------------------
FEEDS=500 ITEMS=200 KHABAR_BENCH_DIR="$BIG" "$SHARED/serve.sh" start >&2
khabar_config "$BIG/data/www/feeds.txt" >"$WORK/big.toml"
for i in $(seq "$RUNS"); do
    echo "run $i/$RUNS: 500 × 200" >&2
    rm -f "$WORK"/b.db*
    record k_big "$(costs k_big env HOME="$KHOME" "$BIN" --config "$WORK/big.toml" --cache "$WORK/b.db" refresh)"
    expect " 100000 new articles"
    if [[ -n $RUSS ]]; then
        opml_of "$BIG/data/www/feeds.txt" >"$WORK/big.opml"
        rm -f "$WORK"/rb.db*
        record r_big "$(costs r_big env HOME="$KHOME" "$RUSS" import -o "$WORK/big.opml" -d "$WORK/rb.db")"
        record r_big_items "$(russ_items "$WORK/rb.db")"
    fi
done
record k_big_size "$(( $(stat -c %s "$WORK/b.db") / $(articles_in "$WORK/big.toml" "$WORK/b.db") ))"
if [[ $PEER == 1 ]]; then
    for i in $(seq "$PEER_ONCE_RUNS"); do
        echo "newsboat run $i/$PEER_ONCE_RUNS: 500 × 200" >&2
        rm -f "$WORK"/nb.db*
        record n_big "$(costs n_big env HOME="$KHOME" newsboat -x reload -u "$BIG/data/www/feeds.txt" -c "$WORK/nb.db" -C "$WORK/newsboat.conf")"
    done
    record n_big_size "$(( $(stat -c %s "$WORK/nb.db") / $(newsboat_items "$WORK/nb.db") ))"
fi

# Scrolling and search on the 100,000-article cache just built.
for i in $(seq "$RUNS"); do
    report=$(tui_bench "$WORK/big.toml" "$WORK/b.db" --bench-keys scroll)
    echo "$report" >&2
    record k_scroll_median "$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' <<<"$report")"
    record k_scroll_p99 "$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$report")"
done
for q in scheduler भारत 科技; do
    for i in $(seq "$RUNS"); do
        record "k_search_$q" "$(seconds k --config "$WORK/big.toml" --cache "$WORK/b.db" search "$q" --limit 200)"
    done
done
FEEDS=500 ITEMS=200 KHABAR_BENCH_DIR="$BIG" "$SHARED/serve.sh" stop >&2

# --- reader startup: first frame and peak memory (benches/startup.sh) ------------------------
RUNS="$RUNS" "$HERE/benches/startup.sh" >"$WORK/startup.txt"
cat "$WORK/startup.txt" >&2
startup() { grep "^$1" "$WORK/startup.txt" | grep "$2" | sed -E 's/.*median +([0-9.]+) +\(min ([0-9.]+), max ([0-9.]+).*/\1 \2 \3/'; }
read -r s1 s1min s1max <<<"$(startup small "first frame")"
read -r s2 s2min s2max <<<"$(startup big "first frame")"
read -r r1 _ _ <<<"$(startup small "peak RSS")"
read -r r2 r2min r2max <<<"$(startup big "peak RSS")"

# --- the table -------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
NB=$([[ $PEER == 1 ]] && newsboat --version | head -n1 | cut -d' ' -f1-2 || echo "newsboat not run")
{
    echo "<!-- compare:begin (written by benches/compare.sh; edits here are overwritten) -->"
    echo "Measured $(date -u +%Y-%m-%d) by \`benches/compare.sh\` (RUNS=$RUNS) on $(nproc) cores ($CPU), $MEM,"
    echo "$(rustc --version | cut -d' ' -f1-2), $NB (default settings, \`newsboat -x reload\`), khabar $(git -C "$HERE" rev-parse --short HEAD)."
    echo "Seconds unless stated; median (min–max, n). newsboat's slow-server and 100,000-article runs: n=$PEER_ONCE_RUNS."
    echo
    echo "| measure | target | khabar | newsboat | newsboat ÷ khabar |"
    echo "|---|---|---|---|---|"
    echo "| cold refresh, 500 × 50 items from nginx, empty cache | ≤ 0.5 s | $(stat_of k_cold) | $(stat_of n_cold) | $(ratio n_cold k_cold) |"
    echo "| same: CPU, user + system | ≤ 1.5 × russ | $(stat_of k_cold_cpu) | $(stat_of n_cold_cpu) | $(ratio n_cold_cpu k_cold_cpu) |"
    echo "| same: peak resident memory (MB) | ≤ 40 MB | $(stat_of k_cold_rss 0.001024) | $(stat_of n_cold_rss 0.001024) | $(ratio n_cold_rss k_cold_rss) |"
    echo "| cold refresh, 500 × 200 items (100,000 articles) | ≤ 2.0 s | $(stat_of k_big) | $(stat_of n_big) | $(ratio n_big k_big) |"
    echo "| same: CPU, user + system | ≤ 1.5 × russ | $(stat_of k_big_cpu) | $(stat_of n_big_cpu) | $(ratio n_big_cpu k_big_cpu) |"
    echo "| same: peak resident memory (MB) | ≤ 40 MB | $(stat_of k_big_rss 0.001024) | $(stat_of n_big_rss 0.001024) | $(ratio n_big_rss k_big_rss) |"
    echo "| same with 20 filters ([benches/filters20.toml](../benches/filters20.toml)), acting on $(median_of k_filters_acted) of the 25,000 articles | ≤ 5 % slower | $(stat_of k_cold_filters); $(slower k_cold_filters k_cold) | | |"
    echo "| same with the 20 filters matching nothing: the cost of judging every new article | ≤ 5 % slower | $(stat_of k_cold_filters_none); $(slower k_cold_filters_none k_cold) | | |"
    echo "| second refresh, unchanged content, server answers 200 | ≤ 0.5 s, nothing rewritten | $(stat_of k_200); feed lines reporting updated articles, all runs: $UPDATED | $(stat_of n_200) | $(ratio n_200 k_200) |"
    echo "| warm refresh, server answers 304 | ≤ 0.3 s | $(stat_of k_304) | $(stat_of n_304) | $(ratio n_304 k_304) |"
    echo "| 500 feeds through the 200 ms/request slow server | ≤ 3 s | $(stat_of k_slow) (\`per_host_concurrency = 128\`, \`concurrency = 128\`) | $(stat_of n_slow) | $(ratio n_slow k_slow) |"
    echo "| TUI first frame with headlines, 100,000 articles (1,000) | ≤ 20 ms, within 20 % | $s2 ms ($s2min–$s2max); 1,000: $s1 ms ($s1min–$s1max); $(awk -v a="$s1" -v b="$s2" 'BEGIN {printf "%+.0f", (b/a-1)*100}') % | not measured | |"
    echo "| TUI peak resident memory, 100,000 articles (1,000) | ≤ 20 MB, within 20 % | $(awk -v v="$r2" 'BEGIN {printf "%.1f MB", v*1024/1e6}') ($(awk -v a="$r2min" -v b="$r2max" 'BEGIN {printf "%.1f–%.1f", a*1024/1e6, b*1024/1e6}')); 1,000: $(awk -v v="$r1" 'BEGIN {printf "%.1f MB", v*1024/1e6}'); $(awk -v a="$r1" -v b="$r2" 'BEGIN {printf "%+.0f", (b/a-1)*100}') % | not measured | |"
    echo "| key press to redrawn frame, scrolling 100,000 articles (ms) | ≤ 5 ms | median $(stat_of k_scroll_median); p99 $(stat_of k_scroll_p99) | | |"
    echo "| search 100,000 articles, \`khabar search WORD --limit 200\`, whole process: scheduler / भारत / 科技 | ≤ 20 ms | $(stat_of k_search_scheduler 1000) / $(stat_of k_search_भारत 1000) / $(stat_of k_search_科技 1000) ms | | |"
    echo "| cache size per article, search index included (bytes) | ≤ 2,470 | $(stat_of k_size) (100,000: $(stat_of k_big_size)) | $(stat_of n_size) (100,000: $(stat_of n_big_size)) | $(ratio n_size k_size) |"
    echo "| UI during a cold 500-feed refresh: slowest key press per run (ms) | ≤ 50 ms | $(stat_of k_refresh_key_max); median key $(stat_of k_refresh_key_median) | | |"
    if [[ -n $RUSS ]]; then
        echo
        echo "russ $("$RUSS" --version | cut -d' ' -f2) beside khabar, cold refresh (\`russ import -o FEEDS.opml -d DB\`, one feed at a time by its design; no search index), the same runs (targets: khabar ≤ 0.5 × russ's wall, ≤ 1.5 × its CPU):"
        echo
        echo "| cold refresh | khabar | russ | khabar ÷ russ |"
        echo "|---|---|---|---|"
        echo "| 500 × 50: wall | $(stat_of k_cold) | $(stat_of r_cold) ($(median_of r_items) articles) | $(ratio k_cold r_cold) |"
        echo "| 500 × 50: CPU, user + system | $(stat_of k_cold_cpu) | $(stat_of r_cold_cpu) | $(ratio k_cold_cpu r_cold_cpu) |"
        echo "| 500 × 50: peak resident memory (MB) | $(stat_of k_cold_rss 0.001024) | $(stat_of r_cold_rss 0.001024) | $(ratio k_cold_rss r_cold_rss) |"
        echo "| 500 × 200: wall | $(stat_of k_big) | $(stat_of r_big) ($(median_of r_big_items) articles) | $(ratio k_big r_big) |"
        echo "| 500 × 200: CPU, user + system | $(stat_of k_big_cpu) | $(stat_of r_big_cpu) | $(ratio k_big_cpu r_big_cpu) |"
        echo "| 500 × 200: peak resident memory (MB) | $(stat_of k_big_rss 0.001024) | $(stat_of r_big_rss 0.001024) | $(ratio k_big_rss r_big_rss) |"
    fi
    echo
    echo '```sh'
    echo "apt-get install -y nginx-light tmux bc sqlite3 newsboat time"
    echo "benches/compare.sh        # RUNS=$RUNS; starts and stops ../shared/bench/serve.sh itself"
    echo "RUSS=/path/to/russ benches/compare.sh   # russ 0.5.0 built outside the repo from github.com/ckampfe/russ"
    echo '```'
    echo "<!-- compare:end -->"
} >"$WORK/table.md"
cat "$WORK/table.md"
python3 - "$DOC" "$WORK/table.md" <<'EOF'
import re, sys
doc, table = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n")
pattern = re.compile(r"<!-- compare:begin.*?<!-- compare:end -->", re.S)
if not pattern.search(doc):
    sys.exit("docs/benchmarks.md has no compare markers")
open(sys.argv[1], "w").write(pattern.sub(lambda _: table, doc))
EOF
