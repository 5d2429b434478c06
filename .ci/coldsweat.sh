#!/usr/bin/env bash
# A real Fever server for the sync tests: Coldsweat 0.10.2 from PyPI in a venv under target/,
# on 127.0.0.1:18082, subscribed to the feeds of tests/fixtures/sync and three generated feeds of
# 410 items each (.ci/big_feeds.py: 1,234 items in all), served on 127.0.0.1:18081.
#   .ci/coldsweat.sh start   # prints the Fever endpoint; about 15 s the first time
#   .ci/coldsweat.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/sync-it
CS="$DIR/venv/bin/coldsweat"
FEEDS_PORT=18081
FEVER_PORT=18082

stop() {
    for pidfile in "$DIR/coldsweat.pid" "$DIR/feeds.pid"; do
        [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    done
}

wait_for_port() { # port: bounded wait until something listens
    for _ in $(seq 150); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing answers on 127.0.0.1:$1" >&2
    return 1
}

case "${1:-start}" in
start)
    stop
    mkdir -p "$DIR"
    if [[ ! -x $CS ]]; then
        python3 -m venv "$DIR/venv"
        "$DIR/venv/bin/pip" install -q coldsweat==0.10.2
    fi
    rm -rf "$DIR/feeds" && mkdir -p "$DIR/feeds"
    cp tests/fixtures/sync/* "$DIR/feeds/"
    python3 .ci/big_feeds.py "$DIR/feeds" "http://127.0.0.1:$FEEDS_PORT"
    python3 -m http.server "$FEEDS_PORT" --bind 127.0.0.1 --directory "$DIR/feeds" \
        >"$DIR/feeds.log" 2>&1 &
    echo $! >"$DIR/feeds.pid"
    wait_for_port "$FEEDS_PORT"
    # A fresh instance each time: the tests start from the fixtures' state.
    rm -rf "$DIR/venv/var/coldsweat-instance"
    (cd "$DIR" && "venv/bin/coldsweat" setup test@example.com -p testpassword) >"$DIR/setup.log" 2>&1
    for opml in subs.opml big.opml; do
        (cd "$DIR" && "venv/bin/coldsweat" import "feeds/$opml" test@example.com -f) >>"$DIR/setup.log" 2>&1
    done
    (cd "$DIR" && exec "venv/bin/coldsweat" run -h 127.0.0.1 -p "$FEVER_PORT") >"$DIR/coldsweat.log" 2>&1 &
    echo $! >"$DIR/coldsweat.pid"
    wait_for_port "$FEVER_PORT"
    echo "http://127.0.0.1:$FEVER_PORT/fever/"
    ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
