# SPDX-License-Identifier: GPL-2.0
#
# tcptw: build the module against KDIR (default: the running kernel), test it
# in QEMU on Debian's kernels (make check), or see it work (make demo).

KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

module-debug:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) CONFIG_TCPTW_DEBUG=y modules

modules_install install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf build

check:
	@tests/check.sh

demo:
	@tests/demo.sh

kunit:
	@TCPTW_KERNELS=debug TCPTW_PARTS=kunit tests/check.sh

.PHONY: all module module-debug modules_install install clean check demo kunit
