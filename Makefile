# The two commands of the README:
#   make quickstart   install what the tool needs, build the tool, train the bundled digits model
#   make test         install what the tests need, build everything, run the whole test suite
# Also: make build, make test-asan (ASan + UBSan), make bench, make clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
CMAKE      := cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DTINYMLOPS_WERROR=ON $(CMAKE_ARGS)
# The sanitizer pass (ASan + UBSan) builds and runs the tests of the modules that
# read outside input (CSV, model and deploy files, YAML, the store's objects,
# ONNX/Keras files, HTTP requests and federated updates) or do the integer and
# float maths (kernels, nn, runtime, compress). The tests that drive the binary,
# the emulated devices and the OCR application run once, in the release build.
ASAN_MODULES ?= core kernels data nn runtime compress store pipeline track fl interop serve
# It builds at a second instruction-set level (x86-64-v2: 4-float vectors, no
# FMA; the default build is x86-64-v3), so a float tolerance tuned to one CPU
# fails here before it fails on someone else's machine.
ASAN_MARCH ?= $(if $(filter x86_64,$(shell uname -m)),x86-64-v2,)

.PHONY: setup build quickstart test test-asan bench clean

# Configures $(1) with the extra CMake arguments $(2).
configure = $(CMAKE) $(2) -S . -B $(1) > /dev/null

setup:
	@scripts/setup

# Only the tool: no test-only packages, no test binaries.
quickstart: setup
	@$(call configure,$(BUILD))
	@cmake --build $(BUILD) -j $(JOBS) --target tinymlops_cli
	@$(BUILD)/tinymlops quickstart

build: setup
	@$(call configure,$(BUILD))
	@cmake --build $(BUILD) -j $(JOBS)

test:
	@scripts/setup --test
	@$(call configure,$(BUILD))
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan

test-asan:
	@scripts/setup --test
	@$(call configure,$(ASAN_BUILD),-DTINYMLOPS_SANITIZE=ON -DTINYMLOPS_BENCH=OFF -DTINYMLOPS_MARCH=$(ASAN_MARCH))
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(addsuffix _test,$(ASAN_MODULES))
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -L '^($(subst $() ,|,$(strip $(ASAN_MODULES))))$$'

bench:
	@scripts/setup --bench
	@$(call configure,$(BUILD))
	@cmake --build $(BUILD) -j $(JOBS)
	@bench/train_vs_pytorch $(BUILD)
	@bench/compression_table $(BUILD)
	@bench/codegen_size_speed $(BUILD)
	@bench/device_speed $(BUILD)
	@bench/kernel_costs $(BUILD)
	@bench/store_hashing $(BUILD)
	@bench/fl $(BUILD)
	@bench/serve $(BUILD)
	@bench/cascade $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
