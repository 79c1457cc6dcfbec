#!/usr/bin/env bash
# HTTP proxy throughput: regd against nginx and haproxy as reverse proxies in
# front of one shared backend (nginx answering "ok\n"), all on 127.0.0.1.
# For each worker count W, each proxy in turn runs alone with W workers while
# wrk drives it; the script reports requests/s, p99 latency, the proxy's
# CPU time per request (utime+stime of all its processes, from /proc) and its
# resident memory once started, before any request (VmRSS of all its
# processes). regd runs twice: as is, and as regd_enforced with a rate limit
# that is never hit and a circuit breaker on its route (stats are always on).
#
#   tests/bench/proxy_vs_nginx.sh [path/to/regd]
#
# Environment: WORKER_COUNTS (default "1 2"), DURATION (wrk -d, default 10s),
# CONNECTIONS (wrk -c, default 50), WRK_THREADS (wrk -t, default 2),
# WARMUP (wrk -d before measuring, default 2s), ROUNDS (default 1: with more,
# the servers take turns round after round and the tables show medians, which
# a shared, noisy machine needs), PIN_OTHERS (default 0: nginx and HAProxy run
# with their defaults, which leave their workers unpinned while regd's default
# pins two or more; 1: they pin theirs, a single worker included, nginx with
# `worker_cpu_affinity auto`, HAProxy with `cpu-map auto`).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
regd_binary=${1:-$script_dir/../../build-bench/daemon/regd}
worker_counts=${WORKER_COUNTS:-"1 2"}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-50}
wrk_threads=${WRK_THREADS:-2}
warmup=${WARMUP:-2s}
rounds=${ROUNDS:-1}
pin_others=${PIN_OTHERS:-0}
# Every proxy routes this Host, so all three do the same matching work.
virtual_host=bench.example
clock_ticks=$(getconf CLK_TCK)

for tool in wrk nginx haproxy curl nc python3; do
  command -v "$tool" >/dev/null || { echo "proxy_vs_nginx: $tool is not installed" >&2; exit 1; }
done
[[ -x $regd_binary ]] || { echo "proxy_vs_nginx: no regd at $regd_binary (build it or pass its path)" >&2; exit 1; }

bench_name=proxy_vs_nginx
# shellcheck source=tests/bench/bench_processes.sh
source "$script_dir/bench_processes.sh"

stop_process() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=() other
  for other in "${started_pids[@]}"; do [[ $other == "$pid" ]] || kept+=("$other"); done
  started_pids=("${kept[@]+"${kept[@]}"}")
}

# "utime stime" in clock ticks of a process and its direct children (nginx's
# master and workers; haproxy and regd are one process with threads, whose
# times /proc/PID/stat already sums).
cpu_ticks() {
  local root=$1 user=0 system=0 pid fields
  for pid in "$root" $(pgrep -P "$root" || true); do
    # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    user=$((user + $(awk '{print $12}' <<<"$fields")))
    system=$((system + $(awk '{print $13}' <<<"$fields")))
  done
  echo "$user $system"
}

# wrk's latency text ("812.00us", "1.23ms", "1.02s") in milliseconds.
to_milliseconds() {
  awk -v value="$1" 'BEGIN {
    if (value ~ /us$/) printf "%.3f", value / 1000
    else if (value ~ /ms$/) printf "%.3f", value + 0
    else if (value ~ /m$/) printf "%.3f", value * 60000
    else printf "%.3f", value * 1000
  }'
}

# Resident memory of a process and its direct children, in MB.
rss_mb() {
  local root=$1 kilobytes=0 pid
  for pid in "$root" $(pgrep -P "$root" || true); do
    kilobytes=$((kilobytes + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  awk -v kb="$kilobytes" 'BEGIN {printf "%.1f", kb / 1024}'
}

# Clock ticks $1 spread over $2 requests, in microseconds per request.
per_request_us() {
  awk -v ticks="$1" -v hz="$clock_ticks" -v requests="$2" 'BEGIN {printf "%.2f", ticks / hz / requests * 1e6}'
}

start_ok_backend

# Starts a server in the background from server_command and sets server_pid.
launch() {
  local log=$1
  "${server_command[@]}" >"$log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
}

# Each start_* writes the server's config, sets server_command and
# server_port, launches it and waits until it accepts connections.

start_regd() {
  local workers=$1 enforced=${2:-} control_port admin_port session control
  server_port=$(free_port)
  control_port=$(free_port)
  admin_port=$(free_port)
  # A state directory of its own, empty at each start: the default one may be
  # locked by another regd, and sessions of an earlier run must not come back.
  rm -rf "$workdir/regd-state"
  # An empty configuration file: an installed /etc/regd/regd.conf (an access
  # log, other limits) must not change what is measured.
  : >"$workdir/empty.conf"
  server_command=("$regd_binary" --config "$workdir/empty.conf" --control "127.0.0.1:$control_port"
    --listen "127.0.0.1:$server_port"
    --admin "127.0.0.1:$admin_port" --workers "$workers" --log-level warn --state-dir "$workdir/regd-state")
  launch "$workdir/regd.log"
  wait_for_port "$control_port"

  exec {control}<>"/dev/tcp/127.0.0.1/$control_port"
  control_request "$control" 'REGISTER|bench|proxy|0|{"lease":"persistent"}' 'ACK|'
  session=${reply#ACK|}
  control_request "$control" "ROUTE_ADD|$session|$virtual_host|/|http://127.0.0.1:$backend_port|0" 'ROUTE_OK|'
  if [[ -n $enforced ]]; then
    # wrk's few client addresses never reach a billion requests a second.
    control_request "$control" "RATELIMIT_SET|$session|ALL|1000000000|1s" 'RATELIMIT_OK'
    control_request "$control" "CIRCUIT_BREAKER_SET|$session|ALL|5|30s|2" 'CIRCUIT_OK'
  fi
  control_request "$control" "CONFIG_APPLY|$session" 'OK'
  exec {control}>&-
  wait_for_port "$server_port"
}

start_regd_enforced() { start_regd "$1" enforced; }

start_nginx() {
  local workers=$1
  server_port=$(free_port)
  local affinity=""
  [[ $pin_others == 1 ]] && affinity=" worker_cpu_affinity auto;"
  write_nginx_proxy_conf "worker_processes $workers;$affinity"
  server_command=(nginx -p "$workdir" -e "$workdir/nginx-proxy.error.log" -c "$workdir/nginx-proxy.conf")
  launch "$workdir/nginx-proxy.log"
  wait_for_port "$server_port"
}

start_haproxy() {
  local workers=$1
  server_port=$(free_port)
  local affinity=""
  [[ $pin_others == 1 ]] && affinity="cpu-map auto:1/1-$workers 0-$((workers - 1))"
  cat >"$workdir/haproxy.cfg" <<EOF
global
  nbthread $workers
  $affinity
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
  # The headers regd adds (PROTOCOL.md §8), so both do the same work.
  option forwardfor
frontend proxy
  bind 127.0.0.1:$server_port
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Real-IP %[src]
  default_backend backend
backend backend
  server ok 127.0.0.1:$backend_port
EOF
  server_command=(haproxy -db -f "$workdir/haproxy.cfg")
  launch "$workdir/haproxy.log"
  wait_for_port "$server_port"
}

# server,W -> the figures of every round, space-separated.
declare -A requests_per_second p99_ms cpu_us_per_request user_us_per_request idle_rss_mb
servers="regd regd_enforced nginx haproxy"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for workers in $worker_counts; do
    for server in $servers; do
      "start_$server" "$workers"
      idle_rss=$(rss_mb "$server_pid")
      url="http://127.0.0.1:$server_port/"
      answer=$(curl -s --max-time 5 -H "Host: $virtual_host" "$url")
      [[ $answer == ok ]] || { echo "proxy_vs_nginx: $server answered \"$answer\" instead of ok" >&2; exit 1; }

      wrk -t"$wrk_threads" -c"$connections" -d"$warmup" -H "Host: $virtual_host" "$url" >/dev/null
      wrk_command="wrk -t$wrk_threads -c$connections -d$duration --latency -H 'Host: $virtual_host' $url"
      read -r user_before system_before < <(cpu_ticks "$server_pid")
      wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -H "Host: $virtual_host" "$url" \
        >"$workdir/wrk.out"
      read -r user_after system_after < <(cpu_ticks "$server_pid")

      total_requests=$(awk '/requests in/ {print $1}' "$workdir/wrk.out")
      rate=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$workdir/wrk.out")
      p99=$(to_milliseconds "$(awk '$1 == "99%" {print $2}' "$workdir/wrk.out")")
      errors=$(awk '/Non-2xx|Socket errors/' "$workdir/wrk.out")
      cpu_us=$(per_request_us $((user_after + system_after - user_before - system_before)) "$total_requests")
      user_us=$(per_request_us $((user_after - user_before)) "$total_requests")

      echo "== round $round, $server, $workers worker(s): ${server_command[*]}"
      echo "   $wrk_command"
      echo "   $total_requests requests, $rate req/s, p99 $p99 ms, $cpu_us us CPU/request ($user_us user), idle RSS $idle_rss MB${errors:+; $errors}"
      requests_per_second[$server,$workers]+=" $rate"
      p99_ms[$server,$workers]+=" $p99"
      cpu_us_per_request[$server,$workers]+=" $cpu_us"
      user_us_per_request[$server,$workers]+=" $user_us"
      idle_rss_mb[$server,$workers]+=" $idle_rss"
      stop_process "$server_pid"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR] = $1} END {printf "%.10g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for key in "${!requests_per_second[@]}"; do
  requests_per_second[$key]=$(median "${requests_per_second[$key]}")
  p99_ms[$key]=$(median "${p99_ms[$key]}")
  cpu_us_per_request[$key]=$(median "${cpu_us_per_request[$key]}")
  user_us_per_request[$key]=$(median "${user_us_per_request[$key]}")
  idle_rss_mb[$key]=$(median "${idle_rss_mb[$key]}")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo
printf 'backend: nginx, 1 worker, return 200 "ok\\n" on 127.0.0.1:%s; machine: %s cores; ' "$backend_port" "$(nproc)"
echo "median of $rounds round(s) of wrk -t$wrk_threads -c$connections -d$duration --latency;" \
  "nginx and HAProxy workers $([[ $pin_others == 1 ]] && echo pinned || echo unpinned)"
echo
echo "| W | server | requests/s | p99 (ms) | CPU per request (us) | of which user (us) | idle RSS (MB) |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for workers in $worker_counts; do
  for server in $servers; do
    echo "| $workers | $server | ${requests_per_second[$server,$workers]} | ${p99_ms[$server,$workers]} | ${cpu_us_per_request[$server,$workers]} | ${user_us_per_request[$server,$workers]} | ${idle_rss_mb[$server,$workers]} |"
  done
done
echo
echo "| W | regd/nginx req/s | regd/haproxy req/s | regd/nginx p99 | regd/haproxy p99 | regd/nginx CPU/req | regd/haproxy CPU/req |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for workers in $worker_counts; do
  row="| $workers"
  for metric in requests_per_second p99_ms cpu_us_per_request; do
    declare -n values=$metric
    row+=" | $(ratio "${values[regd,$workers]}" "${values[nginx,$workers]}")"
    row+=" | $(ratio "${values[regd,$workers]}" "${values[haproxy,$workers]}")"
    unset -n values
  done
  echo "$row |"
done
echo
echo "| W | regd_enforced/regd req/s | regd_enforced/regd CPU/req |"
echo "|---:|---:|---:|"
for workers in $worker_counts; do
  echo "| $workers | $(ratio "${requests_per_second[regd_enforced,$workers]}" "${requests_per_second[regd,$workers]}") | $(ratio "${cpu_us_per_request[regd_enforced,$workers]}" "${cpu_us_per_request[regd,$workers]}") |"
done
