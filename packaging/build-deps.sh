#!/usr/bin/env bash
# Installs what building and testing regd/regctl needs on Debian 12.
# Quick when everything is already there: apt-get runs only for missing packages.
# With --package, also what `make package` and its check need.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-system-dev libcli11-dev nlohmann-json3-dev catch2
  libssl-dev zlib1g-dev libtomlplusplus-dev libedit-dev libsqlite3-dev
  netcat-openbsd curl groff-base openssl sqlite3
  zsh fish bash-completion
  # the fuzz tests (tests/fuzz): clang with its libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
)
# Kept apart because lintian alone brings in a hundred Perl packages. The
# package install test (tests/packaging/install_deb.sh) runs a backend with
# python3 and checks the unit with systemd-analyze, which the systemd package
# brings and which works without systemd running.
if [ "${1:-}" = --package ]; then
  packages+=(dpkg-dev fakeroot rpm lintian python3 systemd)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "build-deps: missing packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
  exit 1
fi
echo "build-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
