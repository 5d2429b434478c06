#!/usr/bin/env bash
# A real Tiny Tiny RSS for the sync tests: Debian's tt-rss package on the distribution's PHP and a
# private PostgreSQL, served by PHP's built-in server on 127.0.0.1. TT-RSS refuses to fetch feeds
# from loopback addresses or ports other than 80, so the feed files of DIR are served on port 80
# of a network namespace this script makes (10.231.0.2, reached over a veth pair).
#   .ci/ttrss.sh start DIR   # last line: URL USER PASSWORD FEEDS_BASE; about 20 s the first time
#                            # (categories tech, news and big exist; no feed is subscribed)
#   .ci/ttrss.sh update      # the server fetches its feeds now
#   .ci/ttrss.sh stop
# Needs root (packages, the namespace, /etc/tt-rss). Everything it starts is stopped by `stop`.
set -euo pipefail
STATE=/tmp/khabar-ttrss
NS=khabar-ttrss
HOST_IP=10.231.0.1
NS_IP=10.231.0.2
PORT=18090
PG_PORT=18091
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
WWW=/usr/share/tt-rss/www

stop() {
    for pidfile in "$STATE/php.pid" "$STATE/feeds.pid"; do
        [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    done
    if [[ -d $STATE/pg ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip link del kt-host 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
}

wait_for() { # host port: bounded wait until something listens
    for _ in $(seq 150); do
        python3 -c "import socket; socket.create_connection(('$1', $2), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing answers on $1:$2" >&2
    return 1
}

install() {
    [[ -d $WWW && -n $(command -v php) ]] && php -m | grep -qi pdo_pgsql && return 0
    export DEBIAN_FRONTEND=noninteractive
    # Nothing is configured for us: no database, no web server, no daemon started at install.
    printf '%s\n' 'tt-rss tt-rss/dbconfig-install boolean false' \
        'tt-rss tt-rss/reconfigure-webserver multiselect' | debconf-set-selections
    local policy=/usr/sbin/policy-rc.d made=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made=1
    fi
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends tt-rss php-cli php-cgi php-pgsql dbconfig-no-thanks \
        postgresql iproute2 >/dev/null
    [[ -n $made ]] && rm -f "$policy"
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

database() {
    rm -rf "$STATE/pg" && mkdir -p "$STATE/pg" "$STATE/sock"
    chown postgres "$STATE/pg" "$STATE/sock"
    runuser -u postgres -- "$PG_BIN/initdb" -A trust -U postgres -D "$STATE/pg/data" >"$STATE/initdb.log"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/server.log" -w \
        -o "-p $PG_PORT -k $STATE/sock -c listen_addresses=127.0.0.1" start >/dev/null
    local psql=(runuser -u postgres -- env PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -v ON_ERROR_STOP=1)
    "${psql[@]}" -U postgres -c "create user ttrss password 'ttrss'" -c "create database ttrss owner ttrss"
    "${psql[@]}" -U ttrss -d ttrss -f /usr/share/dbconfig-common/data/tt-rss/install/pgsql >/dev/null
    # The schema's user is admin / "password"; the API is off for every user until this.
    "${psql[@]}" -U ttrss -d ttrss -c \
        "insert into ttrss_user_prefs (owner_uid, pref_name, value, profile) values (1, 'ENABLE_API_ACCESS', 'true', null)"
    # Categories are made in the web pages (this API level cannot): the tests' folders.
    "${psql[@]}" -U ttrss -d ttrss -c \
        "insert into ttrss_feed_categories (owner_uid, title) values (1, 'tech'), (1, 'news'), (1, 'big')"
}

configure() {
    cat >/etc/tt-rss/database.php <<EOF
<?php
\$dbuser='ttrss';
\$dbpass='ttrss';
\$basepath='';
\$dbname='ttrss';
\$dbserver='127.0.0.1';
\$dbport='$PG_PORT';
\$dbtype='pgsql';
EOF
    sed -i -e "s|define('SELF_URL_PATH', '[^']*')|define('SELF_URL_PATH', 'http://127.0.0.1:$PORT/')|" \
        -e "s|define('LOG_DESTINATION', '[^']*')|define('LOG_DESTINATION', '')|" \
        -e "s|define('CHECK_FOR_UPDATES', true)|define('CHECK_FOR_UPDATES', false)|" /etc/tt-rss/config.php
    mkdir -p /var/lib/tt-rss /var/cache/tt-rss/feeds /var/log/tt-rss
    chown -R www-data /var/lib/tt-rss /var/cache/tt-rss /var/log/tt-rss
}

feeds_namespace() { # dir: served on http://$NS_IP/ from inside the namespace
    ip netns add "$NS"
    ip link add kt-host type veth peer name kt-ns
    ip link set kt-ns netns "$NS"
    ip addr add "$HOST_IP/24" dev kt-host && ip link set kt-host up
    ip netns exec "$NS" ip addr add "$NS_IP/24" dev kt-ns
    ip netns exec "$NS" ip link set kt-ns up
    ip netns exec "$NS" ip link set lo up
    ip netns exec "$NS" python3 -m http.server 80 --bind "$NS_IP" --directory "$1" \
        >"$STATE/feeds.log" 2>&1 &
    echo $! >"$STATE/feeds.pid"
    wait_for "$NS_IP" 80
}

case "${1:-}" in
start)
    mkdir -p "${2:?usage: $0 start DIR}"
    dir=$(realpath "$2")
    stop
    install
    rm -rf "$STATE" && mkdir -p "$STATE" && chmod 755 "$STATE"
    database
    configure
    feeds_namespace "$dir"
    (cd "$WWW" && exec runuser -u www-data -- php -S "127.0.0.1:$PORT" -t "$WWW") >"$STATE/php.log" 2>&1 &
    echo $! >"$STATE/php.pid"
    wait_for 127.0.0.1 "$PORT"
    echo "http://127.0.0.1:$PORT/api/ admin password http://$NS_IP/"
    ;;
update)
    runuser -u www-data -- php "$WWW/update.php" --force-update --feeds >"$STATE/update.log" 2>&1 ||
        { tail -20 "$STATE/update.log" >&2; exit 1; }
    ;;
stop) stop ;;
*) echo "usage: $0 start DIR|update|stop" >&2; exit 2 ;;
esac
