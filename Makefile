# adtrust: one non-recursive Makefile (see README.md).
PKG_CONFIG ?= pkg-config
CC ?= cc
B ?= build
WERROR ?= 1
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/adtrust
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/adtrust
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
# A release tarball's VERSION file, else git (util/version.h).
ADT_VERSION := $(shell cat VERSION 2>/dev/null || git describe --always --dirty 2>/dev/null || echo unknown)

PKGS := libcyaml yaml-0.1 ldap jansson libgit2 gnutls krb5 krb5-gssapi libsasl2 kadm-client
SAMBA_PKGS := dcerpc ndr ndr_standard samba-credentials samba-hostconfig samba-util talloc tevent gnutls

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wcast-qual -Wwrite-strings \
	-Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wvla -Wformat=2 -Wundef
SANFLAGS = $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer)
ALL_CFLAGS = -std=c11 $(WARN) $(if $(filter 1,$(WERROR)),-Werror) $(SANFLAGS) $(or $(CFLAGS),-O2 -g)
ALL_CPPFLAGS = -I. -D_DEFAULT_SOURCE -DADT_LIBEXECDIR='"$(LIBEXECDIR)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CPPFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread

util_SRCS := $(sort $(wildcard util/*.c))
model_SRCS := $(sort $(wildcard model/*.c))
reconcile_SRCS := $(sort $(wildcard reconcile/*.c))
providers_SRCS := $(sort $(wildcard providers/*.c))
cmd_SRCS := $(sort $(wildcard cmd/*.c))
LIB_SRCS := $(util_SRCS) $(model_SRCS) $(reconcile_SRCS) $(providers_SRCS)
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
TEST_SRCS := $(sort $(wildcard tests/*/test_*.c))
TEST_OBJS := $(patsubst %.c,$(B)/%.o,$(TEST_SRCS))

# The LSA helper links Samba's client libraries and nothing of ours but util/.
LSA_SRCS := $(sort $(wildcard providers/lsa_helper/*.c))
LSA_CFLAGS = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$(if $(filter 1,$(WERROR)),-Werror) $(SANFLAGS) $(or $(CFLAGS),-O2 -g)
LSA_CPPFLAGS = -I. $(shell $(PKG_CONFIG) --cflags $(SAMBA_PKGS)) $(LSA_SAMBA_DEFS)
# Samba 4.22 replaced dcerpc_fetch_session_key() (4.17 to 4.21) with
# dcerpc_binding_handle_transport_session_key(): a compile and link probe,
# run once and only when the helper is built, says which one samba-dev has
# (providers/lsa_helper/authblob.c).
LSA_PROBE = printf '%s\n' '\#include "providers/lsa_helper/helper.h"' \
	'int main(void) { DATA_BLOB k; return NT_STATUS_IS_OK(' \
	'dcerpc_binding_handle_transport_session_key(NULL, NULL, &k)); }' | \
	$(CC) -I. $(shell $(PKG_CONFIG) --cflags $(SAMBA_PKGS)) -std=gnu11 \
	-Werror=implicit-function-declaration -x c -o /dev/null - $(LSA_LDLIBS) \
	>/dev/null 2>&1 && echo -DADT_SAMBA_BH_SESSION_KEY
LSA_SAMBA_DEFS = $(eval LSA_SAMBA_DEFS := $$(shell $$(LSA_PROBE)))$(LSA_SAMBA_DEFS)
LSA_LDLIBS = $(shell $(PKG_CONFIG) --libs $(SAMBA_PKGS)) -lsamba-errors

.PHONY: all demo check check-unit check-integration check-update lint hdrcheck \
	deps install clean lab-up lab-down bench fuzz man deb check-deb
all: $(B)/adtrust $(if $(LSA_SRCS),$(B)/adtrust-lsa) man

# Man pages from their one source, docs/man/*.scd.
MAN_PAGES := $(patsubst docs/man/%.scd,$(B)/man/%,$(wildcard docs/man/*.scd))
man: $(MAN_PAGES)
$(B)/man/%: docs/man/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@.tmp && mv $@.tmp $@

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Rebuilt when the version changes, and only then (git's GIT-VERSION-FILE).
$(B)/VERSION-FILE: FORCE
	@mkdir -p $(@D)
	@echo '$(ADT_VERSION)' | cmp -s - $@ || echo '$(ADT_VERSION)' >$@
$(B)/util/version.o: $(B)/VERSION-FILE
$(B)/util/version.o: ALL_CPPFLAGS += -DADT_VERSION='"$(ADT_VERSION)"'
# The helper's path is compiled in: a new LIBEXECDIR (make install
# PREFIX=/usr after make all) rebuilds the binary that looks for it.
$(B)/LIBEXECDIR-FILE: FORCE
	@mkdir -p $(@D)
	@echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@
$(B)/providers/lsa.o: $(B)/LIBEXECDIR-FILE
FORCE:

$(B)/lsa/%.o: providers/lsa_helper/%.c
	@mkdir -p $(@D)
	$(CC) $(LSA_CPPFLAGS) $(LSA_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libadtrust.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/adtrust: $(patsubst %.c,$(B)/%.o,$(cmd_SRCS)) $(B)/libadtrust.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# Shared with the main program: the pipe protocol codec and util/.
LSA_SHARED := $(B)/providers/lsa_proto.o $(patsubst %.c,$(B)/%.o,$(filter-out util/gitsrc.c,$(util_SRCS)))
$(B)/adtrust-lsa: $(patsubst providers/lsa_helper/%.c,$(B)/lsa/%.o,$(LSA_SRCS)) $(LSA_SHARED)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LSA_LDLIBS) $(shell $(PKG_CONFIG) --libs gnutls)

$(B)/tests/run: $(TEST_OBJS) $(B)/libadtrust.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs criterion)

# ADTRUST_SAMBA=4.22: Samba 4.22 from bookworm-backports (.ci/deps.sh)
deps:
	sh .ci/deps.sh $(if $(ADTRUST_SAMBA),--samba=$(ADTRUST_SAMBA))

demo:
	@sh .ci/deps.sh --if-missing
	@$(MAKE) --no-print-directory $(B)/adtrust >/dev/null
	@echo '== adtrust plan -f examples/demo.yaml --snapshot examples/snapshots/demo'
	@$(B)/adtrust plan -f examples/demo.yaml --snapshot examples/snapshots/demo
	@for y in examples/netdom/*.yaml; do c=$$(basename $$y .yaml); \
	  echo; echo "== adtrust plan -f $$y --snapshot examples/snapshots/$$c"; \
	  $(B)/adtrust plan -f $$y --snapshot examples/snapshots/$$c || exit 1; done

ASAN_B := build/asan
check-unit: lint
	$(MAKE) B=$(ASAN_B) SAN=address,undefined CFLAGS='-O1 -g' $(ASAN_B)/tests/run $(ASAN_B)/adtrust
	ADTRUST=$(ASAN_B)/adtrust ADT_TOP=$(CURDIR) $(ASAN_B)/tests/run -j2 2>$(ASAN_B)/tests.log; rc=$$?; \
	  cat $(ASAN_B)/tests.log; [ $$rc -eq 0 ] || exit 1
	@! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' $(ASAN_B)/tests.log
	bash tests/cli/run.sh $(ASAN_B)/adtrust
	bash tests/cli/files.sh $(ASAN_B)/adtrust
	bash tests/cli/habits.sh $(ASAN_B)/adtrust
	bash tests/cli/verbose.sh $(ASAN_B)/adtrust
	bash tests/cli/completion.sh
	bash tests/cli/json_docs.sh $(ASAN_B)/adtrust
	bash tests/schema/run.sh $(ASAN_B)/adtrust
	bash tests/ci/run.sh $(ASAN_B)/adtrust
	bash tests/audit/run.sh $(ASAN_B)/adtrust
	bash tests/fuzz/replay.sh $(ASAN_B)/fuzz

check-integration: all
	bash tests/lab/run.sh $(B)

# A fresh machine: the test packages first (apt-get, only when one is absent).
check:
	@sh .ci/deps.sh --if-missing --test
	@$(MAKE) --no-print-directory check-unit check-integration

check-update: $(B)/adtrust
	sh tests/golden/update.sh $(B)/adtrust

bench: all
	bash bench/read_concurrency.sh
	bash bench/scale.sh

lab-up:
	bash tests/lab/up.sh

lab-down:
	bash tests/lab/down.sh

hdrcheck:
	@for h in $$(git ls-files '*.h' | grep -v lsa_helper); do \
	  printf '#include "%s"\n' $$h | $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; done

lint: hdrcheck $(B)/libadtrust.a
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')
	@bad=$$(for o in $(LIB_OBJS); do objdump -t $$o | awk -v o=$$o '/ O / && $$(NF-2) ~ /^\.(data|bss)/ && $$(NF-2) !~ /rel\.ro/ {print o": "$$NF}'; done); \
	  [ -z "$$bad" ] || { echo "global state outside cmd/:"; echo "$$bad"; exit 1; }

install: all
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBEXECDIR)' '$(DESTDIR)$(MANDIR)/man1' \
	  '$(DESTDIR)$(MANDIR)/man5' '$(DESTDIR)$(DATADIR)' '$(DESTDIR)$(BASHCOMPDIR)' '$(DESTDIR)$(ZSHCOMPDIR)'
	install -m 0755 $(B)/adtrust '$(DESTDIR)$(BINDIR)/adtrust'
	[ ! -f $(B)/adtrust-lsa ] || install -m 0755 $(B)/adtrust-lsa '$(DESTDIR)$(LIBEXECDIR)/adtrust-lsa'
	install -m 0644 $(B)/man/adtrust.1 '$(DESTDIR)$(MANDIR)/man1/adtrust.1'
	install -m 0644 $(B)/man/adtrust-yaml.5 '$(DESTDIR)$(MANDIR)/man5/adtrust-yaml.5'
	install -m 0644 docs/adtrust.schema.json '$(DESTDIR)$(DATADIR)/adtrust.schema.json'
	install -m 0644 contrib/completion/adtrust.bash '$(DESTDIR)$(BASHCOMPDIR)/adtrust'
	install -m 0644 contrib/completion/_adtrust '$(DESTDIR)$(ZSHCOMPDIR)/_adtrust'

# A Debian package (debian/), built from a copy of the tracked files as
# they are in the worktree; lintian must be clean.  check-deb installs it
# here, runs it from /usr/bin and removes it: root, and not part of check
# (about a minute, and it installs a package on the machine).
DEB_DIR := $(B)/deb
deb:
	@sh .ci/deps.sh --if-missing --deb
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/adtrust
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/adtrust
	echo '$(ADT_VERSION)' >$(DEB_DIR)/adtrust/VERSION
	cd $(DEB_DIR)/adtrust && DEB_BUILD_OPTIONS='parallel=2 $(DEB_BUILD_OPTIONS)' \
	  dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -50 ../build.log; exit 1; }
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb

check-deb: deb
	bash tests/pkg/install.sh
	bash tests/pkg/deb.sh $(DEB_DIR)/adtrust_*.deb

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
