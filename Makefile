# exposure - plain GNU Makefile (wireguard-tools style).
#   make            build ./exposure
#   make check      install what is missing, build, start the lab, run every
#                   test, again under ASan+UBSan, then the fuzzers (bounded)
#   make demo       install, build, start the lab, scan it, print the report
#   make install    PREFIX=/usr/local by default
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
PKGS := libssh libcjson openssl
V ?= 0
# the fuzzers: FUZZ_BUDGET seconds of wall time in all, FUZZ_JOBS at once
# (tests/run-suite); FUZZ_SECONDS other than 0 fixes each one's time instead
FUZZ_SECONDS ?= 0
FUZZ_BUDGET ?= 240
FUZZ_JOBS ?= 2
DEVELOPER ?= 1

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Iinclude -Wall -Wextra -MMD -MP
ifeq ($(DEVELOPER),1)
CFLAGS += -Werror -Wstrict-prototypes -Wvla -Wshadow -Wformat=2 -Wno-format-nonliteral
endif
# Client libraries of some checks are opened at first use (dlopen, see
# checks/lazylib.h): their headers are needed, their libraries not linked.
DLOPEN_PKGS := libcurl libpq smbclient freerdp2 winpr2 libxml-2.0
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS += -Wl,--as-needed
LDLIBS += $(PKG_LIBS) -lpthread -lm -ldl
# tests may talk to PostgreSQL and use libcurl themselves
TEST_LDLIBS = -lcriterion $(shell pkg-config --libs libpq libcurl 2>/dev/null)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Sources by stage (scanner/README.md): the part's folder and its subfolders.
tree_srcs = $(shell find $(1) -name '*.c' 2>/dev/null)
LIB_SRCS := $(sort $(filter-out scanner/cli/main.c,$(call tree_srcs,scanner)) \
	$(call tree_srcs,checks) $(call tree_srcs,inventory))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
INTEG_SRCS := $(sort $(wildcard tests/integration/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
LAB_TOOLS := $(patsubst tests/lab/%.c,build/lab/%,$(sort $(wildcard tests/lab/*.c)))

# One object tree per flavour: build/ (plain), build/asan/, build/fuzz/.
objs = $(patsubst %.c,$(1)/%.o,$(2))

# Include paths by part: everything sees include/; the scanner's stages
# include each other as "engine/engine.h"; check modules find checks/facts.h
# from their transport folders; tests see the private headers they test.
part_flags = $(if $(filter scanner/%,$(1)),-Iscanner) \
	$(if $(filter checks/%,$(1)),-Ichecks) \
	$(if $(filter tests/%,$(1)),-Iscanner -Ichecks)

.PHONY: all deps deps-test check demo lab-start lab-stop install uninstall \
	clean format format-check checksrc bench fuzz-long

all: exposure

# ---- dependencies (Debian 12): installed once, only when missing ----
BUILD_DEBS := gcc make pkg-config libssh-dev libcurl4-openssl-dev \
	libcjson-dev libpq-dev libssl-dev libxml2-dev libsmbclient-dev \
	freerdp2-dev
TEST_DEBS := libcriterion-dev clang clang-format libclang-rt-14-dev openssh-server \
	openssh-client openssl iproute2 nftables util-linux procps \
	chromium man-db jq bc
# each lab service and benchmark lists its own packages in a file
LAB_DEBS = $(shell cat tests/lab/debs.d/*.list 2>/dev/null)
BENCH_DEBS = nmap hydra ssh-audit time $(shell cat tests/bench/debs.d/*.list 2>/dev/null)
deps:
	$(Q)tests/lab/need-debs $(BUILD_DEBS)
deps-test: deps
	$(Q)tests/lab/need-debs $(TEST_DEBS) $(LAB_DEBS)
	$(Q)$(MAKE) --no-print-directory lab-npm
# the lab's servers from the npm registry (Node-RED, n8n, MCP), pinned by
# tests/lab/npm/package-lock.json: npm ci into build/, only when missing
.PHONY: lab-npm
lab-npm:
	$(Q)tests/lab/npm/install $(CURDIR)/build/lab-npm

# ---- the binary ----
build/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(call part_flags,$<) $(PKG_CFLAGS) -c -o $@ $<

build/libexposure.a: $(call objs,build,$(LIB_SRCS))
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

exposure: build/scanner/cli/main.o build/libexposure.a
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# ---- tests (criterion) ----
build/tests/unit.bin: $(call objs,build,$(UNIT_SRCS)) build/libexposure.a
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(TEST_LDLIBS)
build/tests/integration.bin: $(call objs,build,$(INTEG_SRCS)) build/libexposure.a
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(TEST_LDLIBS)
build/lab/%: tests/lab/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LAB_LIBS_$*)
# the SQL Server stand-in speaks TLS inside TDS
LAB_LIBS_tdsfake = -lssl -lcrypto
# the benchmarks' own servers (tests/bench/fleetd.c: the live-service fleet)
BENCH_TOOLS := $(patsubst tests/bench/%.c,build/bench/%,$(sort $(wildcard tests/bench/*.c)))
build/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# ASan + UBSan flavour: same sources, own objects.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC/SAN  $<"
	$(Q)$(CC) $(CFLAGS) -O1 $(ASAN_FLAGS) $(call part_flags,$<) $(PKG_CFLAGS) -c -o $@ $<
build/asan/libexposure.a: $(call objs,build/asan,$(LIB_SRCS))
	$(Q)rm -f $@ && ar rcs $@ $^
build/asan/exposure: build/asan/scanner/cli/main.o build/asan/libexposure.a
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/asan/tests/unit.bin: $(call objs,build/asan,$(UNIT_SRCS)) build/asan/libexposure.a
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(TEST_LDLIBS)
build/asan/tests/integration.bin: $(call objs,build/asan,$(INTEG_SRCS)) build/asan/libexposure.a
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(TEST_LDLIBS)

# libFuzzer flavour (clang): one harness per parser of untrusted bytes
# (network replies, inventory files, report and suppression files).
FUZZ_CC := clang
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -g -O1 -MMD -MP
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Iinclude $(call part_flags,$<) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c -o $@ $<
build/fuzz/libexposure.a: $(call objs,build/fuzz,$(LIB_SRCS))
	$(Q)rm -f $@ && ar rcs $@ $^
build/fuzz/%: build/fuzz/tests/fuzz/%.o build/fuzz/libexposure.a
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

TEST_BINS := build/tests/unit.bin build/tests/integration.bin
ASAN_BINS := build/asan/exposure build/asan/tests/unit.bin build/asan/tests/integration.bin
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))

# The lab (real servers on 127.0.0.0/8) runs once for the whole suite.
LAB_DIR ?= $(CURDIR)/build/lab-run
lab-start: exposure $(LAB_TOOLS)
	$(Q)tests/lab/lab.sh start $(LAB_DIR)
lab-stop:
	$(Q)tests/lab/lab.sh stop $(LAB_DIR)

check: deps-test
	$(Q)$(MAKE) --no-print-directory checksrc format-check
	$(Q)$(MAKE) --no-print-directory -j2 exposure $(TEST_BINS) $(LAB_TOOLS)
	$(Q)$(MAKE) --no-print-directory -j2 $(ASAN_BINS)
	$(Q)$(MAKE) --no-print-directory -j2 $(FUZZ_BINS)
	$(Q)FUZZ_BUDGET=$(FUZZ_BUDGET) FUZZ_JOBS=$(FUZZ_JOBS) \
		tests/run-suite $(LAB_DIR) $(FUZZ_SECONDS) $(FUZZ_BINS)

# the long run of docs/fuzzing.md: each harness to 10 million executions
# (or MAX_SECONDS), one at a time, at the lowest priority
fuzz-long:
	$(Q)$(MAKE) --no-print-directory -j2 $(FUZZ_BINS)
	$(Q)tests/fuzz/long-run $(FUZZ_BINS)

demo: deps-test
	$(Q)$(MAKE) --no-print-directory exposure $(LAB_TOOLS)
	$(Q)tests/lab/demo $(LAB_DIR)

bench: deps-test
	$(Q)$(MAKE) --no-print-directory exposure $(LAB_TOOLS) $(BENCH_TOOLS)
	$(Q)tests/lab/need-debs $(BENCH_DEBS)
	$(Q)tests/bench/run-all

install: exposure
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 exposure $(DESTDIR)$(BINDIR)/exposure
	[ ! -f docs/exposure.1 ] || { install -d $(DESTDIR)$(MANDIR)/man1 && \
		install -m 0644 docs/exposure.1 $(DESTDIR)$(MANDIR)/man1/exposure.1; }
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/exposure $(DESTDIR)$(MANDIR)/man1/exposure.1

# Style is enforced by tools: banned calls (a tiny checksrc) and format.
# Both walk every part's whole tree, so a new subfolder is never skipped.
SRC_TREE = $(sort $(call tree_srcs,scanner) $(call tree_srcs,checks) \
	$(call tree_srcs,inventory) $(wildcard include/*.h) \
	$(shell find scanner checks inventory -name '*.h') \
	$(call tree_srcs,tests))
BANNED := '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|sscanf)\s*\('
checksrc:
	$(Q)[ -n "$(filter scanner/cli/main.c,$(SRC_TREE))" ] || \
		{ echo "checksrc: found no source to check"; exit 1; }
	$(Q)! grep -nE $(BANNED) $(filter-out tests/%,$(SRC_TREE)) || \
		{ echo "checksrc: banned call above"; exit 1; }
	$(Q)! grep -nE '\b(ARRAY_SIZE|countof)\b.*define|define\s+(ARRAY_SIZE|N_ELEMS|NELEM)\b' \
		$(filter-out include/expo.h,$(SRC_TREE)) || \
		{ echo "checksrc: use ARRAY_SIZE from include/expo.h"; exit 1; }
	@echo "checksrc: $(words $(SRC_TREE)) files clean"
format-check:
	$(Q)clang-format --dry-run --Werror $(SRC_TREE) || \
		{ echo "format-check: run 'make format'"; exit 1; }
	@echo "format-check: $(words $(SRC_TREE)) files formatted"
format:
	$(Q)clang-format -i $(SRC_TREE)

clean:
	rm -rf build exposure

# (build/lab-npm holds npm packages: never read their .d files, nor walk them)
-include $(shell find build \( -path build/lab-npm -o -path build/bench-before \) -prune -o -name '*.d' -print 2>/dev/null)
