# SPDX-License-Identifier: GPL-2.0
#
# tcptw: build the module against KDIR (default: the running kernel) and the
# tcptw tool, test both (make check: the tool on the host, the module in QEMU
# on Debian's kernels and a debug kernel), or see it work (make demo).
# Hand installs through DKMS: make dkms-install [KVERS="6.1.0-56-amd64 ..."].

KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=
PREFIX ?= /usr/local

VERSION := $(shell sed -n 's/^\#define TCPTW_VERSION[[:space:]]*"\(.*\)"$$/\1/p' \
	     include/tcptw_version.h)
# The DKMS source tree: what Kbuild needs to build tcptw.ko, and dkms.conf.
DKMS_SRCDIR := /usr/src/tcptw-$(VERSION)
DKMS_FILES := dkms.conf Kbuild module/features.mk $(sort $(wildcard \
	      module/*.c module/*.h include/*.h))
# Kernels that dkms-install builds for (default: the running one).
KVERS ?= $(shell uname -r)

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

module-debug:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) CONFIG_TCPTW_DEBUG=y modules

modules_install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

tool:
	$(MAKE) -C tools

tool-static:
	$(MAKE) -C tools static

install: modules_install
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# The DKMS source tree under DESTDIR (used by debian/rules and the RPM spec).
dkms-source:
	@test -n "$(VERSION)" || { echo "no TCPTW_VERSION in include/tcptw_version.h" >&2; exit 1; }
	@for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; \
	done

# By hand, as root: register this tree with DKMS, build and install tcptw.ko
# for each of KVERS (under /lib/modules/<kver>/updates/dkms/). A version
# already registered is removed first, so the module is rebuilt from here.
dkms-install:
	@if dpkg-query -S $(DKMS_SRCDIR)/dkms.conf >/dev/null 2>&1; then \
		echo "$(DKMS_SRCDIR) belongs to a package (tcptw-dkms): use apt, not make dkms-install" >&2; \
		exit 1; \
	fi
	@if dkms status -m tcptw -v $(VERSION) | grep -q .; then \
		dkms remove -m tcptw -v $(VERSION) --all; \
	fi
	rm -rf $(DKMS_SRCDIR)
	$(MAKE) --no-print-directory dkms-source DESTDIR=
	dkms add -m tcptw -v $(VERSION)
	@for k in $(KVERS); do \
		echo "dkms install -m tcptw -v $(VERSION) -k $$k"; \
		dkms install -m tcptw -v $(VERSION) -k $$k || exit 1; \
	done

# Undo dkms-install: the module from every kernel, the DKMS tree, the source.
dkms-uninstall:
	@if dpkg-query -S $(DKMS_SRCDIR)/dkms.conf >/dev/null 2>&1; then \
		echo "$(DKMS_SRCDIR) belongs to a package (tcptw-dkms): use apt, not make dkms-uninstall" >&2; \
		exit 1; \
	fi
	@if dkms status -m tcptw -v $(VERSION) | grep -q .; then \
		echo "dkms remove -m tcptw -v $(VERSION) --all"; \
		dkms remove -m tcptw -v $(VERSION) --all || exit 1; \
	fi
	rm -rf $(DKMS_SRCDIR)

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C tools clean
	rm -rf build

check:
	@tests/check.sh

demo:
	@tests/demo.sh

# Static checks, host only (part of check): checkpatch.pl --strict from
# Debian's linux-source-6.1 (module, KUnit, format header, tool), sparse (C=2)
# against both Debian kernels and the debug kernel, the tool with -Wextra
# -Werror, cppcheck on the tool.
lint:
	@tests/lint.sh

# Time /proc/tcptw against ss and /proc/net/tcp in QEMU on Debian's kernels
# (about 15 minutes; not part of check); writes docs/BENCHMARKS.md and
# docs/bench.png. BENCH_QUICK=1: small sizes, build/bench/ only.
bench:
	@tests/bench.sh

# Build the .debs and the RPM, install the .debs here (root), boot each
# Debian kernel with the DKMS-built module, upgrade, purge. Part of check.
check-packaging:
	@tests/packaging.sh

# The canary, not gating: make check's tests on Debian sid's kernel (tests/kernels.conf).
check-sid:
	@TCPTW_KERNELS=sid TCPTW_PACKAGING=0 tests/check.sh

kunit:
	@TCPTW_KERNELS=debug TCPTW_PARTS=kunit tests/check.sh

# tests/vm/stress.sh alone on the debug kernel, long (make check runs 75 s of
# it): churn, namespaces, reloads under readers, fault injection.
STRESS_SECONDS ?= 600
stress:
	@TCPTW_KERNELS=debug TCPTW_PARTS=stress TCPTW_PACKAGING=0 \
		TCPTW_STRESS_SECONDS=$(STRESS_SECONDS) tests/check.sh

fuzz:
	$(MAKE) -C tools fuzz

.PHONY: all module module-debug modules_install tool tool-static install clean \
	check check-packaging check-sid demo lint bench kunit stress fuzz dkms-source dkms-install \
	dkms-uninstall
