// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw: TIME-WAIT and TCP connection-table observability. Module entry,
 * parameters, and the order in which the parts come up and go down.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "tcptw.h"

unsigned int tcptw_max_peers = TCPTW_MAX_PEERS_DEFAULT;

static int tcptw_max_peers_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, TCPTW_MAX_PEERS_LIMIT);
}

static const struct kernel_param_ops tcptw_max_peers_ops = {
	.set	= tcptw_max_peers_set,
	.get	= param_get_uint,
};

module_param_cb(max_peers, &tcptw_max_peers_ops, &tcptw_max_peers, 0644);
MODULE_PARM_DESC(max_peers,
		 "peer rows kept per read of /proc/tcptw; further peers are summed into \"other\" (1-1048576, default 65536)");

static int __init tcptw_init(void)
{
	int err;

	err = tcptw_proc_init();
	if (err)
		return err;

	pr_info("format %d.%d ready at /proc/tcptw\n", TCPTW_FORMAT_MAJOR,
		TCPTW_FORMAT_MINOR);
	return 0;
}

static void __exit tcptw_exit(void)
{
	tcptw_proc_exit();
}

module_init(tcptw_init);
module_exit(tcptw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tcptw developers");
MODULE_DESCRIPTION("TIME-WAIT and TCP connection-table report per peer");
MODULE_VERSION("0.1.0");
