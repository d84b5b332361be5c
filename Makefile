# dockopt - Dockerfile auto-optimizer.
#
#   make            build build/dockopt and build/libdockopt.a
#   make demo       install deps, build, run dockopt on golden/demo/Dockerfile
#   make check      install deps, build, run every test (unit, golden, corpus, fuzz replay)
#   make test       same as check
#   make asan       the same tests under -fsanitize=address,undefined (build/asan/)
#   make fuzz       run the libFuzzer target with clang (FUZZ_TIME seconds, default 60)
#   make bench      parse/print/fix throughput over ../shared/corpus/dev
#   make e2e        real builds with buildah (slow; not part of check)
#   make lint       cppcheck over src/
#   make format     clang-format in place
#   make install    install to $(PREFIX)/bin

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
SANITIZE ?=

WARN := -std=c11 -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Wwrite-strings -Wformat=2 -fno-common
PKGS := libpcre2-8 libgit2 yaml-0.1 libcurl

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

OPT := -O2 -g
ifneq ($(SANITIZE),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -DDKO_ARENA_MALLOC=1
endif

CPPFLAGS := -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS   ?=
ALL_CFLAGS := $(WARN) $(OPT) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDFLAGS  ?=
ALL_LDFLAGS := $(OPT) $(LDFLAGS)

CLI_SRC  := src/main.c $(sort $(wildcard src/cmd_*.c))
LIB_SRC  := $(filter-out $(CLI_SRC),$(sort $(wildcard src/*.c src/util/*.c)))
TEST_SRC := $(sort $(wildcard tests/test_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Helpers linked into every test binary: testutil.c plus the servers and
# fixtures of tests/git_*.c, tests/http_*.c and tests/fixture_*.c (not tests of their own).
TEST_UTIL_SRC := tests/testutil.c $(sort $(wildcard tests/git_*.c tests/http_*.c tests/fixture_*.c))
TEST_UTIL_OBJ := $(TEST_UTIL_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all demo check test check-nodeps asan fuzz bench e2e lint format install clean deps tests

all: $(BUILD)/dockopt $(BUILD)/libdockopt.a

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libdockopt.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/dockopt: $(CLI_OBJ) $(BUILD)/libdockopt.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libdockopt.a $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_UTIL_OBJ) $(BUILD)/libdockopt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -pthread -o $@ $< $(TEST_UTIL_OBJ) $(BUILD)/libdockopt.a $(PKG_LIBS) $(CMOCKA_LIBS)

# The fuzz target built without libFuzzer: replays tests/fuzz/corpus/* and crash repros.
$(BUILD)/tests/fuzz_replay: $(BUILD)/obj/tests/fuzz_parse.o $(BUILD)/obj/tests/fuzz_replay.o $(BUILD)/libdockopt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

tests: all $(TEST_BIN) $(BUILD)/tests/fuzz_replay

deps:
	@tools/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory check-nodeps

test: check

check-nodeps: tests
	@tools/run-tests.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 check-nodeps

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh $(BUILD)

FUZZ_TIME ?= 60
fuzz: deps
	@tools/fuzz.sh $(FUZZ_TIME)

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench
	@tools/bench.sh $(BUILD)

e2e: deps
	@$(MAKE) --no-print-directory all
	@tools/e2e.sh $(BUILD)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -Iinclude -Isrc src

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(wildcard src/*.h src/util/*.h include/dockopt/*.h tests/*.c)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/dockopt $(DESTDIR)$(PREFIX)/bin/dockopt

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_UTIL_OBJ:.o=.d) $(TEST_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/%.d)

$(BUILD)/bench: $(BUILD)/obj/tools/bench.o $(BUILD)/libdockopt.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
