// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcptw: the report of the reader's own network namespace. The walk is
 * done once in open(); reads then iterate that snapshot with seq_file, so
 * short reads, lseek() and re-reads all see the same bytes. Writing takes
 * one command, documented in tcptw_format.h. Each namespace keeps the
 * numbers of its last walk for debugfs walk_stats.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "tcptw.h"

#define TCPTW_PROC_NAME	"tcptw"

/* What /proc/tcptw holds open: one report, and the opener's namespace. */
struct tcptw_proc_file {
	struct tcptw_report report;
	struct net *net;
	u64 walk;		/* its number in walk_stats, 0 if none */
};

/* Per namespace: the last walk's numbers, copied whole under the lock. */
struct tcptw_proc_net {
	spinlock_t lock;		/* guards stats and hint */
	struct tcptw_walk_stats stats;
	struct tcptw_table_hint hint;	/* the last report's table sizes */
};

static unsigned int tcptw_proc_net_id;

static struct tcptw_proc_net *tcptw_proc_net(struct net *net)
{
	return net_generic(net, tcptw_proc_net_id);
}

/**
 * tcptw_walk_stats_get() - the numbers of @net's last /proc/tcptw walk
 * @net: the namespace
 * @stats: filled in; all zero before the first walk
 */
void tcptw_walk_stats_get(struct net *net, struct tcptw_walk_stats *stats)
{
	struct tcptw_proc_net *pn = tcptw_proc_net(net);

	spin_lock(&pn->lock);
	*stats = pn->stats;
	spin_unlock(&pn->lock);
}

/* Publish a report's walk as its namespace's last; returns its number. */
static u64 tcptw_walk_stats_publish(struct net *net,
				    const struct tcptw_report *report)
{
	const struct tcptw_walk_result *walk = &report->walk;
	struct tcptw_proc_net *pn = tcptw_proc_net(net);
	struct tcptw_walk_stats *st = &pn->stats;
	u64 seq;

	spin_lock(&pn->lock);
	seq = ++st->walks;
	st->sockets = walk->sockets;
	st->walk_us = walk->walk_us;
	st->ns_per_socket = walk->sockets ?
		div64_u64(walk->walk_ns, walk->sockets) : 0;
	st->lock_max_ns = walk->lock_max_ns;
	st->lock_max_chain = walk->lock_max_chain;
	st->lock_holds = walk->lock_holds;
	st->lock_timed = walk->lock_timed;
	st->lock_p50_ns = tcptw_lock_hist_pct(walk, 50);
	st->lock_p99_ns = tcptw_lock_hist_pct(walk, 99);
	st->chain_max = walk->chain_max;
	st->mem_peak_bytes = report->mem.peak;
	pn->hint.peers = report->table.nr;
	pn->hint.tuples = report->tuples.nr;
	spin_unlock(&pn->lock);
	return seq;
}

/*
 * The seq_file buffer is allocated by the first read(), while the report's
 * tables are still held: at close, fold it into the peak, if the walk is
 * still the namespace's last.
 */
static void tcptw_walk_stats_close(struct tcptw_proc_file *pf, size_t buf)
{
	struct tcptw_proc_net *pn = tcptw_proc_net(pf->net);
	size_t peak = max(pf->report.mem.peak, pf->report.mem.cur + buf);

	spin_lock(&pn->lock);
	if (pn->stats.walks == pf->walk)
		pn->stats.mem_peak_bytes = peak;
	spin_unlock(&pn->lock);
}

static int __net_init tcptw_proc_net_init(struct net *net)
{
	spin_lock_init(&tcptw_proc_net(net)->lock);
	return 0;
}

static struct pernet_operations tcptw_proc_net_ops = {
	.init	= tcptw_proc_net_init,
	.id	= &tcptw_proc_net_id,
	.size	= sizeof(struct tcptw_proc_net),
};

/* The sections of the file, in order; each a number of seq_file records. */
enum tcptw_proc_part {
	TCPTW_PART_SUMMARY,	/* also the peer table header */
	TCPTW_PART_PEERS,
	TCPTW_PART_PEER_OTHER,
	TCPTW_PART_TUPLE_HEADER,
	TCPTW_PART_TUPLES,
	TCPTW_PART_PAWS_HEADER,
	TCPTW_PART_PAWS,
	TCPTW_PART_PAWS_OTHER,
	TCPTW_NR_PARTS
};

static u64 tcptw_proc_part_len(const struct tcptw_report *report, int part)
{
	switch (part) {
	case TCPTW_PART_PEERS:
		return report->table.nr;
	case TCPTW_PART_PEER_OTHER:
		return tcptw_report_has_other(report);
	case TCPTW_PART_TUPLES:
		return report->tuples_shown;
	case TCPTW_PART_PAWS:
		return report->paws.nr;
	case TCPTW_PART_PAWS_OTHER:
		return tcptw_report_has_paws_other(report);
	default:
		return 1;
	}
}

/*
 * Records are numbered through the parts; a record is passed to show() as
 * its number + 1 (seq_file needs a non-NULL cookie) and decoded there.
 */
static void *tcptw_proc_record(struct seq_file *m, loff_t pos)
{
	struct tcptw_proc_file *pf = m->private;
	u64 total = 0;
	int part;

	for (part = 0; part < TCPTW_NR_PARTS; part++)
		total += tcptw_proc_part_len(&pf->report, part);
	if (pos < 0 || pos >= total)
		return NULL;
	return (void *)(uintptr_t)(pos + 1);
}

static void *tcptw_proc_start(struct seq_file *m, loff_t *pos)
{
	return tcptw_proc_record(m, *pos);
}

static void *tcptw_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	return tcptw_proc_record(m, ++*pos);
}

static void tcptw_proc_stop(struct seq_file *m, void *v)
{
}

static int tcptw_proc_show(struct seq_file *m, void *v)
{
	struct tcptw_proc_file *pf = m->private;
	const struct tcptw_report *r = &pf->report;
	u64 i = (uintptr_t)v - 1;
	int part;

	for (part = 0; part < TCPTW_NR_PARTS; part++) {
		u64 len = tcptw_proc_part_len(r, part);

		if (i < len)
			break;
		i -= len;
	}
	switch (part) {
	case TCPTW_PART_SUMMARY:
		tcptw_report_show_summary(m, r);
		break;
	case TCPTW_PART_PEERS:
		tcptw_report_show_peer(m, &r->table.peers[i], false);
		break;
	case TCPTW_PART_PEER_OTHER:
		tcptw_report_show_peer(m, &r->table.other, true);
		break;
	case TCPTW_PART_TUPLE_HEADER:
		tcptw_report_show_tuple_header(m);
		break;
	case TCPTW_PART_TUPLES:
		tcptw_report_show_tuple(m, r, &r->tuples.tuples[i]);
		break;
	case TCPTW_PART_PAWS_HEADER:
		tcptw_report_show_paws_header(m);
		break;
	case TCPTW_PART_PAWS:
		tcptw_report_show_paws(m, r, &r->paws.rows[i], false);
		break;
	case TCPTW_PART_PAWS_OTHER:
		tcptw_report_show_paws(m, r, &r->paws.other, true);
		break;
	}
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
	struct tcptw_proc_file *pf;
	struct tcptw_table_hint hint;
	struct tcptw_proc_net *pn;
	struct net *net;
	int err = 0;

	pf = __seq_open_private(file, &tcptw_proc_seq_ops, sizeof(*pf));
	if (!pf)
		return -ENOMEM;

	/* The opener's namespace, as /proc/net/tcp would show it to them. */
	net = get_net(current->nsproxy->net_ns);
	if (file->f_mode & FMODE_READ) {
		pn = tcptw_proc_net(net);
		spin_lock(&pn->lock);
		hint = pn->hint;
		spin_unlock(&pn->lock);
		err = tcptw_report_build(&pf->report, net,
					 READ_ONCE(tcptw_max_peers), &hint);
		if (!err)
			pf->walk = tcptw_walk_stats_publish(net, &pf->report);
	}
	if (err) {
		tcptw_report_free(&pf->report);
		put_net(net);
		seq_release_private(inode, file);
		return err;
	}
	pf->net = net;
	return 0;
}

/*
 * The one command, TCPTW_PAWS_RESET_CMD, for the opener's namespace and with
 * the opener's credentials (as a netlink socket would be judged): a file
 * descriptor handed to a less privileged process gains it nothing.
 */
static ssize_t tcptw_proc_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct tcptw_proc_file *pf = m->private;
	char cmd[sizeof(TCPTW_PAWS_RESET_CMD)];	/* room for a '\n' */
	size_t len = count;

	if (!count || count > sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	if (cmd[len - 1] == '\n')
		len--;
	if (len != sizeof(TCPTW_PAWS_RESET_CMD) - 1 ||
	    memcmp(cmd, TCPTW_PAWS_RESET_CMD, len))
		return -EINVAL;
	if (!file_ns_capable(file, pf->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	tcptw_paws_reset(pf->net);
	return count;
}

static int tcptw_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct tcptw_proc_file *pf = m->private;

	if (pf->walk)
		tcptw_walk_stats_close(pf, m->buf ? m->size : 0);
	tcptw_report_free(&pf->report);
	put_net(pf->net);
	return seq_release_private(inode, file);
}

static const struct proc_ops tcptw_proc_ops = {
	.proc_open	= tcptw_proc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_write	= tcptw_proc_write,
	.proc_release	= tcptw_proc_release,
};

int tcptw_proc_init(void)
{
	int err;

	err = register_pernet_subsys(&tcptw_proc_net_ops);
	if (err)
		return err;
	if (!proc_create(TCPTW_PROC_NAME, 0644, NULL, &tcptw_proc_ops)) {
		unregister_pernet_subsys(&tcptw_proc_net_ops);
		return -ENOMEM;
	}
	return 0;
}

/* Files still open are released before the per-namespace state goes. */
void tcptw_proc_exit(void)
{
	remove_proc_entry(TCPTW_PROC_NAME, NULL);
	unregister_pernet_subsys(&tcptw_proc_net_ops);
}
