# SPDX-License-Identifier: GPL-2.0
#
# make            build/gotrace: one self-contained binary (BPF objects embedded
#                 through bpftool skeletons; libbpf, libelf, zlib, zstd static)
# make check      every test: unit (ASan+UBSan), fuzz (bounded), e2e (root, real BPF),
#                 scenarios (root: the crash-loop scenarios in runc pods)
# make bench      the benchmarks in bench/ (print ratios; not part of check)
# make V=1        show the commands
#
# Generated files live in build/ and are never committed.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

ARCH        ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BUILD       := build
CC          ?= gcc
CLANG       ?= clang
BPFTOOL     ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
FUZZ_SECONDS ?= 20

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN        := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter -Wno-missing-field-initializers \
               -Wmissing-prototypes -Wstrict-prototypes -Werror
CFLAGS      ?= -O2 -g
# gotrace and the benchmarks (gcc) are optimized across files: the
# symbolizer's hot path is a dozen small functions in five files, and
# calling them out of line cost 10-15% per lookup (bench/symbolize.sh).
# Sanitized builds (clang) stay per-file.
LTO         ?= -flto=auto
ALL_CFLAGS  := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iuser -I$(BUILD) -Ibpf $(CFLAGS)
# libbpf and its dependencies (and Capstone, the x86 decoder) are linked
# statically so build/gotrace can be copied to another node; glibc stays
# dynamic (static glibc breaks NSS).
STATIC_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -lzstd -lcapstone -Wl,-Bdynamic
LDLIBS      := $(STATIC_LIBS) -lpthread -lm

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
               -Wall -Werror -Wno-unused-function

USER_SRCS   := $(wildcard user/*.c user/*/*.c)
LIB_SRCS    := $(filter-out user/main.c,$(USER_SRCS))
USER_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(USER_SRCS))

# Sanitized copies of the library for unit tests and fuzzers.
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_OBJS    := $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRCS))
FUZZ_OBJS   := $(patsubst %.c,$(BUILD)/fuzzlib/%.o,$(LIB_SRCS))

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

.PHONY: all check unit fuzz e2e scenarios bench fixtures toolchains demo clean format
all: $(BUILD)/gotrace

$(BUILD)/gotrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LTO) -o $@ $^ $(LDLIBS)

# Every userspace object depends on every skeleton: simpler than tracking
# which backend includes which, and skeletons change rarely.
$(BUILD)/obj/%.o: %.c $(SKELS) | $(BUILD)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LTO) -MMD -MP -c -o $@ $<

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) | $(BUILD)
	$(call msg,BPF,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf >$@

# gotrace itself with ASan+UBSan: the e2e tests that feed it hostile input use it.
$(BUILD)/gotrace-asan: $(SAN_OBJS) $(BUILD)/san/user/main.o
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/san/%.o: %.c $(SKELS)
	$(call msg,CC-SAN,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -MMD -MP -c -o $@ $<

$(BUILD)/fuzzlib/%.o: %.c $(SKELS)
	$(call msg,CC-FUZZ,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -O1 -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(SAN_OBJS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -Itests/unit -o $@ $< $(SAN_OBJS) -lcmocka $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -O1 -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# Benchmarks link the optimized (non-sanitized) library, without main.o.
BENCH_OBJS  := $(filter-out $(BUILD)/obj/user/main.o,$(USER_OBJS))

$(BUILD)/bench/%: bench/%.c $(BENCH_OBJS)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LTO) -o $@ $< $(BENCH_OBJS) $(LDLIBS)

$(BUILD):
	$(Q)mkdir -p $@

# Go toolchains 1.21-1.27 from Debian's archive (cached): the real-binary
# unit tests use the newest one's `go tool nm/addr2line` as their oracle.
toolchains:
	$(Q)scripts/fetch-go.sh

unit: $(UNIT_BINS) toolchains
	$(Q)tests/run-unit.sh $(UNIT_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)BUILD_DIR=$(BUILD) tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fixtures: $(BUILD)/gotrace toolchains
	$(Q)BUILD_DIR=$(BUILD) tests/fixtures/build.sh

e2e: $(BUILD)/gotrace $(BUILD)/gotrace-asan fixtures
	$(Q)BUILD_DIR=$(BUILD) tests/e2e/run.sh

# Every scenario under crash (its own command) and under watch (the product's
# face); the OOM ones need watch or oom, so crash runs only the others.
scenarios: $(BUILD)/gotrace fixtures
	$(Q)BUILD_DIR=$(BUILD) tests/scenarios/run.sh bind config connect exec go_ liveness output
	$(Q)BUILD_DIR=$(BUILD) GOTRACE_SCENARIO_ARGS="watch --facts" tests/scenarios/run.sh

# The order is cheapest first, so a broken parser fails in seconds.
check: all unit fuzz e2e scenarios

# The README's "run it": a crash-looping pod and `gotrace watch` on it (SCENARIO=...).
demo:
	$(Q)SCENARIO=$(SCENARIO) scripts/demo.sh

bench: $(BUILD)/bench/bench_symbolize toolchains
	$(Q)BUILD_DIR=$(BUILD) bench/run.sh

format:
	clang-format -i $(wildcard user/*.[ch] user/*/*.[ch] bpf/*.[ch] tests/*/*.[ch])

clean:
	rm -rf $(BUILD)

-include $(USER_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)
