# SPDX-License-Identifier: GPL-2.0
#
# tcptw: build the module against KDIR (default: the running kernel) and the
# tcptw tool, test both (make check: the tool on the host, the module in QEMU
# on Debian's kernels and a debug kernel), or see it work (make demo).

KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=
PREFIX ?= /usr/local

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

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C tools clean
	rm -rf build

check:
	@tests/check.sh

demo:
	@tests/demo.sh

kunit:
	@TCPTW_KERNELS=debug TCPTW_PARTS=kunit tests/check.sh

fuzz:
	$(MAKE) -C tools fuzz

.PHONY: all module module-debug modules_install tool tool-static install clean \
	check demo kunit fuzz
