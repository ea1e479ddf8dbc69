// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcptw: the report of the reader's own network namespace. The walk is
 * done once in open(); reads then iterate that snapshot with seq_file, so
 * short reads, lseek() and re-reads all see the same bytes.
 */

#include <linux/fs.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "tcptw.h"

#define TCPTW_PROC_NAME	"tcptw"

/* Positions: 0 the summary, 1..nr the peers, nr + 1 the "other" row. */
static void *tcptw_proc_row(struct tcptw_report *report, loff_t pos)
{
	struct tcptw_peer_table *table = &report->table;

	if (pos == 0)
		return SEQ_START_TOKEN;
	if (pos <= table->nr)
		return &table->peers[pos - 1];
	if (pos == table->nr + 1 && table->other_sockets)
		return &table->other;
	return NULL;
}

static void *tcptw_proc_start(struct seq_file *m, loff_t *pos)
{
	return tcptw_proc_row(m->private, *pos);
}

static void *tcptw_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	return tcptw_proc_row(m->private, ++*pos);
}

static void tcptw_proc_stop(struct seq_file *m, void *v)
{
}

static int tcptw_proc_show(struct seq_file *m, void *v)
{
	struct tcptw_report *report = m->private;

	if (v == SEQ_START_TOKEN)
		tcptw_report_show_summary(m, report);
	else
		tcptw_report_show_peer(m, v, v == &report->table.other);
	return 0;
}

static const struct seq_operations tcptw_proc_seq_ops = {
	.start	= tcptw_proc_start,
	.next	= tcptw_proc_next,
	.stop	= tcptw_proc_stop,
	.show	= tcptw_proc_show,
};

static int tcptw_proc_open(struct inode *inode, struct file *file)
{
	struct tcptw_report *report;
	struct net *net;
	int err;

	report = __seq_open_private(file, &tcptw_proc_seq_ops, sizeof(*report));
	if (!report)
		return -ENOMEM;

	/* The opener's namespace, as /proc/net/tcp would show it to them. */
	net = get_net(current->nsproxy->net_ns);
	err = tcptw_report_build(report, net, READ_ONCE(tcptw_max_peers));
	put_net(net);
	if (err) {
		tcptw_report_free(report);
		seq_release_private(inode, file);
	}
	return err;
}

static int tcptw_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	tcptw_report_free(m->private);
	return seq_release_private(inode, file);
}

static const struct proc_ops tcptw_proc_ops = {
	.proc_open	= tcptw_proc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= tcptw_proc_release,
};

int tcptw_proc_init(void)
{
	if (!proc_create(TCPTW_PROC_NAME, 0444, NULL, &tcptw_proc_ops))
		return -ENOMEM;
	return 0;
}

void tcptw_proc_exit(void)
{
	remove_proc_entry(TCPTW_PROC_NAME, NULL);
}
