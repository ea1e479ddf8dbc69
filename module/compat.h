/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ. Force-included by Kbuild into
 * every file; decisions come from feature tests on the target's headers
 * (Debian backports make version numbers lie), never LINUX_VERSION_CODE.
 */
#ifndef _TCPTW_COMPAT_H
#define _TCPTW_COMPAT_H

#endif /* _TCPTW_COMPAT_H */
