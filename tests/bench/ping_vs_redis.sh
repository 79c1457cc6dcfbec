#!/usr/bin/env bash
# Pipelined PING throughput of regd's control port next to redis-server's, on
# one connection each: ping_pipeline against both, and redis-benchmark
# against redis. Skips redis (and says so) when redis-server is not installed.
#
#   tests/bench/ping_vs_redis.sh [path/to/ping_pipeline]
#
# Environment: SECONDS_PER_RUN (ping_pipeline --seconds, default 5).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ping_pipeline=${1:-$script_dir/../../build-bench/tests/bench/ping_pipeline}
seconds=${SECONDS_PER_RUN:-5}
[[ -x $ping_pipeline ]] || { echo "ping_vs_redis: no ping_pipeline at $ping_pipeline (build it or pass its path)" >&2; exit 1; }

workdir=$(mktemp -d /tmp/ping_vs_redis.XXXXXX)
redis_pid=
cleanup() {
  if [[ -n $redis_pid ]]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

replies_per_second() { awk '/^replies:/ {print $(NF - 1)}' "$1"; }

echo "\$ $ping_pipeline --seconds $seconds"
"$ping_pipeline" --seconds "$seconds" | tee "$workdir/regd.out"
regd_rate=$(replies_per_second "$workdir/regd.out")

if ! command -v redis-server >/dev/null; then
  echo
  echo "redis-server is not installed: no comparison (apt-get install -y redis-server)"
  echo
  echo "| server | client | replies/s |"
  echo "|---|---|---:|"
  echo "| regd | ping_pipeline | $regd_rate |"
  exit 0
fi

redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
  --dir "$workdir" >"$workdir/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
  nc -z 127.0.0.1 "$redis_port" 2>/dev/null && break
  sleep 0.05
done

echo
echo "\$ $ping_pipeline --port $redis_port --reply +PONG --seconds $seconds"
"$ping_pipeline" --port "$redis_port" --reply +PONG --seconds "$seconds" | tee "$workdir/redis.out"
redis_rate=$(replies_per_second "$workdir/redis.out")

benchmark_command=(redis-benchmark -h 127.0.0.1 -p "$redis_port" -P 1000 -t ping_inline -c 1 -n 5000000 -q)
echo
echo "\$ ${benchmark_command[*]}"
# -q still redraws a progress line with CR; the last segment is the result.
timeout 120 "${benchmark_command[@]}" | tr '\r' '\n' | grep -v '^$' | tail -1 | tee "$workdir/redis-benchmark.out"
benchmark_rate=$(awk '{for (i = 1; i < NF; ++i) if ($(i + 1) == "requests") print $i}' "$workdir/redis-benchmark.out")

echo
echo "$(redis-server --version | cut -d' ' -f1-3); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | client | replies/s | regd/redis |"
echo "|---|---|---:|---:|"
echo "| regd | ping_pipeline | $regd_rate | |"
echo "| redis | ping_pipeline | $redis_rate | $(awk -v a="$regd_rate" -v b="$redis_rate" 'BEGIN {printf "%.2f", a / b}') |"
echo "| redis | redis-benchmark -P 1000 -c 1 | $benchmark_rate | $(awk -v a="$regd_rate" -v b="$benchmark_rate" 'BEGIN {printf "%.2f", a / b}') |"
