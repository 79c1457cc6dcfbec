#!/bin/sh
# Builds the libFuzzer targets with clang and runs them against the seed
# corpus for a bounded time.
#   tests/fuzz/run.sh build BUILD_DIR               configure and build
#   tests/fuzz/run.sh run BUILD_DIR TARGET SECONDS  fuzz one target
# New inputs go to BUILD_DIR/corpus/TARGET (the committed seeds stay as they
# are); a crashing input is saved as BUILD_DIR/artifacts/TARGET-crash-…: add it
# to tests/fuzz/corpus/TARGET/ with the fix, so it is replayed for ever.
# Exit 77 (ctest: skipped) when clang++ is not installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=$1
build=$2

case "$mode" in
  build)
    command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed, skipping" >&2; exit 77; }
    launcher=
    command -v ccache >/dev/null && launcher=-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ $launcher >/dev/null
    exec cmake --build "$build" -j 2
    ;;
  run)
    target=$3
    seconds=$4
    fuzzer="$build/${target}_fuzz"
    [ -x "$fuzzer" ] || { echo "fuzz: $fuzzer is not built, skipping" >&2; exit 77; }
    mkdir -p "$build/corpus/$target" "$build/artifacts"
    exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -error_exitcode=1 -timeout_exitcode=1 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
      "$build/corpus/$target" "$here/corpus/$target"
    ;;
  *)
    echo "usage: $0 build BUILD_DIR | run BUILD_DIR TARGET SECONDS" >&2
    exit 2
    ;;
esac
