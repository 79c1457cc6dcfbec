# Thin wrapper over CMake so a newcomer types `make run` or `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CONTROL ?= 127.0.0.1:8181
LISTEN ?= 127.0.0.1:8080
ADMIN ?= 127.0.0.1:9181
STATE_DIR ?= $(BUILD_DIR)/state
SANITIZE_DIR ?= build-asan

# With ccache installed, a fresh clone (CI builds one, wherever it likes)
# hits what another clone compiled: paths are hashed relative to the tree,
# not to the directory it sits in.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps test-deps configure build run test sanitize package clean

all: build

deps:
	@packaging/build-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR)

run: build
	@echo "regd: control $(CONTROL), proxy $(LISTEN), admin $(ADMIN), state $(STATE_DIR)"
	@echo "try:  echo PING | nc -q 1 $(subst :, ,$(CONTROL))"
	@$(BUILD_DIR)/daemon/regd --control $(CONTROL) --listen $(LISTEN) --admin $(ADMIN) --state-dir $(STATE_DIR)

# The package tests (ctest label packaging) need the packaging tools too.
test-deps:
	@packaging/build-deps.sh --package

test: test-deps build
	@cd $(BUILD_DIR) && ctest --output-on-failure --no-tests=error -j2
	@$(MAKE) --no-print-directory sanitize

# Every test again against an AddressSanitizer + UndefinedBehaviorSanitizer
# build (the fuzz targets have sanitizers of their own). A report makes the
# test fail: the test binaries abort, and the test support fails any test
# whose regd or regctl printed one.
sanitize: deps
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O0 -g1" -DREGD_SANITIZE=ON >/dev/null
	@cmake --build $(SANITIZE_DIR)
	@cd $(SANITIZE_DIR) && UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure --no-tests=error -j2 -LE 'fuzz|packaging'

# The .deb and the .rpm, into $(BUILD_DIR)/.
package: configure
	@packaging/build-deps.sh --package
	@cmake --build $(BUILD_DIR) --target regd regctl package_docs
	@cd $(BUILD_DIR) && cpack -G DEB && cpack -G RPM

clean:
	@rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
