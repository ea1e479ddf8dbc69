/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tcptw release: one number for the module (MODULE_VERSION, shown in
 * /sys/module/tcptw/version), the tool (tcptw --version), the DKMS source
 * tree (/usr/src/tcptw-<version>) and the packages. dkms.conf,
 * debian/changelog and packaging/rpm/tcptw.spec spell it literally;
 * tests/packaging.sh fails when any of them disagrees with this file.
 *
 * This is not the /proc/tcptw format version (tcptw_format.h), which moves
 * only when the report's text changes.
 */
#ifndef _TCPTW_VERSION_H
#define _TCPTW_VERSION_H

#define TCPTW_VERSION	"0.1.0"

#endif /* _TCPTW_VERSION_H */
