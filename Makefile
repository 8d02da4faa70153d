# Thin wrapper over the CMake presets, so a fresh Debian machine needs exactly
# two commands: `make compare` (the main job) and `make test` (every test).
.PHONY: all bootstrap release debug asan fuzz-build fuzz fuzz-smoke compare test bench clean

SEEDS ?= 1-10
JOBS ?= 2
# Seconds per fuzz target: `make fuzz` (long) and `make fuzz-smoke` (short).
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10

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

fuzz-build: bootstrap
	cmake --preset fuzz
	cmake --build --preset fuzz

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	scripts/fuzz $(FUZZ_SMOKE_SECONDS)

compare: release
	build/release/bin/collabsim compare --seeds $(SEEDS) --jobs $(JOBS) --out build/compare

# Every test under ASan+UBSan, the fuzz targets' corpora and past crashes
# among them (label fuzz). The libFuzzer runs need a second, clang build
# (about 6.5 minutes on 2 cores): `make fuzz-smoke` / `make fuzz`.
test: asan
	ctest --preset asan

bench: release
	build/release/bin/collabsim_bench

clean:
	rm -rf build
