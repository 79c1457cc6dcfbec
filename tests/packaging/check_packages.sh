#!/usr/bin/env bash
# Checks the contents and metadata of the .deb and the .rpm that
# build_packages.sh made, then runs lintian on the .deb.
#   check_packages.sh PACKAGE_DIR VERSION
# Exit 77 (skipped) when the tools of packaging/build-deps.sh --package are missing.
set -euo pipefail
package_dir=$1
version=$2

skip() {
  echo "skipped: $*"
  exit 77
}
for tool in dpkg-deb rpm lintian; do
  command -v "$tool" >/dev/null || skip "$tool is missing (packaging/build-deps.sh --package installs it)"
done
[ -d "$package_dir" ] || skip "no $package_dir: build_packages.sh did not run"
deb="$package_dir/regd_${version}_$(dpkg --print-architecture).deb"
rpm_file=$(ls "$package_dir"/regd-"$version"-*.rpm)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expected=(
  /usr/sbin/regd /usr/bin/regctl /etc/regd/regd.conf
  /usr/lib/systemd/system/regd.service /etc/logrotate.d/regd
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
for conffile in /etc/regd/regd.conf /etc/logrotate.d/regd; do
  dpkg-deb -I "$deb" conffiles | grep -qx "$conffile" || fail "deb: $conffile is not a conffile"
done
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 || fail "deb has no $script"
done

rpm_field() { rpm -qp --qf "$1" "$rpm_file" 2>/dev/null; }
[ "$(rpm_field '%{NAME}')" = regd ] || fail "rpm Name is not regd"
[ "$(rpm_field '%{VERSION}')" = "$version" ] || fail "rpm Version is not $version"
[ "$(rpm_field '%{ARCH}')" = "$(uname -m)" ] || fail "rpm Arch is not $(uname -m)"
rpm -qp --requires "$rpm_file" 2>/dev/null | grep -q '^libc\.so\.6' || fail "rpm has no automatic requires"
rpm -qp --requires "$rpm_file" 2>/dev/null | grep -q '^shadow-utils' || fail "rpm does not require shadow-utils for useradd in %post"
for conffile in /etc/regd/regd.conf /etc/logrotate.d/regd; do
  rpm_field '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' | grep -qx "$conffile cn" ||
    fail "rpm: $conffile is not %config(noreplace)"
done
# The logrotate package owns the directory.
! grep -qx /etc/logrotate.d <<<"$rpm_files" || fail "$rpm_file claims /etc/logrotate.d"
rpm -qp --scripts "$rpm_file" 2>/dev/null | grep -q '^postinstall' || fail "rpm has no %post"

# regd@localhost, the default maintainer, is a placeholder until the project
# has a public address (-DREGD_PACKAGE_CONTACT): lintian rightly calls it
# bogus, and those two errors alone are let through, for that address alone.
suppressed=()
if [[ "$(dpkg-deb -f "$deb" Maintainer)" == *@localhost\> ]]; then
  suppressed=(--suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog)
fi
lintian_status=0
lintian_out=$(lintian --allow-root --fail-on error "${suppressed[@]}" "$deb" 2>&1) || lintian_status=$?
echo "lintian $deb:"
echo "${lintian_out:-  (clean)}"
[ "$lintian_status" -eq 0 ] || fail "lintian reports errors (exit status $lintian_status)"

if [ "$failures" -ne 0 ]; then
  echo "check_packages: $failures failure(s)"
  exit 1
fi
echo "check_packages: $deb and $rpm_file OK"
