#!/usr/bin/env bash
# Builds, from a build tree whose regd, regctl and man pages are built, the .deb
# and the .rpm into PACKAGE_DIR, and the .deb of the upgrade test: the same
# package with a higher version, whose regd is regd_upgrade_test (regd's
# objects linked with that version). Nothing of the project is compiled again.
#   build_packages.sh BUILD_DIR PACKAGE_DIR
# Exit 77 (skipped) when the packaging tools of build-deps.sh --package are missing.
set -euo pipefail
build_dir=$(realpath "$1")
package_dir=$2

# No packages left from an earlier run: the tests that use them skip without.
rm -rf "$package_dir"
for tool in cpack dpkg-deb dpkg-shlibdeps rpmbuild; do
  if ! command -v "$tool" >/dev/null; then
    echo "skipped: $tool is missing (packaging/build-deps.sh --package installs it)"
    exit 77
  fi
done

mkdir -p "$package_dir"
config=$build_dir/CPackConfig.cmake
cpack --config "$config" -B "$package_dir" -G "DEB;RPM" -D "CPACK_OUTPUT_FILE_PREFIX=$package_dir" >"$package_dir/cpack.log" 2>&1 ||
  { cat "$package_dir/cpack.log"; exit 1; }

upgrade_version=$(sed -n 's/^REGD_UPGRADE_TEST_VERSION:STRING=//p' "$build_dir/CMakeCache.txt")
cmake --build "$build_dir" --target regd_upgrade_test >/dev/null
# Every component but regd's binary, then the upgrade test's regd in its place.
cpack --config "$config" -B "$package_dir/upgrade" -G DEB -R "$upgrade_version" \
  -D "CPACK_OUTPUT_FILE_PREFIX=$package_dir/upgrade" \
  -D "CPACK_INSTALL_CMAKE_PROJECTS=$build_dir;regd;Unspecified;/;$build_dir;regd;regd_upgrade_test_binary;/" \
  >"$package_dir/cpack-upgrade.log" 2>&1 || { cat "$package_dir/cpack-upgrade.log"; exit 1; }
ls "$package_dir"/*.deb "$package_dir"/*.rpm "$package_dir"/upgrade/*.deb
