# Thin wrapper over the CMake presets, so a fresh Debian machine needs exactly
# two commands: `make compare` (the main job) and `make test` (every test).
.PHONY: all bootstrap release debug asan fuzz-build fuzz fuzz-smoke compare compare-full test bench clean

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
	FUZZ_SEED=1 scripts/fuzz $(FUZZ_SMOKE_SECONDS)

# The main job: seeds chosen per scenario (3 or more of SEEDS, until the key
# figures settle or the scenario's event budget is spent), in minutes.
compare: release
	build/release/bin/collabsim compare --seeds $(SEEDS) --adaptive --jobs $(JOBS) --out build/compare

# Every seed of SEEDS on every scenario: the wide sweep, for a release.
compare-full: release
	build/release/bin/collabsim compare --seeds $(SEEDS) --jobs $(JOBS) --out build/compare-full

# Every test under ASan+UBSan, the fuzz targets' corpora and past crashes
# among them (label fuzz); then the libFuzzer smoke run, FUZZ_SMOKE_SECONDS
# a target, from a second, clang build (`make fuzz` runs them for longer).
test: asan
	ctest --preset asan
	$(MAKE) --no-print-directory fuzz-smoke

bench: release
	build/release/bin/collabsim_bench

clean:
	rm -rf build
