// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs tcptw/: deep dives for root (0400), each about the reader's own
 * network namespace, laid out in docs/DEBUGFS.md. They show sequence
 * numbers, timestamps and every connection's endpoints: never world
 * readable. "sockets", "count" and "walk_stats" are taken once in open()
 * and read from that copy; the other small ones are computed by
 * single_open()'s show.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "tcptw.h"

#define TCPTW_DEBUGFS_MODE	0400
#define TCPTW_TTL_BIN_MS	5000U
#define TCPTW_TTL_BINS		13	/* 0-5 s ... 55-60 s, then 60 s+ */

static struct dentry *tcptw_debugfs_dir;

/* --- sockets -------------------------------------------------------------- */

struct tcptw_minisocks {
	struct tcptw_sock_rec *recs;
	u32 nr;
	u32 alloc;
};

static int tcptw_minisocks_add(void *priv, const struct tcptw_sock_rec *rec)
{
	struct tcptw_minisocks *ms = priv;

	if (ms->nr == ms->alloc) {
		u32 alloc = max(ms->alloc * 2, 64U);
		struct tcptw_sock_rec *recs;

		recs = tcptw_alloc_array(alloc, sizeof(*recs), false);
		if (!recs)
			return -ENOMEM;
		if (ms->nr)
			memcpy(recs, ms->recs, ms->nr * sizeof(*recs));
		kvfree(ms->recs);
		ms->recs = recs;
		ms->alloc = alloc;
	}
	ms->recs[ms->nr++] = *rec;
	return 0;
}

static void *tcptw_sockets_start(struct seq_file *m, loff_t *pos)
{
	struct tcptw_minisocks *ms = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= ms->nr ? &ms->recs[*pos - 1] : NULL;
}

static void *tcptw_sockets_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return tcptw_sockets_start(m, pos);
}

static void tcptw_sockets_stop(struct seq_file *m, void *v)
{
}

static int tcptw_sockets_show(struct seq_file *m, void *v)
{
	const struct tcptw_sock_rec *rec = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "local remote state ttl_ms ts_recent ts_age_s rcv_nxt snd_nxt\n");
		return 0;
	}
	tcptw_show_endpoint(m, &rec->local, rec->local_port);
	seq_putc(m, ' ');
	tcptw_show_endpoint(m, &rec->peer, rec->remote_port);
	seq_printf(m, " %s %u",
		   rec->state == TCP_TIME_WAIT ? "TIME_WAIT" : "FIN_WAIT2",
		   rec->tw_ttl_ms);
	if (rec->has_ts)
		seq_printf(m, " %u %u", rec->ts_recent, rec->ts_age_s);
	else
		seq_puts(m, " " TCPTW_NO_VALUE " " TCPTW_NO_VALUE);
	seq_printf(m, " %u %u\n", rec->rcv_nxt, rec->snd_nxt);
	return 0;
}

static const struct seq_operations tcptw_sockets_seq_ops = {
	.start	= tcptw_sockets_start,
	.next	= tcptw_sockets_next,
	.stop	= tcptw_sockets_stop,
	.show	= tcptw_sockets_show,
};

static int tcptw_sockets_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct tcptw_minisocks *ms = m->private;

	kvfree(ms->recs);
	return seq_release_private(inode, file);
}

static int tcptw_sockets_open(struct inode *inode, struct file *file)
{
	struct tcptw_walk_sink sink = { .minisock = tcptw_minisocks_add };
	struct tcptw_walk_result result;
	struct tcptw_minisocks *ms;
	struct net *net;
	int err;

	ms = __seq_open_private(file, &tcptw_sockets_seq_ops, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	sink.priv = ms;
	net = get_net(current->nsproxy->net_ns);
	err = tcptw_walk(net, &sink, &result);
	put_net(net);
	if (err)
		tcptw_sockets_release(inode, file);
	return err;
}

static const struct file_operations tcptw_sockets_fops = {
	.owner		= THIS_MODULE,
	.open		= tcptw_sockets_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= tcptw_sockets_release,
};

/* --- the small files: single_open() with the opener's namespace ---------- */

static int tcptw_single_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	put_net(m->private);
	return single_release(inode, file);
}

static int tcptw_single_open(struct file *file,
			     int (*show)(struct seq_file *, void *))
{
	struct net *net = get_net(current->nsproxy->net_ns);
	int err;

	err = single_open(file, show, net);
	if (err)
		put_net(net);
	return err;
}

#define TCPTW_SINGLE_FOPS(name)						\
static int tcptw_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return tcptw_single_open(file, tcptw_##name##_show);		\
}									\
static const struct file_operations tcptw_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= tcptw_##name##_open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= tcptw_single_release,				\
}

/* --- ehash ------------------------------------------------------------------ */

static int tcptw_ehash_show(struct seq_file *m, void *v)
{
	struct tcptw_ehash_shape *shape;
	u32 len;
	int err;

	shape = kmalloc(sizeof(*shape), GFP_KERNEL);
	if (!shape)
		return -ENOMEM;
	err = tcptw_walk_ehash_shape(m->private, shape);
	if (err)
		goto out;
	seq_printf(m, "buckets %u\nused_buckets %u\nentries %llu\n",
		   shape->buckets, shape->used_buckets, shape->entries);
	seq_printf(m, "namespace_entries %llu\nlongest_chain %u\n\n",
		   shape->own_entries, shape->longest);
	seq_puts(m, "chain_len buckets\n");
	for (len = 1; len < TCPTW_CHAIN_HIST; len++)
		if (shape->hist[len])
			seq_printf(m, "%u %u\n", len, shape->hist[len]);
	if (shape->hist[TCPTW_CHAIN_HIST])
		seq_printf(m, "%u+ %u\n", TCPTW_CHAIN_HIST,
			   shape->hist[TCPTW_CHAIN_HIST]);
out:
	kfree(shape);
	return err;
}

TCPTW_SINGLE_FOPS(ehash);

/* --- paws_log --------------------------------------------------------------- */

static int tcptw_paws_log_show(struct seq_file *m, void *v)
{
	struct tcptw_paws_log_entry *log;
	u64 now = get_jiffies_64();
	u32 i, n;

	log = kmalloc_array(TCPTW_PAWS_LOG_LEN, sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	n = tcptw_paws_log_copy(m->private, log);
	seq_puts(m, "age_ms peer sport lport path tsval tsecr ts_recent syn ack\n");
	for (i = 0; i < n; i++) {
		const struct tcptw_paws_event *ev = &log[i].ev;

		seq_printf(m, "%u ", jiffies_to_msecs(now - log[i].when));
		tcptw_show_addr(m, &ev->peer);
		seq_printf(m, " %u %u %s %u %u", ev->sport, ev->lport,
			   tcptw_paws_path_name(ev->path), ev->tsval,
			   ev->tsecr);
		if (ev->has_ts_recent)
			seq_printf(m, " %u", ev->ts_recent);
		else
			seq_puts(m, " " TCPTW_NO_VALUE);
		seq_printf(m, " %u %u\n", ev->syn, ev->ack);
	}
	kfree(log);
	return 0;
}

TCPTW_SINGLE_FOPS(paws_log);

/* --- ttl_hist --------------------------------------------------------------- */

static int tcptw_ttl_count(void *priv, const struct tcptw_sock_rec *rec)
{
	u32 *bins = priv;

	if (rec->state == TCP_TIME_WAIT)
		bins[min_t(u32, rec->tw_ttl_ms / TCPTW_TTL_BIN_MS,
			   TCPTW_TTL_BINS - 1)]++;
	return 0;
}

static int tcptw_ttl_hist_show(struct seq_file *m, void *v)
{
	u32 bins[TCPTW_TTL_BINS] = { 0 };
	struct tcptw_walk_sink sink = {
		.minisock = tcptw_ttl_count,
		.priv = bins,
	};
	struct tcptw_walk_result result;
	int err, i;

	err = tcptw_walk(m->private, &sink, &result);
	if (err)
		return err;
	seq_puts(m, "lo_ms hi_ms count\n");
	for (i = 0; i < TCPTW_TTL_BINS - 1; i++)
		seq_printf(m, "%u %u %u\n", i * TCPTW_TTL_BIN_MS,
			   (i + 1) * TCPTW_TTL_BIN_MS - 1, bins[i]);
	seq_printf(m, "%u %s %u\n", i * TCPTW_TTL_BIN_MS, TCPTW_NO_VALUE,
		   bins[i]);
	return 0;
}

TCPTW_SINGLE_FOPS(ttl_hist);

/* --- count and walk_stats: one copy taken in open() ------------------------ */

static int tcptw_copy_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kfree(m->private);
	return single_release(inode, file);
}

/*
 * Fill a @size-byte copy for the opener's namespace with @take and hand it
 * to @show; the copy is freed on release.
 */
static int tcptw_copy_open(struct file *file, size_t size,
			   int (*take)(struct net *net, void *copy),
			   int (*show)(struct seq_file *, void *))
{
	void *copy = kzalloc(size, GFP_KERNEL_ACCOUNT);
	struct net *net;
	int err;

	if (!copy)
		return -ENOMEM;
	net = get_net(current->nsproxy->net_ns);
	err = take(net, copy);
	put_net(net);
	if (!err)
		err = single_open(file, show, copy);
	if (err)
		kfree(copy);
	return err;
}

#define TCPTW_COPY_FOPS(name, type)					\
static int tcptw_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return tcptw_copy_open(file, sizeof(type), tcptw_##name##_take,	\
			       tcptw_##name##_show);			\
}									\
static const struct file_operations tcptw_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= tcptw_##name##_open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= tcptw_copy_release,				\
}

/* The count-only walk: what a full walk is measured against. */
static int tcptw_count_take(struct net *net, void *copy)
{
	return tcptw_walk_count(net, copy);
}

static int tcptw_count_show(struct seq_file *m, void *v)
{
	const struct tcptw_walk_result *r = m->private;

	seq_printf(m, "sockets %llu\nehash_buckets %u\nwalk_us %llu\n",
		   r->sockets, r->ehash_buckets, r->walk_us);
	return 0;
}

TCPTW_COPY_FOPS(count, struct tcptw_walk_result);

static int tcptw_walk_stats_take(struct net *net, void *copy)
{
	tcptw_walk_stats_get(net, copy);
	return 0;
}

static int tcptw_walk_stats_show(struct seq_file *m, void *v)
{
	const struct tcptw_walk_stats *st = m->private;

	seq_printf(m, "walks %llu\nsockets %llu\nwalk_us %llu\n",
		   st->walks, st->sockets, st->walk_us);
	seq_printf(m, "ns_per_socket %llu\nlock_max_ns %llu\n",
		   st->ns_per_socket, st->lock_max_ns);
	seq_printf(m, "lock_max_chain %u\nlock_holds %llu\nlock_timed %llu\n",
		   st->lock_max_chain, st->lock_holds, st->lock_timed);
	seq_printf(m, "lock_p50_ns %llu\nlock_p99_ns %llu\n",
		   st->lock_p50_ns, st->lock_p99_ns);
	seq_printf(m, "chain_max %u\nmem_peak_bytes %llu\n",
		   st->chain_max, st->mem_peak_bytes);
	return 0;
}

TCPTW_COPY_FOPS(walk_stats, struct tcptw_walk_stats);

/* --- init and exit ------------------------------------------------------------ */

/* debugfs is a debugging aid: a failure to create it is not an error. */
void tcptw_debugfs_init(void)
{
	tcptw_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("sockets", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_sockets_fops);
	debugfs_create_file("ehash", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_ehash_fops);
	debugfs_create_file("paws_log", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_paws_log_fops);
	debugfs_create_file("ttl_hist", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_ttl_hist_fops);
	debugfs_create_file("count", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_count_fops);
	debugfs_create_file("walk_stats", TCPTW_DEBUGFS_MODE, tcptw_debugfs_dir,
			    NULL, &tcptw_walk_stats_fops);
}

void tcptw_debugfs_exit(void)
{
	debugfs_remove(tcptw_debugfs_dir);
}
