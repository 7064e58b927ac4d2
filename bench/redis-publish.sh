#!/usr/bin/env bash
# Publish throughput of Herald in cluster mode, through Redis: the numbers in docs/cluster.md.
#
#   ./bench/redis-publish.sh [SHARDS] [SECONDS]      (default: 1 shard, 10 s per run)
#
# For each of SHARDS: its own redis-server (AOF, appendfsync $FSYNC: always by default), its own Herald node
# (cluster: redis://...) and its own wrk, all at once. SHARDS=2 is the proxy for a two-shard cluster: two
# Redis instances, each taking the load of its half of the topics. Runs single-message publishes
# (bench/publish.lua, 64 connections in all) and batches of 100 (bench/publish-batch.lua, 16 connections),
# and prints messages per second and the CPU time each process used per message.
#
# Needs the jar (mvn -o install -DskipTests), redis-server and wrk. Everything runs on this machine, so the
# processes share its cores: see docs/cluster.md for how to read the result.
set -euo pipefail
cd "$(dirname "$0")/.."
shards=${1:-1}
seconds=${2:-10}
fsync=${FSYNC:-always}
jar=herald-server/target/herald.jar
[[ -f $jar ]] || { echo "bench: build first: mvn -o install -DskipTests" >&2; exit 1; }
work=$(mktemp -d /tmp/herald-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Distinct free ports, all bound at once so that none is handed out twice.
free_ports() {
  python3 -c 'import socket,sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}
cpu_ms() { awk '{print ($14+$15)*10}' "/proc/$1/stat"; } # utime+stime, in clock ticks of 10 ms

redis_pids=(); node_pids=(); node_ports=(); redis_ports=()
read -r -a ports <<< "$(free_ports $((2 * shards)))"
for ((i = 0; i < shards; i++)); do
  rport=${ports[$((2 * i))]}; hport=${ports[$((2 * i + 1))]}
  mkdir -p "$work/redis-$i"
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$work/redis-$i" --save "" --appendonly yes \
    --appendfsync "$fsync" --maxmemory-policy noeviction --daemonize no --logfile "$work/redis-$i/log" &
  redis_pids+=($!); pids+=($!); redis_ports+=("$rport")
  cat > "$work/node-$i.yml" <<EOF
cluster: redis://127.0.0.1:$rport
demo: {clock: false, chat: false, plant: false}
access:
  public: {publish: ["bench/#"], subscribe: ["bench/#"]}
limits:
  requestsPerSecondPerIp: 10000000
  connectionsPerIp: 1000000
  newConnectionsPerSecondPerIp: 1000000
  publishPerSecondPerApp: 10000000
  maxBatch: 1000
EOF
  sleep 0.3
  java -Xmx1g -jar "$jar" serve --host 127.0.0.1 --port "$hport" --config "$work/node-$i.yml" \
    > "$work/node-$i.log" 2>&1 &
  node_pids+=($!); pids+=($!); node_ports+=("$hport")
done
for ((i = 0; i < shards; i++)); do
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:${node_ports[$i]}/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:${node_ports[$i]}/readyz" >/dev/null || {
    echo "bench: node $i not ready:" >&2; tail -n 20 "$work/node-$i.log" "$work/redis-$i/log" >&2; exit 1; }
done

# run NAME SCRIPT CONNECTIONS MESSAGES_PER_REQUEST
run() {
  local name=$1 script=$2 conns=$3 per=$4
  local per_shard=$((conns / shards)); ((per_shard >= 1)) || per_shard=1
  local before_r=() before_n=() outs=()
  for ((i = 0; i < shards; i++)); do
    before_r+=("$(cpu_ms "${redis_pids[$i]}")"); before_n+=("$(cpu_ms "${node_pids[$i]}")")
  done
  for ((i = 0; i < shards; i++)); do
    BATCH=$per wrk -t1 -c"$per_shard" -d"${seconds}s" -s "$script" "http://127.0.0.1:${node_ports[$i]}" \
      > "$work/wrk-$i.out" 2>&1 &
    outs+=($!)
  done
  wait "${outs[@]}"
  local total=0 line
  for ((i = 0; i < shards; i++)); do
    local rps; rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$i.out")
    local errors; errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk-$i.out"); errors=${errors:-0}
    local msgs; msgs=$(awk -v r="$rps" -v p="$per" 'BEGIN {printf "%d", r * p}')
    local rc=$(( $(cpu_ms "${redis_pids[$i]}") - before_r[i] )) nc=$(( $(cpu_ms "${node_pids[$i]}") - before_n[i] ))
    local latency; latency=$(awk '/Latency/ {print $2; exit}' "$work/wrk-$i.out")
    line=$(awk -v m="$msgs" -v s="$seconds" -v rc="$rc" -v nc="$nc" \
      'BEGIN {n = m * s; printf "redis %4.1f us/msg (%3.0f%% of a core), herald %5.1f us/msg", rc*1000/n, rc/s/10, nc*1000/n}')
    printf '  %-26s shard %d: %7d msg/s, mean latency %7s, non-2xx %s; %s\n' "$name" "$i" "$msgs" "$latency" \
      "$errors" "$line"
    total=$((total + msgs))
  done
  printf '  %-26s all shards: %7d msg/s\n' "$name" "$total"
}

echo "Herald cluster mode, $shards shard(s) (a Redis and a Herald node each), appendfsync $fsync, $(nproc) cores:"
run "warm-up" bench/publish.lua 64 1 > /dev/null
run "1 message per request" bench/publish.lua 64 1
run "100 messages per request" bench/publish-batch.lua 16 100
for ((i = 0; i < shards; i++)); do
  mem=$(redis-cli -p "${redis_ports[$i]}" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
  kept=$(redis-cli -p "${redis_ports[$i]}" xlen 'herald:{0}:log' | tr -d '\r')
  awk -v m="$mem" -v k="$kept" -v i="$i" \
    'BEGIN {printf "  memory, shard %d: %d messages kept (100 topics x retention.count 1000), %.0f bytes each\n", i, k, m / k}'
done
