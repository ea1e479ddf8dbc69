/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ. Force-included by Kbuild into
 * every file; decisions come from feature tests on the target's headers
 * (Debian backports make version numbers lie), never LINUX_VERSION_CODE.
 */
#ifndef _TCPTW_COMPAT_H
#define _TCPTW_COMPAT_H

/*
 * Nothing to bridge yet: Debian's 6.1 and 6.12 agree on all the walk uses
 * (net->ipv4.tcp_death_row.{hashinfo,tw_refcount,sysctl_max_tw_buckets},
 * inet_ehash_lockp(), lhash2 buckets with nulls lists, tw_substate and
 * tw_timer, snmp_fold_field(), inet_get_local_port_range()). Both are built
 * with W=1 by make check, which is what would show the first difference.
 */

#endif /* _TCPTW_COMPAT_H */
