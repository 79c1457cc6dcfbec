# Sourced by the shell benchmarks: a scratch directory and the processes a
# benchmark starts, all removed or stopped on exit, the nginx backend
# answering "ok\n" that the proxy benchmarks put every proxy in front of,
# regd's control requests and nginx's configuration as one of the proxies.
# The sourcing script sets bench_name first (for messages and the directory).

workdir=$(mktemp -d "/tmp/$bench_name.XXXXXX")
started_pids=()

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT [SECONDS, default 5]
wait_for_port() {
  local port=$1 seconds=${2:-5}
  for _ in $(seq $((seconds * 20))); do
    nc -z 127.0.0.1 "$port" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "$bench_name: nothing listens on 127.0.0.1:$port after $seconds s" >&2
  return 1
}

# Sends one regd control line on file descriptor $1 and sets `reply`; fails
# unless the reply starts with $3. 30 s: regd may be under callgrind.
control_request() {
  local control=$1 line=$2 expected=$3
  printf '%s\n' "$line" >&"$control"
  IFS= read -r -t 30 reply <&"$control"
  [[ $reply == "$expected"* ]] || { echo "$bench_name: $line answered $reply" >&2; return 1; }
}

# Starts the backend on a free port and sets backend_port.
start_ok_backend() {
  backend_port=$(free_port)
  cat >"$workdir/backend.conf" <<CONF
worker_processes 1;
daemon off;
pid $workdir/backend.pid;
error_log $workdir/backend.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$backend_port;
    # Proxies hold their upstream connections open for the whole run.
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    location / { default_type text/plain; return 200 "ok\n"; }
  }
}
CONF
  nginx -p "$workdir" -e "$workdir/backend.error.log" -c "$workdir/backend.conf" &
  started_pids+=($!)
  wait_for_port "$backend_port"
}

# write_nginx_proxy_conf PROCESS_LINE: $workdir/nginx-proxy.conf, nginx as a
# reverse proxy on $server_port for $virtual_host in front of the backend.
# PROCESS_LINE says how nginx runs ("worker_processes 2;", "master_process off;").
write_nginx_proxy_conf() {
  local process_line=$1
  cat >"$workdir/nginx-proxy.conf" <<CONF
$process_line
daemon off;
pid $workdir/nginx-proxy.pid;
error_log $workdir/nginx-proxy.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend {
    server 127.0.0.1:$backend_port;
    keepalive 128;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$server_port;
    server_name $virtual_host;
    keepalive_requests 100000000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # The headers regd adds (PROTOCOL.md §8), so both do the same work.
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
CONF
}
