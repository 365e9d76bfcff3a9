#!/usr/bin/env bash
# A hot standby of the local PostgreSQL cluster ("main", 127.0.0.1:5432) on 127.0.0.1:5433, for
# the replica tests (tests/store/test_standby.py) and bench.scale. Run as root (CI's root may).
#
#   tools/standby.sh start    make it (pg_basebackup -R with a replication slot) and start it;
#                             a running one is kept
#   tools/standby.sh stop     stop it and remove it, its data and its slot
#   tools/standby.sh halt     stop it, keeping it (start brings it back, replaying what it missed)
#   tools/standby.sh pause    stop replaying WAL (pg_wal_replay_pause): it falls behind
#   tools/standby.sh resume   replay again
#
# The primary needs a `replication` line in pg_hba.conf (`all` does not match replication
# connections): one for 127.0.0.1 trust is added when missing, and the primary reloaded (never
# restarted). wal_level must be replica or logical (PostgreSQL's default).
set -euo pipefail

PORT="${STANDBY_PORT:-5433}"
NAME="${STANDBY_CLUSTER:-replica}"
SLOT="${STANDBY_SLOT:-complaints_standby}"
VERSION="$(pg_lsclusters -h | awk '$2=="main"{print $1; exit}')"
primary() { psql -h 127.0.0.1 -p 5432 -U postgres -XAtqc "$1"; }
standby() { psql -h 127.0.0.1 -p "$PORT" -U postgres -XAtqc "$1"; }
exists() { pg_lsclusters -h | awk -v n="$NAME" '$2==n' | grep -q .; }

wait_ready() {
    for _ in $(seq 1 60); do
        if pg_isready -q -h 127.0.0.1 -p "$PORT" && [ "$(standby 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; then
            return 0
        fi
        sleep 0.5
    done
    echo "standby: not ready on port $PORT" >&2
    return 1
}

drop_slot() {
    primary "select pg_drop_replication_slot(slot_name) from pg_replication_slots
             where slot_name = '$SLOT' and not active" >/dev/null
}

case "${1:-}" in
start)
    level="$(primary 'show wal_level')"
    if [ "$level" = minimal ]; then
        echo "standby: the primary has wal_level=minimal; set replica and restart it" >&2
        exit 1
    fi
    hba="$(pg_conftool -s "$VERSION" main show hba_file)"
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
        echo 'host replication all 127.0.0.1/32 trust' >>"$hba"
        primary 'select pg_reload_conf()' >/dev/null
        sleep 0.5
    fi
    if exists; then
        pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start 2>/dev/null || true
        wait_ready
        exit 0
    fi
    drop_slot
    pg_createcluster "$VERSION" "$NAME" -p "$PORT" -- -A trust >/dev/null
    data="$(pg_conftool -s "$VERSION" "$NAME" show data_directory)"
    find "$data" -mindepth 1 -delete
    su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D '$data' -R -X stream -C -S '$SLOT' -c fast"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start
    wait_ready
    ;;
stop)
    if exists; then
        pg_dropcluster --stop "$VERSION" "$NAME"
    fi
    drop_slot
    ;;
halt)
    if exists; then
        pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" stop -m fast
    fi
    ;;
pause)
    standby 'select pg_wal_replay_pause()' >/dev/null
    ;;
resume)
    standby 'select pg_wal_replay_resume()' >/dev/null
    ;;
*)
    echo "usage: $0 start|stop|halt|pause|resume" >&2
    exit 2
    ;;
esac
