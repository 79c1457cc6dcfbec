#!/usr/bin/env bash
# Builds the .deb and the .rpm (make package) and checks their contents and
# metadata, then runs lintian on the .deb. Usage: tests/packaging/check_packages.sh [BUILD_DIR]
# Not part of ctest: it needs the packaging tools of build-deps.sh --package.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build}

make --no-print-directory package BUILD_DIR="$build_dir" >/dev/null
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
deb="$build_dir/regd_${version}_$(dpkg --print-architecture).deb"
rpm_file=$(ls "$build_dir"/regd-"$version"-*.rpm)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expected=(
  /usr/sbin/regd /usr/bin/regctl /etc/regd/regd.conf
  /usr/lib/systemd/system/regd.service
  /usr/share/man/man1/regctl.1.gz /usr/share/man/man5/regd.conf.5.gz
  /usr/share/man/man7/regd-protocol.7.gz /usr/share/man/man8/regd.8.gz
  /usr/share/bash-completion/completions/regctl
  /usr/share/zsh/vendor-completions/_regctl
  /usr/share/fish/vendor_completions.d/regctl.fish
  /usr/share/doc/regd/copyright /usr/share/doc/regd/README.md
)
deb_files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
rpm_files=$(rpm -qpl "$rpm_file" 2>/dev/null)
for path in "${expected[@]}"; do
  grep -qx "$path" <<<"$deb_files" || fail "$deb lacks $path"
  grep -qx "$path" <<<"$rpm_files" || fail "$rpm_file lacks $path"
done

[ "$(dpkg-deb -f "$deb" Package)" = regd ] || fail "deb Package is not regd"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "deb Version is not $version"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "deb Architecture"
dpkg-deb -f "$deb" Depends | grep -q 'libc6' || fail "deb Depends has no shared library dependencies"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/regd/regd.conf || fail "deb: regd.conf is not a conffile"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 || fail "deb has no $script"
done

[ "$(rpm -qp --qf '%{VERSION}' "$rpm_file" 2>/dev/null)" = "$version" ] || fail "rpm Version is not $version"
rpm -qp --requires "$rpm_file" 2>/dev/null | grep -q '^libc\.so\.6' || fail "rpm has no automatic requires"
rpm -qp --configfiles "$rpm_file" 2>/dev/null | grep -qx /etc/regd/regd.conf || fail "rpm: regd.conf is not %config"
rpm -qp --scripts "$rpm_file" 2>/dev/null | grep -q '^postinstall' || fail "rpm has no %post"

# lintian is advisory except for errors; bogus-mail-host stays until the
# project has a public maintainer address (-DREGD_PACKAGE_CONTACT).
lintian_out=$(lintian --allow-root "$deb" 2>&1 || true)
echo "lintian $deb:"
echo "${lintian_out:-  (clean)}"
if grep '^E:' <<<"$lintian_out" | grep -qv 'bogus-mail-host'; then
  fail "lintian reports errors"
fi

if [ "$failures" -ne 0 ]; then
  echo "check_packages: $failures failure(s)"
  exit 1
fi
echo "check_packages: $deb and $rpm_file OK"
