#!/usr/bin/env bash
# What an admin does with the .deb, on this machine: apt-get install it, run
# the installed regd with the packaged configuration as the regd user, send a
# route through it, upgrade to a higher version (the edited configuration and
# the state stay; the access log the edit turns on goes to /var/log/regd), then
# purge (state, logs, configuration and user go). CI has no systemd running, so
# regd is started by hand with the unit's ExecStart= and unprivileged loopback
# ports on the command line. Whatever happens, the package is purged at the end.
#   install_deb.sh PACKAGE_DIR VERSION UPGRADE_VERSION
# Exit 77 (skipped) when not root, without apt-get, or when regd, /etc/regd,
# /var/lib/regd, /var/log/regd or /etc/logrotate.d/regd is already on the
# machine: the test would replace or delete it.
set -euo pipefail
package_dir=$1
version=$2
upgrade_version=$3
arch=$(dpkg --print-architecture)

skip() {
  echo "skipped: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
for tool in apt-get python3 curl setpriv flock; do
  command -v "$tool" >/dev/null || skip "$tool is missing (packaging/build-deps.sh --package installs it)"
done

[ -d "$package_dir" ] || skip "no $package_dir: build_packages.sh did not run"

# Two build trees on one machine (two worktrees, two ctest runs) take turns.
exec {lock_fd}>/tmp/regd-package-test.lock
flock --timeout 300 "$lock_fd" || {
  echo "FAIL: another package test has held /tmp/regd-package-test.lock for 5 minutes"
  exit 1
}

if status=$(dpkg-query -W -f='${db:Status-Status}' regd 2>/dev/null) && [ "$status" != not-installed ]; then
  skip "the regd package is on this machine ($status); this test would replace and purge it"
fi
for path in /etc/regd /var/lib/regd /var/log/regd /etc/logrotate.d/regd; do
  # An empty leftover (a regd once started as root without --state-dir)
  # holds nothing to lose.
  [ ! -d "$path" ] || rmdir "$path" 2>/dev/null || true
  [ ! -e "$path" ] || skip "$path exists without the regd package; this test would delete it"
done

work=$(mktemp -d /tmp/regd-package-test.XXXXXX)
chmod 755 "$work"  # apt-get reads the .deb files as its _apt user
regd_pid=
backend_pid=

cleanup() {
  local status=$?
  [ -z "$regd_pid" ] || kill -KILL "$regd_pid" 2>/dev/null || true
  [ -z "$backend_pid" ] || kill "$backend_pid" 2>/dev/null || true
  if dpkg-query -W regd >/dev/null 2>&1; then
    echo "cleaning up: apt-get purge regd"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq regd </dev/null >/dev/null 2>&1 || dpkg --purge regd || true
  fi
  # None of these was there before the test (checked above), so what a broken
  # purge left is the test's own.
  rm -rf /etc/regd /var/lib/regd /var/log/regd /etc/logrotate.d/regd
  ! getent passwd regd >/dev/null || userdel regd || true
  ! getent group regd >/dev/null || groupdel regd || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  echo "FAIL: $*"
  if [ -s "$work/regd.log" ]; then
    echo "--- regd log ---"
    tail -n 30 "$work/regd.log"
  fi
  exit 1
}
step() { echo "== at ${SECONDS}s: $*"; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" </dev/null >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log"; fail "apt-get install $1"; }
}

cp "$package_dir/regd_${version}_${arch}.deb" "$package_dir/upgrade/regd_${upgrade_version}_${arch}.deb" "$work/"

read -r control_port proxy_port admin_port backend_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
server=127.0.0.1:$control_port
ctl() { /usr/bin/regctl --server "$server" --timeout 5s "$@"; }

mkdir "$work/site"
echo "answer from the package test's backend" >"$work/site/hello.txt"
python3 -m http.server "$backend_port" --bind 127.0.0.1 --directory "$work/site" >"$work/backend.log" 2>&1 &
backend_pid=$!

# As systemd would run it: the unit's ExecStart=, as User=regd, ports moved.
start_regd() {
  local exec_start exec_words
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  read -r -a exec_words <<<"$exec_start"
  setpriv --reuid=regd --regid=regd --init-groups -- "${exec_words[@]}" \
    --control "$server" --listen "127.0.0.1:$proxy_port" --admin "127.0.0.1:$admin_port" >>"$work/regd.log" 2>&1 &
  regd_pid=$!
  for _ in $(seq 100); do
    kill -0 "$regd_pid" 2>/dev/null || fail "regd ended at start"
    if ctl ping >/dev/null 2>&1; then return; fi
    sleep 0.1
  done
  fail "regd did not answer PING within 10 s"
}

stop_regd() {
  kill -TERM "$regd_pid"
  local status=0
  wait "$regd_pid" || status=$?
  regd_pid=
  [ "$status" -eq 0 ] || fail "regd exited with status $status on SIGTERM"
}

through_proxy() {
  curl -sS --max-time 5 -H 'Host: pkgtest.example' "http://127.0.0.1:$proxy_port/hello.txt"
}

step "install regd $version with apt-get"
apt_install "$work/regd_${version}_${arch}.deb"
[ "$(dpkg-query -W -f='${Version}' regd)" = "$version" ] || fail "dpkg does not list regd $version"
getent passwd regd >/dev/null || fail "no regd user"
[ "$(stat -c %U:%G:%a /var/lib/regd)" = regd:regd:750 ] || fail "/var/lib/regd is $(stat -c %U:%G:%a /var/lib/regd), not regd:regd:750"
[ "$(stat -c %U:%G:%a /var/log/regd)" = regd:regd:750 ] || fail "/var/log/regd is $(stat -c %U:%G:%a /var/log/regd), not regd:regd:750"
[ -f /etc/regd/regd.conf ] || fail "no /etc/regd/regd.conf"
[ -f /etc/logrotate.d/regd ] || fail "no /etc/logrotate.d/regd"
if command -v logrotate >/dev/null; then
  step "logrotate -d /etc/logrotate.d/regd"
  # -d changes nothing, not even logrotate's state file.
  logrotate -d /etc/logrotate.d/regd >"$work/logrotate.log" 2>&1 ||
    { cat "$work/logrotate.log"; fail "logrotate -d /etc/logrotate.d/regd"; }
else
  echo "logrotate -d skipped: logrotate is missing (the package only suggests it)"
fi
unit=$(dpkg -L regd | grep '/systemd/system/regd\.service$') || fail "the package has no regd.service"

if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify the installed unit"
  # It also looks up the unit's Documentation= manuals, with man.
  man_check=--man=yes
  if ! command -v man >/dev/null; then
    echo "no man: the Documentation= manuals are not looked up"
    man_check=--man=no
  fi
  systemd-analyze verify "$man_check" "$unit" || fail "systemd-analyze verify $unit"
else
  echo "systemd-analyze verify skipped: systemd-analyze is missing (apt-get install systemd)"
fi

step "run the installed regd as the regd user; a route through it"
start_regd
[ "$(ctl ping -o json)" = '{"reply":"PONG"}' ] || fail "regctl ping answered $(ctl ping -o json)"
session=$(ctl register pkgtest pkgtest-1) || fail "regctl register"
route=$(ctl --session "$session" route add --domains pkgtest.example --path / --backend "http://127.0.0.1:$backend_port") ||
  fail "regctl route add"
ctl --session "$session" config apply >/dev/null || fail "regctl config apply"
[ "$(through_proxy)" = "answer from the package test's backend" ] || fail "the proxy answered: $(through_proxy)"
[ "$(stat -c %U /var/lib/regd/state.db)" = regd ] || fail "/var/lib/regd/state.db is not regd's"
stop_regd

step "upgrade to $upgrade_version with an edited /etc/regd/regd.conf"
# An edit whose effect a client sees: the one session there is the limit.
# The access log, as regd.conf suggests it, must be writable by the regd user.
sed -i -e 's/^#max_sessions = 100000/max_sessions = 1/' \
  -e 's|^#\(access_log = "/var/log/regd/access.log"\)|\1|' /etc/regd/regd.conf
grep -qx 'max_sessions = 1' /etc/regd/regd.conf || fail "could not edit /etc/regd/regd.conf"
grep -q '^access_log = "/var/log/regd/access.log"' /etc/regd/regd.conf ||
  fail "/etc/regd/regd.conf has no access_log line for /var/log/regd/access.log to turn on"
# No --force-confold: dpkg keeps an edited conffile by itself when the package
# did not change it; a question would read the empty stdin and fail.
apt_install "$work/regd_${upgrade_version}_${arch}.deb"
[ "$(dpkg-query -W -f='${Version}' regd)" = "$upgrade_version" ] || fail "dpkg does not list regd $upgrade_version"
[ "$(/usr/sbin/regd --version)" = "regd $upgrade_version" ] || fail "regd --version: $(/usr/sbin/regd --version)"
grep -qx 'max_sessions = 1' /etc/regd/regd.conf || fail "the upgrade lost the edit of /etc/regd/regd.conf"
start_regd
refusal=$(ctl register pkgtest pkgtest-2 2>&1) && fail "a second session was registered despite max_sessions = 1"
[[ "$refusal" == *"session limit reached: 1 sessions"* ]] || fail "a second REGISTER got: $refusal"
ctl --session "$session" session info -o plain | grep -qx 'instance_name=pkgtest-1' ||
  fail "the session is gone after the upgrade"
[ "$(ctl --session "$session" route list -o plain)" = "$route" ] || fail "route $route is gone after the upgrade"
[ "$(through_proxy)" = "answer from the package test's backend" ] || fail "after the upgrade the proxy answered: $(through_proxy)"
stop_regd
# The writer thread appends every 100 ms; a stop flushes what is left.
grep -q 'host=pkgtest.example path=/hello.txt status=200' /var/log/regd/access.log ||
  fail "/var/log/regd/access.log has no line for the request: $(cat /var/log/regd/access.log 2>&1)"
[ "$(stat -c %U /var/log/regd/access.log)" = regd ] || fail "/var/log/regd/access.log is not regd's"

step "purge"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q regd </dev/null >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "apt-get purge regd"; }
! dpkg-query -W regd >/dev/null 2>&1 || fail "dpkg still knows regd after the purge"
for path in /var/lib/regd /var/log/regd /etc/regd /etc/logrotate.d/regd /usr/sbin/regd /usr/bin/regctl; do
  [ ! -e "$path" ] || fail "$path is still there after the purge"
done
! getent passwd regd >/dev/null || fail "the regd user is still there after the purge"
! getent group regd >/dev/null || fail "the regd group is still there after the purge"
echo "install_deb: install, run, upgrade and purge of regd OK in ${SECONDS}s"
