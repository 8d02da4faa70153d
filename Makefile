# Thin wrapper over the CMake presets, so a fresh Debian machine needs exactly
# two commands: `make compare` (the main job) and `make test` (every test).
.PHONY: all bootstrap release debug asan compare test bench clean

SEEDS ?= 1-10
JOBS ?= 2

all: release

bootstrap:
	@scripts/bootstrap

release: bootstrap
	cmake --preset release
	cmake --build --preset release

debug: bootstrap
	cmake --preset debug
	cmake --build --preset debug

asan: bootstrap
	cmake --preset asan
	cmake --build --preset asan

compare: release
	build/release/bin/collabsim compare --seeds $(SEEDS) --jobs $(JOBS) --out build/compare

test: asan
	ctest --preset asan

bench: release
	build/release/bin/collabsim_bench

clean:
	rm -rf build
