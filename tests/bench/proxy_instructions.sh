#!/usr/bin/env bash
# User-space instructions per proxied request, counted by callgrind: regd
# (--workers 1) and nginx (one process) as reverse proxies in front of one
# backend (nginx answering "ok\n"), all on 127.0.0.1, driven by wrk. Unlike
# CPU time, the count does not move with the load of a shared machine, so it
# can tell apart changes of a few percent to the proxy's own code; it says
# nothing about kernel time (system calls), which proxy_vs_nginx.sh measures.
# Only the proxied requests are counted: callgrind's instrumentation is
# switched on after start-up and a warm-up, and off before shutdown.
#
#   tests/bench/proxy_instructions.sh [path/to/regd]
#
# Environment: DURATION (wrk -d of the counted run, default 5s), CONNECTIONS
# (wrk -c, default 10), SERVERS (default "regd nginx"), REGD_FLAGS (more
# flags for regd, split at blanks: "--access-log /dev/null").
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
regd_binary=${1:-$script_dir/../../build/daemon/regd}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-10}
servers=${SERVERS:-"regd nginx"}
virtual_host=bench.example

for tool in wrk nginx valgrind callgrind_control callgrind_annotate nc python3; do
  command -v "$tool" >/dev/null || { echo "proxy_instructions: $tool is not installed" >&2; exit 1; }
done
[[ -x $regd_binary ]] || { echo "proxy_instructions: no regd at $regd_binary (build it or pass its path)" >&2; exit 1; }

bench_name=proxy_instructions
# shellcheck source=tests/bench/bench_processes.sh
source "$script_dir/bench_processes.sh"

start_ok_backend

# Each start_* launches its server under callgrind, with instrumentation
# off, and sets server_pid and server_port once it serves.
under_callgrind=(valgrind --tool=callgrind --instr-atstart=no)

start_regd() {
  local control_port admin_port control session
  server_port=$(free_port)
  control_port=$(free_port)
  admin_port=$(free_port)
  : >"$workdir/empty.conf"
  "${under_callgrind[@]}" --callgrind-out-file="$workdir/regd.callgrind" \
    "$regd_binary" --config "$workdir/empty.conf" --control "127.0.0.1:$control_port" \
    --listen "127.0.0.1:$server_port" --admin "127.0.0.1:$admin_port" --workers 1 --log-level warn \
    --state-dir "$workdir/regd-state" ${REGD_FLAGS:-} >"$workdir/regd.log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
  wait_for_port "$control_port" 30
  exec {control}<>"/dev/tcp/127.0.0.1/$control_port"
  control_request "$control" 'REGISTER|bench|proxy|0|{"lease":"persistent"}' 'ACK|'
  session=${reply#ACK|}
  control_request "$control" "ROUTE_ADD|$session|$virtual_host|/|http://127.0.0.1:$backend_port|0" 'ROUTE_OK|'
  control_request "$control" "CONFIG_APPLY|$session" 'OK'
  exec {control}>&-
  wait_for_port "$server_port" 30
}

start_nginx() {
  server_port=$(free_port)
  # proxy_vs_nginx.sh's nginx, as one process.
  write_nginx_proxy_conf "master_process off;"
  "${under_callgrind[@]}" --callgrind-out-file="$workdir/nginx.callgrind" \
    nginx -p "$workdir" -e "$workdir/nginx-proxy.error.log" -c "$workdir/nginx-proxy.conf" \
    >"$workdir/nginx.log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
  wait_for_port "$server_port" 30
}

declare -A per_request
for server in $servers; do
  "start_$server"
  url="http://127.0.0.1:$server_port/"
  wrk -t1 -c"$connections" -d2s -H "Host: $virtual_host" "$url" >/dev/null
  callgrind_control -i on "$server_pid" >/dev/null 2>&1
  wrk -t1 -c"$connections" -d"$duration" -H "Host: $virtual_host" "$url" >"$workdir/wrk.out"
  callgrind_control -i off "$server_pid" >/dev/null 2>&1
  requests=$(awk '/requests in/ {print $1}' "$workdir/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/' "$workdir/wrk.out")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  instructions=$(callgrind_annotate "$workdir/$server.callgrind"* 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  per_request[$server]=$((instructions / requests))
  echo "$server: $requests requests (wrk -t1 -c$connections -d$duration), $instructions instructions," \
    "${per_request[$server]} per request${errors:+; $errors}"
done
if [[ -n ${per_request[regd]:-} && -n ${per_request[nginx]:-} ]]; then
  awk -v r="${per_request[regd]}" -v n="${per_request[nginx]}" 'BEGIN {printf "regd/nginx: %.2f\n", r / n}'
fi
