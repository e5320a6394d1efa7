#!/usr/bin/env bash
# The standard benchmark matrix (1, 16, 64 and 256 clients; puts; linearizable gets; a 50/50 mix)
# against a fresh local 5-node cluster, measured by `raftctl bench`.
#
#   scripts/bench.sh raftkv BUILD_DIR   starts `raftd cluster`, writes the machine and the raftkv
#                                       table into docs/benchmarks.md
#   scripts/bench.sh etcd BUILD_DIR     starts a 5-member etcd, then writes the etcd table and the
#                                       raftkv/etcd ratios (against the last raftkv run) into
#                                       docs/benchmarks.md and prints the ratios
#
# Each cluster gets free loopback ports and its own temporary directory on the disk of the working
# tree (so fsync costs what it costs there), and is stopped at the end even when a step fails.
# BENCH_DURATION and BENCH_WARMUP set each run's length (default 5s and 1s).
set -euo pipefail
system=${1:?usage: scripts/bench.sh raftkv|etcd BUILD_DIR}
bin=$(cd "${2:?usage: scripts/bench.sh raftkv|etcd BUILD_DIR}" && pwd)
duration=${BENCH_DURATION:-5s}
warmup=${BENCH_WARMUP:-1s}
results_dir=.build/bench
doc=docs/benchmarks.md
mkdir -p "$results_dir"
work=$(mktemp -d "$PWD/.build/bench-cluster.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Prints the first of `count` consecutive loopback ports that are all free, starting at random.
free_ports() {
    python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    base = random.randint(20000, 60000 - count)
    sockets = []
    try:
        for port in range(base, base + count):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            sockets.append(s)
        print(base)
        sys.exit(0)
    except OSError:
        pass
    finally:
        for s in sockets:
            s.close()
sys.exit("no run of free loopback ports found")
PY
}

wait_for() {
    local what=$1; shift
    for _ in $(seq 200); do "$@" && return 0; sleep 0.1; done
    echo "error: $what did not happen within 20 s; see the logs in $work" >&2
    exit 1
}

start_raftkv() {
    local base
    base=$(free_ports 11)
    sed -e "s/^base_port = .*/base_port = $base/" -e "s/^gateway_port = .*/gateway_port = $((base + 10))/" \
        -e "s#^persistent_state_path = .*#persistent_state_path = $work/state/#" config.ini > "$work/config.ini"
    "$bin/raftd" cluster --config "$work/config.ini" > "$work/cluster.log" 2>&1 &
    pids+=($!)
    local i
    endpoints=""
    for i in 0 1 2 3 4; do endpoints+="${endpoints:+,}127.0.0.1:$((base + i))"; done
    has_leader() { "$bin/raftctl" status --endpoints "$endpoints" -w json 2>/dev/null | grep -q '"role":"leader"'; }
    wait_for "electing a raftkv leader" has_leader
}

start_etcd() {
    local base cluster="" i
    base=$(free_ports 10)
    for i in 1 2 3 4 5; do cluster+="${cluster:+,}m$i=http://127.0.0.1:$((base + 4 + i))"; done
    for i in 1 2 3 4 5; do
        etcd --name "m$i" --data-dir "$work/m$i" --log-level warn --logger zap \
            --listen-client-urls "http://127.0.0.1:$((base + i - 1))" \
            --advertise-client-urls "http://127.0.0.1:$((base + i - 1))" \
            --listen-peer-urls "http://127.0.0.1:$((base + 4 + i))" \
            --initial-advertise-peer-urls "http://127.0.0.1:$((base + 4 + i))" \
            --initial-cluster "$cluster" --initial-cluster-token "bench-$$" --initial-cluster-state new \
            > "$work/m$i.log" 2>&1 &
        pids+=($!)
    done
    # Clients go straight to the leader, as raftctl bench does for raftkv nodes.
    etcd_leader() {
        for i in 1 2 3 4 5; do
            if curl -s "http://127.0.0.1:$((base + i - 1))/metrics" | grep -q '^etcd_server_is_leader 1'; then
                endpoints="127.0.0.1:$((base + i - 1))"
                return 0
            fi
        done
        return 1
    }
    wait_for "electing an etcd leader" etcd_leader
}

case "$system" in
    raftkv) start_raftkv ;;
    etcd) start_etcd ;;
    *) echo "error: unknown system '$system': use raftkv or etcd" >&2; exit 64 ;;
esac

results="$results_dir/$system.tsv"
: > "$results"
echo "$system at $endpoints; load before: $(uptime | sed 's/.*load average: //')"
for clients in 1 16 64 256; do
    for workload in put:1 get:0 mix:0.5; do
        name=${workload%%:*}
        echo "== $system $name, $clients clients"
        json=$("$bin/raftctl" bench --target "$system" --endpoints "$endpoints" --clients "$clients" \
            --ratio "${workload#*:}" --duration "$duration" --warmup "$warmup" --timeout 10s -w json)
        printf '%s\t%s\n' "$name" "$json" >> "$results"
        python3 scripts/bench_tables.py line "$json"
    done
done
load="$(uptime | sed 's/.*load average: //')"
echo "load after: $load"

case "$system" in
    raftkv)
        python3 scripts/bench_tables.py machine "$work" "$load" > "$results_dir/machine.md"
        python3 scripts/bench_tables.py table "$results" > "$results_dir/raftkv.md"
        cat "$results_dir/machine.md" "$results_dir/raftkv.md" | python3 scripts/bench_tables.py splice "$doc" raftkv
        echo "wrote the raftkv results to $doc"
        ;;
    etcd)
        [ -s "$results_dir/raftkv.tsv" ] || { echo "error: no raftkv results to compare with: run 'make bench' first" >&2; exit 1; }
        python3 scripts/bench_tables.py ratios "$results_dir/raftkv.tsv" "$results" "$load" > "$results_dir/ratios.md"
        python3 scripts/bench_tables.py splice "$doc" etcd < "$results_dir/ratios.md"
        cat "$results_dir/ratios.md"
        echo "wrote the comparison to $doc"
        ;;
esac
