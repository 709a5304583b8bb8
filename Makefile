# phrosty-c: difference-imaging photometry for Roman as small C tools.
#
#   make            libph, every tool in tools/ (bin/ph-*), the CUDA objects
#                   when nvcc is found, the scripts, the man pages
#   make test       install missing dependencies, build, run every test
#   make demo       install, build, run the whole pipeline on generated data
#   make bench      full-size benchmarks (never part of make test)
#   make install    PREFIX=/usr/local (tools, man pages, the pipeline Makefile,
#                   bash completion in share/bash-completion/completions)
#   make clean
#   make SANITIZE=1 AddressSanitizer + UBSan build
#   make fuzz       libFuzzer (clang) on every parser, FUZZ_TIME s each
#                   (default 600), FUZZ_JOBS at once; see tests/fuzz/run
#   make NO_CUDA=1  build without CUDA even when nvcc is present
#
# Everything is discovered: common/*/*.c form libph, each tools/<name>/ is
# the command bin/ph-<name> (optional tools/<name>/tool.mk sets
# <name>_CFLAGS, <name>_LIBS and <name>_GPU = 1), cuda/*.cu are the GPU objects, and
# tests/unit/test_*.c are unit-test programs.

SHELL := /bin/bash
.DEFAULT_GOAL := all
PREFIX ?= /usr/local
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT := $(shell git describe --always --dirty --abbrev=10 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
PKGS := cfitsio wcslib yaml-0.1 fftw3 zlib
SETUP_GOALS := test demo deps clean distclean help
ifneq ($(filter-out $(SETUP_GOALS),$(or $(MAKECMDGOALS),all)),)
  ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
    $(error missing libraries ($(PKGS)); run scripts/install-deps (or make test / make demo, which run it))
  endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

PH_CFLAGS := -std=gnu11 -Wall -Wextra -pthread -Icommon -Icuda -Ibuild $(PKG_CFLAGS)
PH_LDLIBS := $(PKG_LIBS) -lfftw3_threads -llapacke -llapack -lm -lpthread
ifdef SANITIZE
  SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
  PH_CFLAGS += $(SAN)
  PH_LDFLAGS += $(SAN)
endif

# ---- CUDA -----------------------------------------------------------------
NVCC ?= $(shell command -v nvcc 2>/dev/null || { test -x /usr/local/cuda/bin/nvcc && echo /usr/local/cuda/bin/nvcc; })
ifdef NO_CUDA
  NVCC :=
endif
ifneq ($(NVCC),)
  CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
  CUDA_ARCH ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=[sm_90,compute_90]
  NVCCFLAGS ?= -O3 -g
  PH_NVCCFLAGS := -std=c++17 $(CUDA_ARCH) -Icommon -Ibuild -Icuda $(PKG_CFLAGS) \
                  -Xcompiler -Wall,-Wextra,-fPIC -DPH_WITH_CUDA
  PH_CFLAGS += -DPH_WITH_CUDA
  CUDA_SRC := $(wildcard cuda/*.cu)
  CUDA_OBJ := $(CUDA_SRC:cuda/%.cu=build/cuda/%.o)
  # A GPU tool links: its objects, $(CUDA_OBJ), libph (which the CUDA objects
  # call into), then these. libph needs none of them (cuda/ph_cuda.h).
  CUDA_LDLIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcufft -lcudart -lstdc++
endif

# ---- libph ----------------------------------------------------------------
COMMON_SRC := $(wildcard common/*/*.c)
COMMON_OBJ := $(COMMON_SRC:common/%.c=build/common/%.o)
LIBPH := build/libph.a

# ---- tools ----------------------------------------------------------------
TOOL_DIRS := $(patsubst tools/%/,%,$(wildcard tools/*/))
TOOLS := $(TOOL_DIRS:%=bin/ph-%)
-include $(wildcard tools/*/tool.mk)
SCRIPTS := $(patsubst scripts/%,bin/%,$(wildcard scripts/ph-*))
MANS := $(patsubst man/%,build/man/man1/%,$(wildcard man/*.1)) \
        $(patsubst man/%,build/man/man7/%,$(wildcard man/*.7))
# Bash completion, generated from every command's option table.
COMPLETION := build/completion/phrosty-c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/unit/%)
# Fuzz harnesses: tests/fuzz/fuzz_<name>.c, built twice: with replay.c by
# any compiler (make tests; tests/run replays the corpus), and with
# libFuzzer by clang (make fuzz).
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=build/tests/fuzz/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all tools tests man test demo bench install clean distclean deps help fuzz fuzz-build
all: $(LIBPH) $(TOOLS) $(SCRIPTS) $(MANS) $(COMPLETION)
tools: $(TOOLS)
tests: $(UNIT_BIN) $(FUZZ_REPLAY)
man: $(MANS)

# Rebuild everything when the flags change (e.g. SANITIZE=1 after a plain build).
FLAGS_STAMP := build/.flags
FLAGS_NOW := $(CC) $(CFLAGS) $(PH_CFLAGS) $(PH_LDFLAGS) $(NVCC) $(NVCCFLAGS)
$(shell mkdir -p build; echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) || echo '$(FLAGS_NOW)' > $(FLAGS_STAMP))
# The version header is rewritten only when the version changes.
$(shell printf '#define PH_VERSION "%s"\n#define PH_GIT "%s"\n' '$(VERSION)' '$(GIT)' | cmp -s - build/version.h || printf '#define PH_VERSION "%s"\n#define PH_GIT "%s"\n' '$(VERSION)' '$(GIT)' > build/version.h)

build/common/%.o: common/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PH_CFLAGS) -MMD -MP -c $< -o $@

$(LIBPH): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/cuda/%.o: cuda/%.cu $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(NVCC) $(NVCCFLAGS) $(PH_NVCCFLAGS) -MMD -MP -c $< -o $@

build/tools/%.o: tools/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PH_CFLAGS) $($(firstword $(subst /, ,$*))_CFLAGS) -Itools/$(firstword $(subst /, ,$*)) \
	    -MMD -MP -c $< -o $@

# One link rule per tool: bin/ph-NAME from tools/NAME/*.c.
define TOOL_RULE
bin/ph-$(1): $$(patsubst tools/%.c,build/tools/%.o,$$(wildcard tools/$(1)/*.c)) $$(LIBPH) $$(if $$($(1)_GPU),$$(CUDA_OBJ))
	@mkdir -p bin
	$$(CC) $$(CFLAGS) $$(PH_CFLAGS) $$(PH_LDFLAGS) -o $$@ $$(filter build/tools/%,$$^) \
	    $$(if $$($(1)_GPU),$$(CUDA_OBJ)) $$(LIBPH) $$($(1)_LIBS) $$(if $$($(1)_GPU),$$(CUDA_LDLIBS)) $$(PH_LDLIBS)
endef
$(foreach t,$(TOOL_DIRS),$(eval $(call TOOL_RULE,$(t))))

# Replaced, not overwritten: a running script (bash reads as it goes) keeps its copy.
bin/ph-%: scripts/ph-%
	@mkdir -p bin
	cp $< $@.tmp && chmod +x $@.tmp && mv -f $@.tmp $@

# A unit test named test_<tool>[_more].c also links that tool's core: every
# object of tools/<tool>/ but main.o (and sees its headers, and links <tool>_LIBS).
unit_tool = $(firstword $(filter $(TOOL_DIRS),$(word 2,$(subst _, ,$(1)))))
unit_objs = $(if $(call unit_tool,$(1)),$(filter-out %/main.o,$(patsubst tools/%.c,build/tools/%.o,$(wildcard tools/$(call unit_tool,$(1))/*.c))))
.SECONDEXPANSION:
build/tests/unit/%: tests/unit/%.c tests/unit/check.h $$(call unit_objs,$$*) $(LIBPH) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PH_CFLAGS) $(PH_LDFLAGS) -Itests/unit $(if $(call unit_tool,$*),-Itools/$(call unit_tool,$*)) \
	    -MMD -MP -o $@ $< $(call unit_objs,$*) $(LIBPH) $(if $(call unit_tool,$*),$($(call unit_tool,$*)_LIBS)) $(PH_LDLIBS)

build/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $$(call unit_objs,$$*) $(LIBPH) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PH_CFLAGS) $(PH_LDFLAGS) -Itests/fuzz $(if $(call unit_tool,$*),-Itools/$(call unit_tool,$*)) \
	    -MMD -MP -o $@ $< tests/fuzz/replay.c $(call unit_objs,$*) $(LIBPH) \
	    $(if $(call unit_tool,$*),$($(call unit_tool,$*)_LIBS)) $(PH_LDLIBS)

# libFuzzer builds: their own objects (clang, ASan + UBSan, no CUDA).
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -pthread -Icommon -Icuda -Ibuild $(PKG_CFLAGS) -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined
fuzz_objs = $(patsubst build/tools/%,build/fuzz/tools/%,$(call unit_objs,$(1)))
build/fuzz/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Itools/$(firstword $(subst /, ,$*)) -c $< -o $@
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(COMMON_SRC:common/%.c=build/fuzz/common/%.o) $$(call fuzz_objs,$$*)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(if $(call unit_tool,$*),-Itools/$(call unit_tool,$*)) \
	    -o $@ $< $(call fuzz_objs,$*) $(COMMON_SRC:common/%.c=build/fuzz/common/%.o) \
	    $(if $(call unit_tool,$*),$($(call unit_tool,$*)_LIBS)) $(PH_LDLIBS)

.PRECIOUS: build/fuzz/common/%.o build/fuzz/tools/%.o
fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c - -o build/.fuzzcheck 2>/dev/null || \
	    { echo "make fuzz: $(FUZZ_CC) with libFuzzer is missing (scripts/install-deps --tests installs clang and libclang-rt-dev)" >&2; exit 2; }
	@rm -f build/.fuzzcheck
	$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_BIN)

$(COMPLETION): $(TOOLS) $(SCRIPTS) scripts/mkcompletion
	@mkdir -p $(@D)
	scripts/mkcompletion $(TOOLS) $(SCRIPTS) > $@.tmp && mv -f $@.tmp $@

# A command's page: its OPTIONS entries come from its option table
# (scripts/mkman; a page without the markers is copied).
build/man/man1/%.1: man/%.1 bin/% scripts/mkman
	@mkdir -p $(@D)
	scripts/mkman bin/$* $< > $@.tmp && mv -f $@.tmp $@
build/man/man7/%: man/%
	@mkdir -p $(@D)
	cp $< $@

-include $(wildcard build/common/*/*.d build/tools/*/*.d build/cuda/*.d build/tests/unit/*.d build/tests/fuzz/*.d)

# ---- set-up goals: install what is missing, then build in a fresh make so
# ---- that pkg-config sees the newly installed libraries.
deps:
	scripts/install-deps --tests

test: deps
	$(MAKE) --no-print-directory all tests
	tests/run

demo: deps
	$(MAKE) --no-print-directory all
	scripts/demo

bench: all
	bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/phrosty-c
	install -m 755 $(TOOLS) $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(filter build/man/man1/%,$(MANS)) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(filter build/man/man7/%,$(MANS)) $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 $(wildcard scripts/*.mk) $(DESTDIR)$(PREFIX)/share/phrosty-c
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	for c in $(notdir $(TOOLS) $(SCRIPTS)); do \
	    install -m 644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$c || exit 1; \
	done

clean:
	rm -rf build bin

distclean: clean
	rm -rf bench/work

help:
	@sed -n '2,20p' Makefile
