# The two commands of the README:
#   make quickstart   install what is missing, build, train the bundled digits model
#   make test         install what is missing, build, run the whole test suite
# Also: make build, make test-asan (ASan + UBSan), make bench, make clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
CMAKE      := cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DTINYMLOPS_WERROR=ON $(CMAKE_ARGS)
# The sanitizer build runs the whole suite at a second instruction-set level
# (x86-64-v2: 4-float vectors, no FMA; the default build is x86-64-v3), so a float
# tolerance tuned to one CPU fails here before it fails on someone else's machine.
ASAN_MARCH ?= $(if $(filter x86_64,$(shell uname -m)),x86-64-v2,)

.PHONY: setup build quickstart test test-asan bench clean

setup:
	@scripts/setup

build: setup
	@$(CMAKE) -S . -B $(BUILD) > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

quickstart: build
	@$(BUILD)/tinymlops quickstart

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan

test-asan: setup
	@$(CMAKE) -DTINYMLOPS_SANITIZE=ON -DTINYMLOPS_BENCH=OFF -DTINYMLOPS_MARCH=$(ASAN_MARCH) -S . -B $(ASAN_BUILD) > /dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -LE slow

bench: build
	@bench/train_vs_pytorch $(BUILD)
	@bench/compression_table $(BUILD)
	@bench/codegen_size_speed $(BUILD)
	@bench/store_hashing $(BUILD)
	@bench/fl $(BUILD)
	@bench/serve $(BUILD)
	@bench/cascade $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
