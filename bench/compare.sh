#!/usr/bin/env bash
# Herald side by side with nchan and Pushpin, on this machine, one server at a time: the same scenarios
# (a)-(g) of issue 7, driven by the same load generator (herald bench), then one table with Herald's
# ratio to each peer, printed and written into docs/performance.md (between its compare.sh markers).
#
#   bench/compare.sh                         the comparison, at the issue's sizes (about half an hour)
#   bench/compare.sh --quick                 a smoke run at small sizes, to check the wiring
#   bench/compare.sh --servers herald,nchan --scenarios a,g --a-subscribers 5000
#
# Options:
#   --servers LIST      herald,nchan,pushpin (default: all three)
#   --scenarios LIST    a,b,c,d,e,f,g (default: all)
#   --quick             small sizes (each still overridable below)
#   --SIZE VALUE        one of the sizes listed by --help-sizes, e.g. --a-subscribers 10000
#   --no-docs           print the table, leave docs/performance.md alone
#   --no-install        do not install missing packages
# Each server is started fresh for each scenario (its memory and CPU measured from idle) on loopback:
# Herald on 127.0.0.1:18080 (bench/herald.yml, durable store on), nginx+nchan on 127.0.0.1:18081
# (bench/nchan.conf), Pushpin on 127.0.0.1:7999 with its control API on 127.0.0.1:5561
# (bench/pushpin/) in front of the bench's GRIP origin on 127.0.0.1:5580. Results (one JSON summary per
# server and scenario, the servers' logs) go to bench/results/<date>/, which git ignores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# One process may open 20,000 files here: raise the soft limit to that, for the servers and the bench.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

declare -A size=(
  [a-subscribers]=10000 [a-rate]=10 [a-seconds]=20
  [b-topics]=1000 [b-per-topic]=10 [b-rate]=1000 [b-seconds]=20
  [c-subscribers]=19000 [c-seconds]=30
  [d-seconds]=10 [d-connections]=128 [d-batch]=100
  [e-messages]=100000
  [g-subscribers]=10000 [g-seconds]=10 [g-rates]=10,20,50,100,200,500,1000,2000,5000,10000 [g-p99-ms]=100
  [ramp]=2000 [settle]=2 [drain]=15 [warmup]=5
)
declare -A quick=(
  [a-subscribers]=1000 [a-seconds]=10
  [b-topics]=50 [b-per-topic]=4 [b-rate]=100 [b-seconds]=5
  [c-subscribers]=2000 [c-seconds]=5
  [d-seconds]=3
  [e-messages]=2000
  [g-subscribers]=500 [g-seconds]=3 [g-rates]=10,100
  [settle]=1 [drain]=5 [warmup]=2
)

servers=herald,nchan,pushpin
scenarios=a,b,c,d,e,f,g
mode=comparison
docs=1
install=1
declare -A overrides=()
while (( $# > 0 )); do
  case "$1" in
    --servers) servers="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --quick) mode=quick; shift ;;
    --no-docs) docs=0; shift ;;
    --no-install) install=0; shift ;;
    --help-sizes) for k in $(printf '%s\n' "${!size[@]}" | sort); do
                    printf '  --%-16s %-22s (quick: %s)\n' "$k" "${size[$k]}" "${quick[$k]:-same}"
                  done; exit 0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) key="${1#--}"
         if [[ -z "${size[$key]+set}" || $# -lt 2 ]]; then
           echo "compare: unknown option $1 (see --help and --help-sizes)" >&2; exit 2
         fi
         overrides[$key]="$2"; shift 2 ;;
    *) echo "compare: unexpected argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $mode == quick ]]; then
  for k in "${!quick[@]}"; do size[$k]="${quick[$k]}"; done
fi
for k in "${!overrides[@]}"; do size[$k]="${overrides[$k]}"; done
has() { [[ ",$1," == *",$2,"* ]]; }

as_root() {
  if (( EUID == 0 )); then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "compare: need root or sudo to run: $*" >&2; return 1
  fi
}

# Debian's packages, if missing. Their install scripts would start system services (nginx, pushpin, zurl):
# a policy-rc.d that refuses keeps them stopped; this script runs its own instances.
install_missing() {
  local missing=()
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  if has "$servers" nchan; then
    command -v nginx >/dev/null || missing+=(nginx)
    [[ -f /usr/lib/nginx/modules/ngx_nchan_module.so ]] || missing+=(libnginx-mod-nchan)
  fi
  if has "$servers" pushpin; then
    command -v pushpin >/dev/null || missing+=(pushpin)
  fi
  (( ${#missing[@]} > 0 )) || return 0
  echo "compare: installing ${missing[*]}" >&2
  local policy=/usr/sbin/policy-rc.d made=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && made=1
  fi
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  (( made == 0 )) || as_root rm -f "$policy"
}
(( install == 0 )) || install_missing

stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
results="$root/bench/results/$stamp"
mkdir -p "$results"
[[ -f $root/bench/results/.gitignore ]] || printf '*\n' > "$root/bench/results/.gitignore"
run="$(mktemp -d /tmp/herald-compare.XXXXXX)"

# Build once, then run from a copy, so that a rebuild in this tree during the run changes nothing.
"$root/herald" bench --version >/dev/null
mkdir -p "$run/server" "$run/bench"
cp -r "$root/herald-server/target/herald.jar" "$root/herald-server/target/lib" "$run/server/"
cp -r "$root/herald-bench/target/herald-bench.jar" "$root/herald-bench/target/lib" "$run/bench/"
bench=(java ${HERALD_BENCH_JAVA_OPTS:-} -jar "$run/bench/herald-bench.jar")

server_pid=
origin_pid=
stop_server() {
  for pid in $server_pid $origin_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $server_pid $origin_pid; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  server_pid=
  origin_pid=
}
trap 'stop_server; rm -rf "$run"' EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 300); do
    port_open "$1" && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "compare: the server exited; see $results" >&2; return 1; }
    sleep 0.1
  done
  echo "compare: nothing listens on 127.0.0.1:$1 after 30 s; see $results" >&2
  return 1
}
ensure_free() {
  for port in "$@"; do
    if port_open "$port"; then
      echo "compare: 127.0.0.1:$port is taken by another process; stop it first" >&2
      exit 1
    fi
  done
}

# start_SERVER LABEL: starts it fresh and sets server_pid (the process whose tree is measured).
start_herald() {
  ensure_free 18080
  HERALD_DEMO_CLOCK=false HERALD_DEMO_CHAT=false HERALD_DEMO_PLANT=false \
    java ${HERALD_SERVER_JAVA_OPTS:-} -jar "$run/server/herald.jar" serve --config "$root/bench/herald.yml" \
    --data-dir "$run/herald-data-$1" >"$results/herald-$1.log" 2>&1 &
  server_pid=$!
  wait_port 18080
}
start_nchan() {
  ensure_free 18081
  local dir="$run/nginx-$1"
  mkdir -p "$dir"
  sed -e "s#@RUN@#$dir#g" -e "s#@PORT@#18081#g" "$root/bench/nchan.conf" >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' >"$results/nchan-$1.log" 2>&1 &
  server_pid=$!
  wait_port 18081
}
start_pushpin() {
  ensure_free 7999 5561 5580
  local dir="$run/pushpin-$1"
  mkdir -p "$dir/log"
  for f in pushpin.conf routes; do
    sed -e "s#@RUN@#$dir#g" -e "s#@PORT@#7999#g" -e "s#@PUBLISH_PORT@#5561#g" -e "s#@ORIGIN_PORT@#5580#g" \
      "$root/bench/pushpin/$f" >"$dir/$f"
  done
  "${bench[@]}" grip-origin --port 5580 >"$results/pushpin-origin-$1.log" 2>&1 &
  origin_pid=$!
  pushpin --config "$dir/pushpin.conf" >"$results/pushpin-$1.log" 2>&1 &
  server_pid=$!
  wait_port 5580
  wait_port 7999
  wait_port 5561
}

# How the bench drives each server: where to subscribe and publish, in its own API.
pushpin_item='{"channel":"{topic}","formats":{"http-stream":{"content":"event: message\ndata: {data}\n\n"}}}'
server_args() {
  case "$1" in
    herald) echo --server-name herald --base http://127.0.0.1:18080 ;;
    nchan) echo --server-name nchan --base http://127.0.0.1:18081 ;;
    pushpin) echo --server-name pushpin --base http://127.0.0.1:7999 ;;
  esac
}
publish_args() {  # publish_args SERVER BATCH
  case "$1" in
    herald) if (( $2 > 1 )); then args+=(--batch "$2"); fi ;;
    nchan) args+=(--publish-url '/pub?id={topic}' --publish-body '{data}' --publish-header 'Content-Type: text/plain') ;;
    pushpin) args+=(--publish-url http://127.0.0.1:5561/publish/)
             if (( $2 > 1 )); then
               args+=(--batch "$2" --batch-open '{"items":[' --batch-close ']}' --publish-body "$pushpin_item")
             else
               args+=(--publish-body "{\"items\":[$pushpin_item]}")
             fi ;;
  esac
}
subscribe_args() {  # subscribe_args SERVER [oldest]
  case "$1" in
    nchan) if [[ ${2:-} == oldest ]]; then args+=(--subscribe-url '/sub-oldest/{topic}')
           else args+=(--subscribe-url '/sub/{topic}'); fi ;;
    pushpin) args+=(--subscribe-url '/sub/{topic}') ;;
  esac
}

skipped=()
# bench_run SERVER FILE-LABEL ARGS...: one bench run against the running server; its summary to FILE-LABEL.json.
bench_run() {
  local server="$1" file="$2"
  shift 2
  echo "compare: $server $file: herald bench $*" >&2
  "${bench[@]}" $(server_args "$server") --server-pid "$server_pid" --ramp "${size[ramp]}" \
    --settle "${size[settle]}" --drain "${size[drain]}" --topic-prefix "$file" "$@" \
    >"$results/$server-$file.json" 2>>"$results/bench-$server-$file.log" \
    || echo "compare: $server $file: the bench exited with $? (see $results/bench-$server-$file.log)" >&2
}

# warm SERVER FILE-LABEL ARGS...: the same load for a few seconds (a tenth of the messages, for a catch-up) on
# topics of its own, not measured: no server, and not the bench, is measured before its JIT or caches warmed up.
warm() {
  local server="$1" file="$2"
  shift 2
  (( ${size[warmup]} > 0 )) || return 0
  local kept=() catch_up=0
  while (( $# > 0 )); do
    case "$1" in
      -d|--messages) shift 2 ;;
      --catch-up) catch_up=1; kept+=("$1"); shift ;;
      *) kept+=("$1"); shift ;;
    esac
  done
  (( catch_up == 0 )) || kept+=(--messages $(( ${size[e-messages]} / 10 )))
  echo "compare: $server $file: warming up for ${size[warmup]} s" >&2
  "${bench[@]}" $(server_args "$server") --ramp "${size[ramp]}" --settle 0.5 --drain 2 --progress off \
    --topic-prefix "warm-$file" "${kept[@]}" -d "${size[warmup]}" \
    >/dev/null 2>>"$results/warmup-$server-$file.log" \
    || echo "compare: $server $file: the warm-up exited with $? (see $results/warmup-$server-$file.log)" >&2
}

# scenario_X SERVER: runs scenario X against a fresh SERVER (c measures memory from idle: no warm-up there).
scenario_a() {
  local args=(--label a -n "${size[a-subscribers]}" --rate "${size[a-rate]}" -d "${size[a-seconds]}")
  subscribe_args "$1"; publish_args "$1" 1
  start_"$1" a; warm "$1" a "${args[@]}"; bench_run "$1" a "${args[@]}"; stop_server
}
scenario_b() {
  local n=$(( ${size[b-topics]} * ${size[b-per-topic]} ))
  local args=(--label b -n "$n" --topics "${size[b-topics]}" --rate "${size[b-rate]}" -d "${size[b-seconds]}"
    --publishers 8)
  subscribe_args "$1"; publish_args "$1" 1
  start_"$1" b; warm "$1" b "${args[@]}"; bench_run "$1" b "${args[@]}"; stop_server
}
scenario_c() {
  local args=(--label c -n "${size[c-subscribers]}" --rate 1 -d "${size[c-seconds]}")
  subscribe_args "$1"; publish_args "$1" 1
  start_"$1" c; bench_run "$1" c "${args[@]}"; stop_server
}
scenario_d() {
  local args=(--label d1 -n 0 --rate 0 -d "${size[d-seconds]}" --topics "${size[d-connections]}"
    --publishers "${size[d-connections]}")
  publish_args "$1" 1
  start_"$1" d1; warm "$1" d1 "${args[@]}"; bench_run "$1" d1 "${args[@]}"; stop_server
  if [[ $1 == nchan ]]; then
    skipped+=("d2 (batches) on nchan: its publisher takes one message per request")
    return
  fi
  args=(--label d2 -n 0 --rate 0 -d "${size[d-seconds]}" --topics "${size[d-connections]}"
    --publishers "${size[d-connections]}")
  publish_args "$1" "${size[d-batch]}"
  start_"$1" d2; warm "$1" d2 "${args[@]}"; bench_run "$1" d2 "${args[@]}"; stop_server
}
scenario_e() {
  if [[ $1 == pushpin ]]; then
    skipped+=("e (catch-up) on pushpin: it keeps no history to resume from")
    return
  fi
  # The missed messages are published as fast as each server takes them (Herald in batches of 1,000,
  # nchan over a pipelined connection): the scenario measures the catch-up, not the publishing.
  local args=(--label e -n 1 --catch-up --rate 0 --messages "${size[e-messages]}" -d 300)
  subscribe_args "$1" oldest
  case "$1" in
    herald) publish_args herald 1000 ;;
    nchan) publish_args nchan 1; args+=(--pipeline 16) ;;
  esac
  start_"$1" e; warm "$1" e "${args[@]}"; bench_run "$1" e "${args[@]}"; stop_server
}
scenario_f() {
  if [[ $1 == pushpin ]]; then
    skipped+=("f (long polling) on pushpin: it keeps no history, so a poller misses what is published between its polls")
    return
  fi
  local args=(--label f -t poll -n "${size[a-subscribers]}" --rate "${size[a-rate]}" -d "${size[a-seconds]}")
  if [[ $1 == nchan ]]; then
    args+=(--poll-protocol conditional)   # nchan's long polling: If-Modified-Since and If-None-Match
  fi
  subscribe_args "$1"; publish_args "$1" 1
  start_"$1" f; warm "$1" f "${args[@]}"; bench_run "$1" f "${args[@]}"; stop_server
}
scenario_g() {
  # The rate doubles (about) until p99 passes the bound or a message is lost; the table takes the highest
  # clean rate. One fresh server for the whole search, subscribers reconnected at each step.
  start_"$1" g
  local args=(--label g -n "${size[g-subscribers]}" --rate 100)
  subscribe_args "$1"; publish_args "$1" 1
  warm "$1" g "${args[@]}"
  local rate
  for rate in ${size[g-rates]//,/ }; do
    local args=(--label g -n "${size[g-subscribers]}" --rate "$rate" -d "${size[g-seconds]}")
    subscribe_args "$1"; publish_args "$1" 1
    bench_run "$1" "g-$rate" "${args[@]}"
    local f="$results/$1-g-$rate.json"
    if ! jq -e --argjson bound "${size[g-p99-ms]}" \
        '.latency.p99Ms <= $bound and .delivery.lost == 0 and .publish.failed == 0 and .publish.skipped == 0' \
        "$f" >/dev/null 2>&1; then
      break
    fi
  done
  stop_server
}

for server in ${servers//,/ }; do
  for s in ${scenarios//,/ }; do
    "scenario_$s" "$server"
  done
done

summaries=()
for f in "$results"/*.json; do
  [[ -s $f ]] && summaries+=("$f")
done
if (( ${#summaries[@]} == 0 )); then
  echo "compare: no run produced a summary; see $results" >&2
  exit 1
fi
"${bench[@]}" table --p99-bound-ms "${size[g-p99-ms]}" "${summaries[@]}" >"$results/table.md"

versions() {
  echo "- Herald: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown), $(java -version 2>&1 | head -1)"
  has "$servers" nchan && echo "- nchan: Debian libnginx-mod-nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null), nginx $(dpkg-query -W -f='${Version}' nginx 2>/dev/null)"
  has "$servers" pushpin && echo "- Pushpin: Debian pushpin $(dpkg-query -W -f='${Version}' pushpin 2>/dev/null), condure $(dpkg-query -W -f='${Version}' condure 2>/dev/null)"
  return 0
}
{
  if [[ $mode == quick ]]; then
    echo "## Latest run: a smoke run (--quick), not the comparison"
    echo
    echo "Small sizes, to check the wiring; these numbers say nothing about the targets."
  else
    echo "## Latest run: the comparison"
  fi
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Command: \`bench/compare.sh --servers $servers --scenarios $scenarios$([[ $mode == quick ]] && echo ' --quick')$(for k in "${!overrides[@]}"; do printf ' --%s %s' "$k" "${overrides[$k]}"; done)\`"
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r); load generator on the same cores"
  versions
  echo "- Sizes: $(for k in $(printf '%s\n' "${!size[@]}" | sort); do printf '%s=%s ' "$k" "${size[$k]}"; done)"
  echo
  cat "$results/table.md"
  if (( ${#skipped[@]} > 0 )); then
    echo
    echo "Not run:"
    for s in "${skipped[@]}"; do echo "- $s"; done
  fi
} >"$results/report.md"
cat "$results/report.md"

if (( docs == 1 )); then
  doc="$root/docs/performance.md"
  if [[ ! -f $doc ]] || ! grep -q '<!-- compare.sh:begin -->' "$doc"; then
    mkdir -p "$root/docs"
    printf '# Performance\n\n<!-- compare.sh:begin -->\n<!-- compare.sh:end -->\n' >>"$doc"
  fi
  # Only the part between the markers is the script's; the rest of the page is written by hand.
  awk -v report="$results/report.md" '
    /<!-- compare.sh:begin -->/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
    /<!-- compare.sh:end -->/ { skip = 0 }
    !skip { print }
  ' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
  echo "compare: wrote $doc" >&2
fi
