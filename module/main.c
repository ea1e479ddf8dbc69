// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw: TIME-WAIT and TCP connection-table observability. Module entry,
 * parameters, and the order in which the parts come up and go down.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "tcptw.h"
#include "tcptw_version.h"

unsigned int tcptw_max_peers = TCPTW_MAX_PEERS_DEFAULT;
unsigned int tcptw_max_tuples = TCPTW_MAX_TUPLES_DEFAULT;
unsigned int tcptw_paws_max = TCPTW_PAWS_MAX_DEFAULT;
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_max);

/* An unsigned parameter with limits: a bad value is refused, nothing set. */
#define TCPTW_UINT_PARAM(name, lo, hi)					\
static int tcptw_##name##_set(const char *val,				\
			      const struct kernel_param *kp)		\
{									\
	return param_set_uint_minmax(val, kp, lo, hi);			\
}									\
static const struct kernel_param_ops tcptw_##name##_ops = {		\
	.set	= tcptw_##name##_set,					\
	.get	= param_get_uint,					\
};									\
module_param_cb(name, &tcptw_##name##_ops, &tcptw_##name, 0644)

TCPTW_UINT_PARAM(max_peers, 1, TCPTW_MAX_PEERS_LIMIT);
MODULE_PARM_DESC(max_peers,
		 "peer rows kept per read of /proc/tcptw; further peers are summed into \"other\" (1-1048576, default 65536)");

TCPTW_UINT_PARAM(max_tuples, 1, TCPTW_MAX_TUPLES_LIMIT);
MODULE_PARM_DESC(max_tuples,
		 "port table rows written per read of /proc/tcptw, the most used first (1-65536, default 64)");

TCPTW_UINT_PARAM(paws_max, 1, TCPTW_PAWS_MAX_LIMIT);
MODULE_PARM_DESC(paws_max,
		 "PAWS table rows kept per network namespace; rejects of further (peer, port) pairs are summed into \"other\" (1-65536, default 4096)");

static int __init tcptw_init(void)
{
	int err;

	err = tcptw_paws_init();
	if (err)
		return err;
	err = tcptw_proc_init();
	if (err)
		goto err_paws;
	tcptw_debugfs_init();

	pr_info("format %d.%d ready at /proc/tcptw\n", TCPTW_FORMAT_MAJOR,
		TCPTW_FORMAT_MINOR);
	return 0;

err_paws:
	tcptw_paws_exit();
	return err;
}

static void __exit tcptw_exit(void)
{
	tcptw_debugfs_exit();
	tcptw_proc_exit();
	tcptw_paws_exit();
}

module_init(tcptw_init);
module_exit(tcptw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tcptw developers");
MODULE_DESCRIPTION("TIME-WAIT and TCP connection-table report per peer");
MODULE_VERSION(TCPTW_VERSION);
