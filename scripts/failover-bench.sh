#!/usr/bin/env bash
# Leader failover time: kill -9 the leader of a running local cluster and time until the first
# write through the gateway is acknowledged. Starts its own `raftd cluster` on free ports in a
# temporary directory (never the shipped ports or raft_state/) and stops it at the end.
# Usage: scripts/failover-bench.sh [TRIALS] [BUILD_DIR]
set -euo pipefail
trials=${1:-20}
bin=$(cd "${2:-.build/release}" && pwd)
work=$(mktemp -d)
cleanup() {
    [ -n "${cluster_pid:-}" ] && kill "$cluster_pid" 2>/dev/null && wait "$cluster_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$((20000 + RANDOM % 30000))
sed -e "s/^base_port = .*/base_port = $base/" -e "s/^gateway_port = .*/gateway_port = $((base + 10))/" \
    -e "s#^persistent_state_path = .*#persistent_state_path = $work/state/#" config.ini > "$work/config.ini"
ctl() { "$bin/raftctl" --config "$work/config.ini" "$@"; }
"$bin/raftd" cluster --config "$work/config.ini" > "$work/cluster.log" 2>&1 &
cluster_pid=$!
# `raftctl status` exits 1 while a node is down; its JSON still lists every node.
status_json() { ctl status -w json 2>/dev/null || true; }
leader() { status_json | python3 -c 'import json,sys; print(next((n["id"] for n in json.load(sys.stdin) if n.get("role")=="leader"), ""))'; }
for _ in $(seq 100); do [ -n "$(leader)" ] && break; sleep 0.1; done
ctl put warmup 1 > /dev/null
times=()
for trial in $(seq "$trials"); do
    old=""
    for _ in $(seq 100); do old=$(leader); [ -n "$old" ] && break; sleep 0.1; done
    start=$(date +%s%N)
    ctl kill "$old" > /dev/null
    ctl --timeout 10s put "failover-$trial" "$trial" > /dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    echo "trial $trial: killed node $old, first acknowledged write after $ms ms"
    ctl start "$old" > /dev/null
    for _ in $(seq 100); do
        lagging=$(status_json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len({n["applied"] for n in s if n.get("applied") is not None}) != 1 or any(n.get("applied") is None for n in s))')
        [ "$lagging" = "False" ] && break
        sleep 0.1
    done
done
printf '%s\n' "${times[@]}" | sort -n | python3 -c '
import sys
values = [int(line) for line in sys.stdin]
values.sort()
median = values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
print(f"failover over {len(values)} trials: median {median} ms, max {values[-1]} ms, min {values[0]} ms")'
