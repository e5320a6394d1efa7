#!/usr/bin/env bash
# `make demo`: starts `raftd cluster` from config.ini in the background (its output and the node
# logs in raft_state/logs/), waits until a node is leader, opens raft-tui, and stops the cluster
# when raft-tui quits. KEEP=1 leaves the cluster running; a cluster that is already running is
# used as it is and left running.
# Usage: scripts/demo.sh [BUILD_DIR]
set -euo pipefail
bin=${1:-.build/release}
config=${CONFIG:-config.ini}
ctl() { "$bin/raftctl" --config "$config" --timeout 1s "$@"; }
has_leader() { ctl status -w simple 2>/dev/null | grep -q ', leader, '; }

cluster_pid=""
stop_cluster() {
    if [ -n "$cluster_pid" ] && [ "${KEEP:-}" != "1" ]; then
        echo "stopping the cluster (pid $cluster_pid)"
        kill "$cluster_pid" 2>/dev/null || true
        wait "$cluster_pid" 2>/dev/null || true
    elif [ -n "$cluster_pid" ]; then
        echo "the cluster keeps running (pid $cluster_pid, logs in raft_state/logs/); stop it with: kill $cluster_pid"
    fi
}
trap stop_cluster EXIT

if has_leader; then
    echo "a cluster is already running with a leader; watching it (it is left running)"
else
    mkdir -p raft_state/logs
    # nohup: with KEEP=1 the cluster outlives the terminal that started it.
    nohup "$bin/raftd" cluster --config "$config" > raft_state/logs/cluster.log 2>&1 &
    cluster_pid=$!
    echo "started raftd cluster (pid $cluster_pid); waiting for a leader..."
    for _ in $(seq 150); do
        if has_leader; then break; fi
        if ! kill -0 "$cluster_pid" 2>/dev/null; then
            cluster_pid=""
            echo "raftd cluster exited; the end of raft_state/logs/cluster.log:" >&2
            tail -n 20 raft_state/logs/cluster.log >&2
            exit 1
        fi
        sleep 0.2
    done
    if ! has_leader; then
        echo "no leader after 30 s; see raft_state/logs/ (the dashboard opens anyway)" >&2
    fi
fi
"$bin/raft-tui" --config "$config"
