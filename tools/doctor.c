// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw doctor: the sysctls that decide TIME-WAIT behaviour, judged against
 * the report's numbers (with format 1.1 also PAWS rejects per peer and port
 * usage per destination); each finding has a severity, its evidence and a
 * fix. Without the module it still audits the sysctls and says what it missed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tcptw.h"

/* One sysctl's value; only what doctor reads, at most two numbers. */
struct sysctl_val {
	bool found;
	unsigned long long v[2];
	unsigned int n;
};

enum severity { SEV_INFO, SEV_WARN, SEV_CRIT };

static const char *const severity_names[] = {
	[SEV_INFO] = "INFO", [SEV_WARN] = "WARN", [SEV_CRIT] = "CRIT",
};

struct doctor {
	const struct tcptw_opts *opts;
	const struct tcptw_report *r;	/* NULL without the module */
	unsigned int count[3];
	char unseen[2048];		/* what could not be judged */
	/* From the report: TIME-WAIT split by direction. */
	uint64_t tw_in, tw_out, tw_out_remote;
	const struct tcptw_peer *top_out;
	uint64_t top_out_tw;
};

static void sysctl_read(const struct doctor *d, const char *name,
			struct sysctl_val *s)
{
	char path[4096], buf[256], *p, *end;
	size_t n;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", d->opts->sysctl_root, name);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (p = buf; s->n < 2; p = end) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		s->v[s->n] = strtoull(p, &end, 10);
		if (errno)
			break;
		s->n++;
	}
	s->found = s->n > 0;
}

static void __attribute__((format(printf, 2, 3)))
unseen(struct doctor *d, const char *fmt, ...)
{
	size_t len = strlen(d->unseen);
	va_list ap;

	if (len + 4 >= sizeof(d->unseen))
		return;
	snprintf(d->unseen + len, sizeof(d->unseen) - len, "  - ");
	len += 4;
	va_start(ap, fmt);
	vsnprintf(d->unseen + len, sizeof(d->unseen) - len, fmt, ap);
	va_end(ap);
	len = strlen(d->unseen);
	if (len + 1 < sizeof(d->unseen))
		strcat(d->unseen, "\n");
}

/*
 * One finding: what, the evidence (numbers), the fix. Each is a format
 * string because each carries numbers; they are printed on their own lines.
 */
static void __attribute__((format(printf, 3, 4)))
finding(struct doctor *d, enum severity sev, const char *fmt, ...)
{
	va_list ap;

	d->count[sev]++;
	printf("%-4s  ", severity_names[sev]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 2, 3)))
detail(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("      %-9s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static bool is_loopback(const struct tcptw_peer *p)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };

	if (p->family == AF_INET)
		return p->bin[0] == 127;
	return p->family == AF_INET6 && !memcmp(p->bin, v6_loopback, 16);
}

static uint64_t total(const struct tcptw_report *r, int col,
		      const struct tcptw_peer **top, uint64_t *top_val)
{
	uint64_t sum = 0, v;
	size_t i;

	*top = NULL;
	*top_val = 0;
	for (i = 0; i < r->nr_rows; i++) {
		const struct tcptw_peer *p = &r->rows[i];

		if (!tcptw_peer_value(r, p, col, &v))
			continue;
		sum = sum + v < sum ? UINT64_MAX : sum + v;
		if (!p->is_other && v > *top_val) {
			*top = p;
			*top_val = v;
		}
	}
	return sum;
}

static void split_directions(struct doctor *d)
{
	const struct tcptw_report *r = d->r;
	const struct tcptw_peer *top;
	uint64_t v, top_val;
	size_t i;

	d->tw_in = total(r, TCPTW_COL_TW_IN, &top, &top_val);
	d->tw_out = total(r, TCPTW_COL_TW_OUT, &d->top_out, &d->top_out_tw);
	for (i = 0; i < r->nr_rows; i++)
		if (!is_loopback(&r->rows[i]) &&
		    tcptw_peer_value(r, &r->rows[i], TCPTW_COL_TW_OUT, &v))
			d->tw_out_remote += v;
}

static void check_recycle(struct doctor *d)
{
	struct sysctl_val s;

	sysctl_read(d, "net/ipv4/tcp_tw_recycle", &s);
	if (!s.found)
		return;	/* removed in 4.12: absence is the healthy case */
	if (s.v[0]) {
		finding(d, SEV_CRIT, "net.ipv4.tcp_tw_recycle is set: clients behind NAT fail to connect");
		detail("evidence", "tcp_tw_recycle = %llu", s.v[0]);
		detail("why", "it drops SYNs whose TCP timestamp is older than the last one seen from the same IP; hosts behind one NAT address have unrelated clocks, so their connections randomly fail. Linux 4.12 removed it for that reason");
		detail("fix", "sysctl -w net.ipv4.tcp_tw_recycle=0 and delete it from /etc/sysctl.conf and /etc/sysctl.d/*; for outbound TIME-WAIT use net.ipv4.tcp_tw_reuse=1");
	} else {
		finding(d, SEV_INFO, "net.ipv4.tcp_tw_recycle exists: this kernel is older than 4.12");
		detail("evidence", "tcp_tw_recycle = 0");
		detail("fix", "keep it 0; never copy advice that sets it");
	}
}

/*
 * The kernel's PAWS drops on existing connections: paws_estab, and since
 * 1.2 paws_timewait where the kernel counts TIME-WAIT apart from it.
 */
static const char *paws_drops_text(const struct tcptw_report *r, char *buf,
				   size_t size)
{
	int n = snprintf(buf, size, "paws_estab %llu",
			 (unsigned long long)r->key[TCPTW_KEY_PAWS_ESTAB]);

	if (r->key_has[TCPTW_KEY_PAWS_TIMEWAIT] && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " + paws_timewait %llu",
			 (unsigned long long)r->key[TCPTW_KEY_PAWS_TIMEWAIT]);
	return buf;
}

static void check_timestamps(struct doctor *d, const struct sysctl_val *ts,
			     const struct sysctl_val *reuse)
{
	if (!ts->found) {
		unseen(d, "net.ipv4.tcp_timestamps: not readable");
		return;
	}
	if (ts->v[0])
		return;
	finding(d, SEV_CRIT, "net.ipv4.tcp_timestamps = 0: PAWS protection is off and tcp_tw_reuse cannot work");
	if (d->r) {
		char paws[96];

		detail("evidence", "tcp_timestamps = 0, tcp_tw_reuse = %s, outbound TIME-WAIT %llu, %s",
		       reuse->found ? (reuse->v[0] == 1 ? "1" : reuse->v[0] == 2 ? "2" : "0") : "?",
		       (unsigned long long)d->tw_out,
		       paws_drops_text(d->r, paws, sizeof(paws)));
	} else {
		detail("evidence", "tcp_timestamps = 0");
	}
	detail("why", "without timestamps PAWS cannot reject old duplicate segments (sequence wrap at high rates, reused 4-tuples), RTT measurement is coarser, and tcp_tw_reuse never reuses a TIME-WAIT port because it needs the timestamp to be safe");
	detail("fix", "sysctl -w net.ipv4.tcp_timestamps=1 (the default) and remove the setting from /etc/sysctl.d/*");
}

static void check_reuse(struct doctor *d, const struct sysctl_val *reuse,
			const struct sysctl_val *ts, unsigned long long width)
{
	unsigned long long busy = width ? width / 20 : 1400;

	if (!reuse->found) {
		unseen(d, "net.ipv4.tcp_tw_reuse: not readable");
		return;
	}
	if (!d->r) {
		if (reuse->v[0] != 1)
			unseen(d, "outbound TIME-WAIT (needs /proc/tcptw): whether tcp_tw_reuse = %llu is enough",
			       reuse->v[0]);
		return;
	}
	if (reuse->v[0] == 1 && ts->found && !ts->v[0]) {
		finding(d, SEV_WARN, "net.ipv4.tcp_tw_reuse = 1 has no effect: tcp_timestamps is 0");
		detail("evidence", "tcp_tw_reuse = 1, tcp_timestamps = 0, tw_reused %llu",
		       (unsigned long long)d->r->key[TCPTW_KEY_TW_REUSED]);
		detail("fix", "sysctl -w net.ipv4.tcp_timestamps=1");
		return;
	}
	if (reuse->v[0] != 1 &&
	    (d->top_out_tw >= busy || d->tw_out_remote >= 5000) &&
	    (reuse->v[0] == 0 || d->tw_out_remote)) {
		finding(d, SEV_WARN, "net.ipv4.tcp_tw_reuse = %llu while this host holds %llu outbound TIME-WAIT",
			reuse->v[0], (unsigned long long)d->tw_out);
		detail("evidence", "outbound TIME-WAIT %llu (%llu to non-loopback peers), most to %s: %llu; tcp_tw_reuse = %llu%s",
		       (unsigned long long)d->tw_out,
		       (unsigned long long)d->tw_out_remote,
		       d->top_out ? d->top_out->addr : "-",
		       (unsigned long long)d->top_out_tw, reuse->v[0],
		       reuse->v[0] == 2 ? " (loopback only)" : "");
		detail("why", "connect() cannot take a local port still in TIME-WAIT to the same destination unless tcp_tw_reuse is 1; outbound TIME-WAIT then exhausts ip_local_port_range");
		detail("fix", "sysctl -w net.ipv4.tcp_tw_reuse=1 (safe with tcp_timestamps=1; it only affects outbound connections); better still, keep connections open (pooling, keep-alive)");
		return;
	}
	if (reuse->v[0] == 1 && d->tw_in >= 1000 && d->tw_in > 10 * d->tw_out) {
		finding(d, SEV_INFO, "net.ipv4.tcp_tw_reuse = 1 does not help here: the TIME-WAIT is inbound");
		detail("evidence", "inbound TIME-WAIT %llu, outbound %llu",
		       (unsigned long long)d->tw_in,
		       (unsigned long long)d->tw_out);
		detail("why", "tcp_tw_reuse only lets connect() reuse a port; TIME-WAIT of connections the peers opened (we closed first) is untouched and costs little (no port is held)");
		detail("fix", "nothing to tune; if they matter, let clients close first or use keep-alive");
	}
}

static void check_port_range(struct doctor *d, const struct sysctl_val *pr)
{
	unsigned long long lo, hi, width;

	if (!pr->found || pr->n != 2) {
		if (!d->r || !d->r->key_has[TCPTW_KEY_PORT_RANGE]) {
			unseen(d, "net.ipv4.ip_local_port_range: not readable");
			return;
		}
		lo = d->r->port_low;
		hi = d->r->port_high;
	} else {
		lo = pr->v[0];
		hi = pr->v[1];
	}
	if (lo > hi)
		return;
	width = hi - lo + 1;
	if (lo < 1024) {
		finding(d, SEV_WARN, "net.ipv4.ip_local_port_range starts in the privileged ports");
		detail("evidence", "ip_local_port_range = %llu %llu", lo, hi);
		detail("why", "outbound connections take ports that system services bind, which then fail with EADDRINUSE");
		detail("fix", "sysctl -w net.ipv4.ip_local_port_range=\"10000 65000\" (or keep the default 32768 60999)");
	} else if (lo < 10000) {
		finding(d, SEV_WARN, "net.ipv4.ip_local_port_range overlaps common service ports");
		detail("evidence", "ip_local_port_range = %llu %llu: includes e.g. 3306, 5432, 6379, 8080",
		       lo, hi);
		detail("why", "a client connection can hold a port a service later needs: the service fails to start (EADDRINUSE)");
		detail("fix", "start the range at 10000 or above, or list the services' ports in net.ipv4.ip_local_reserved_ports");
	}
	if (width < 10000) {
		finding(d, SEV_WARN, "net.ipv4.ip_local_port_range is narrow: %llu ports", width);
		detail("evidence", "ip_local_port_range = %llu %llu: about %llu new connections per second per destination before TIME-WAIT (60 s) holds every port",
		       lo, hi, width / 60);
		detail("fix", "widen it, e.g. sysctl -w net.ipv4.ip_local_port_range=\"10000 65000\"");
	}
	/* Format 1.1 counts the ports per destination exactly: check_tuples. */
	if (d->r && d->top_out && !d->r->key_seen[TCPTW_KEY_TUPLES]) {
		unsigned long long pct = d->top_out_tw * 100 / width;

		if (pct >= 50) {
			finding(d, pct >= 80 ? SEV_CRIT : SEV_WARN,
				"outbound TIME-WAIT to %s holds %llu%% of the local ports",
				d->top_out->addr, pct);
			detail("evidence", "%llu outbound TIME-WAIT to %s, ip_local_port_range = %llu %llu (%llu ports): at 60 s of TIME-WAIT at most about %llu connections per second to one destination",
			       (unsigned long long)d->top_out_tw,
			       d->top_out->addr, lo, hi, width, width / 60);
			detail("why", "once every port to that destination is in TIME-WAIT, connect() fails with EADDRNOTAVAIL");
			detail("fix", "reuse connections (pooling, keep-alive); net.ipv4.tcp_tw_reuse=1; widen ip_local_port_range; more destination addresses or ports");
		}
	}
}

static void check_buckets(struct doctor *d, const struct sysctl_val *max)
{
	const struct tcptw_report *r = d->r;
	unsigned long long limit, def = 0;
	const char *def_from = NULL;
	struct sysctl_val orphans;

	if (max->found) {
		limit = max->v[0];
	} else if (r && r->key_has[TCPTW_KEY_TW_MAX]) {
		limit = r->key[TCPTW_KEY_TW_MAX];
	} else {
		unseen(d, "net.ipv4.tcp_max_tw_buckets: not readable");
		return;
	}
	/* The kernel sets it to half the established hash at boot. */
	if (r && r->key_has[TCPTW_KEY_EHASH_BUCKETS] &&
	    r->key[TCPTW_KEY_EHASH_BUCKETS] >= 2) {
		def = r->key[TCPTW_KEY_EHASH_BUCKETS] / 2;
		def_from = "ehash_buckets / 2 from the report";
	} else {
		sysctl_read(d, "net/ipv4/tcp_max_orphans", &orphans);
		def = orphans.found ? orphans.v[0] : 0;
		def_from = "tcp_max_orphans, which the kernel sets to the same ehash / 2 at boot";
	}
	if (def && limit < def) {
		bool overflow = r && r->key[TCPTW_KEY_TW_OVERFLOW];

		finding(d, overflow ? SEV_CRIT : SEV_WARN,
			"net.ipv4.tcp_max_tw_buckets = %llu is below the kernel default %llu",
			limit, def);
		if (r)
			detail("evidence", "tcp_max_tw_buckets = %llu, default %llu (%s); tw_buckets %llu, tw_overflow %llu",
			       limit, def, def_from,
			       (unsigned long long)r->key[TCPTW_KEY_TW_BUCKETS],
			       (unsigned long long)r->key[TCPTW_KEY_TW_OVERFLOW]);
		else
			detail("evidence", "tcp_max_tw_buckets = %llu, default %llu (%s)",
			       limit, def, def_from);
		detail("why", "past the limit the kernel closes connections without TIME-WAIT (\"time wait bucket table overflow\"): late segments of the old connection can corrupt a new one; a minisocket costs only ~200 bytes");
		detail("fix", "sysctl -w net.ipv4.tcp_max_tw_buckets=%llu (the default) and remove the lowered value from /etc/sysctl.d/*",
		       def);
	} else if (!def && limit < 4096) {
		finding(d, SEV_WARN, "net.ipv4.tcp_max_tw_buckets = %llu is very low", limit);
		detail("evidence", "tcp_max_tw_buckets = %llu; the kernel default (ehash / 2) is not known without /proc/tcptw",
		       limit);
		detail("fix", "restore the boot default (ehash buckets / 2, usually tens of thousands or more)");
	}
	if (!r)
		return;
	if (r->key_has[TCPTW_KEY_TW_OVERFLOW] && r->key[TCPTW_KEY_TW_OVERFLOW]) {
		finding(d, SEV_CRIT, "TIME-WAIT bucket table overflowed %llu times",
			(unsigned long long)r->key[TCPTW_KEY_TW_OVERFLOW]);
		detail("evidence", "tw_overflow %llu, tw_buckets %llu of tw_max %llu",
		       (unsigned long long)r->key[TCPTW_KEY_TW_OVERFLOW],
		       (unsigned long long)r->key[TCPTW_KEY_TW_BUCKETS],
		       (unsigned long long)r->key[TCPTW_KEY_TW_MAX]);
		detail("fix", "raise net.ipv4.tcp_max_tw_buckets (at least to the default) and find who closes so many connections: tcptw --sort tw");
	}
	if (r->key_has[TCPTW_KEY_TW_PRESSURE_PCT] &&
	    r->key[TCPTW_KEY_TW_PRESSURE_PCT] >= 75) {
		uint64_t p = r->key[TCPTW_KEY_TW_PRESSURE_PCT];

		finding(d, p >= 90 ? SEV_CRIT : SEV_WARN,
			"TIME-WAIT is close to tcp_max_tw_buckets: %llu%%",
			(unsigned long long)p);
		detail("evidence", "tw_buckets %llu of tw_max %llu",
		       (unsigned long long)r->key[TCPTW_KEY_TW_BUCKETS],
		       (unsigned long long)r->key[TCPTW_KEY_TW_MAX]);
		detail("fix", "raise net.ipv4.tcp_max_tw_buckets before it overflows, and reduce connection churn (keep-alive, pooling)");
	}
}

static void check_fin_timeout(struct doctor *d, const struct sysctl_val *fin)
{
	if (!fin->found) {
		unseen(d, "net.ipv4.tcp_fin_timeout: not readable");
		return;
	}
	if (fin->v[0] >= 60)
		return;
	finding(d, SEV_WARN, "net.ipv4.tcp_fin_timeout = %llu does not shorten TIME-WAIT",
		fin->v[0]);
	detail("evidence", "tcp_fin_timeout = %llu (default 60)%s", fin->v[0],
	       d->r ? "; TIME-WAIT TTLs in the report still reach 60 s" : "");
	detail("why", "TIME-WAIT lasts a fixed 60 s (TCP_TIMEWAIT_LEN); tcp_fin_timeout only limits orphaned FIN_WAIT2, so lowering it mostly resets slow peers that have not sent their FIN yet");
	detail("fix", "sysctl -w net.ipv4.tcp_fin_timeout=60 unless FIN_WAIT2 orphans are a measured problem");
}

/* paws_active, and with format 1.1 the peer tcptw saw most of them from. */
static void paws_active_evidence(const struct tcptw_report *r)
{
	const struct tcptw_peer *top = NULL;
	uint64_t v, most = 0;
	char paws[96];
	size_t i;

	paws_drops_text(r, paws, sizeof(paws));
	for (i = 0; i < r->nr_paws; i++)
		if (tcptw_paws_value(r, &r->paws[i], TCPTW_COL_P_SYN_SENT, &v) &&
		    v > most) {
			most = v;
			top = &r->paws[i];
		}
	if (!top) {
		detail("evidence", "paws_active %llu, %s",
		       (unsigned long long)r->key[TCPTW_KEY_PAWS_ACTIVE], paws);
		return;
	}
	detail("evidence", "paws_active %llu, %s; in the last %llu s tcptw saw %llu in SYN_SENT, most from %s: %llu",
	       (unsigned long long)r->key[TCPTW_KEY_PAWS_ACTIVE], paws,
	       (unsigned long long)r->key[TCPTW_KEY_PAWS_SINCE_S],
	       (unsigned long long)r->key[TCPTW_KEY_PAWS_REJ_SYN_SENT],
	       top->addr, (unsigned long long)most);
}

static void check_piles(struct doctor *d, const struct sysctl_val *fin)
{
	const struct tcptw_peer *top;
	uint64_t sum, top_val;

	if (!d->r)
		return;
	sum = total(d->r, TCPTW_COL_CLOSE_WAIT, &top, &top_val);
	if (sum >= 100) {
		finding(d, sum >= 1000 ? SEV_CRIT : SEV_WARN,
			"%llu sockets in CLOSE_WAIT: an application is not closing its sockets",
			(unsigned long long)sum);
		detail("evidence", "close_wait %llu in all, most with %s: %llu",
		       (unsigned long long)sum, top ? top->addr : "other",
		       (unsigned long long)top_val);
		detail("why", "CLOSE_WAIT means the peer closed and the local program never called close(); no sysctl ends it, the sockets and their file descriptors leak");
		detail("fix", "find the process with ss -tanp state close-wait and fix its close path (or restart it meanwhile)");
	}
	sum = total(d->r, TCPTW_COL_FIN_WAIT2, &top, &top_val);
	if (sum >= 100) {
		finding(d, sum >= 1000 ? SEV_CRIT : SEV_WARN,
			"%llu sockets in FIN_WAIT2: peers are not closing their side",
			(unsigned long long)sum);
		detail("evidence", "fin_wait2 %llu in all, most with %s: %llu; tcp_fin_timeout = %s",
		       (unsigned long long)sum, top ? top->addr : "other",
		       (unsigned long long)top_val,
		       fin->found ? (fin->v[0] == 60 ? "60" : "changed") : "?");
		detail("why", "we closed, the peer acknowledged but never sent its FIN: a peer application not closing, or a local program that called shutdown() without close()");
		detail("fix", "look at the peer's application (ss -tano state fin-wait-2 shows the timers); orphaned FIN_WAIT2 end after tcp_fin_timeout");
	}
	if (d->r->key_has[TCPTW_KEY_PAWS_ACTIVE] &&
	    d->r->key[TCPTW_KEY_PAWS_ACTIVE]) {
		finding(d, SEV_INFO, "PAWS dropped %llu SYN-ACKs of outgoing connections",
			(unsigned long long)d->r->key[TCPTW_KEY_PAWS_ACTIVE]);
		paws_active_evidence(d->r);
		detail("why", "the SYN-ACK echoed a timestamp this host never sent for that connect(): a late SYN-ACK of an earlier attempt on the same ports, or a middlebox (NAT, load balancer, firewall) rewriting or replaying timestamps; connect() then retries its SYN, a delay of a second or more");
		detail("fix", "find the destination and the middlebox on the path to it; do not turn tcp_timestamps off for it");
	}
}

/* How many findings of one kind are printed before "and N more". */
#define DOCTOR_LIST_MAX	5

static const struct tcptw_peer *peer_by_addr(const struct tcptw_report *r,
					     int family,
					     const unsigned char *bin)
{
	size_t i;

	for (i = 0; i < r->nr_peers; i++)
		if (r->peers[i].family == family &&
		    !memcmp(r->peers[i].bin, bin, family == AF_INET ? 4 : 16))
			return &r->peers[i];
	return NULL;
}

static uint64_t peer_col(const struct tcptw_report *r,
			 const struct tcptw_peer *p, int col)
{
	uint64_t v = 0;

	if (p)
		tcptw_peer_value(r, p, col, &v);
	return v;
}

static const char *sysctl_text(const struct sysctl_val *s, char *buf,
			       size_t size)
{
	if (!s->found)
		return "?";
	snprintf(buf, size, "%llu", s->v[0]);
	return buf;
}

/* A peer's PAWS rows (peer, local port) summed, for one finding per peer. */
struct paws_sum {
	bool nat;		/* any row's nat */
	uint64_t rejects, path[4], tw_syn, sports, age;
	char ports[96];		/* "443 (409), 80 (3)" */
};

static uint64_t paws_col(const struct tcptw_report *r,
			 const struct tcptw_peer *p, int col)
{
	uint64_t v = 0;

	tcptw_paws_value(r, p, col, &v);
	return v;
}

static void paws_sum_peer(const struct tcptw_report *r,
			  const struct tcptw_peer *peer, struct paws_sum *s)
{
	size_t i, len = 0;
	int c, ports = 0;

	memset(s, 0, sizeof(*s));
	s->age = UINT64_MAX;
	for (i = 0; i < r->nr_paws; i++) {
		const struct tcptw_peer *row = &r->paws[i];
		uint64_t v;

		if (row->family != peer->family ||
		    memcmp(row->bin, peer->bin, sizeof(row->bin)))
			continue;
		s->rejects += paws_col(r, row, TCPTW_COL_REJECTS);
		for (c = 0; c < 4; c++)
			s->path[c] += paws_col(r, row, TCPTW_COL_P_ESTAB + c);
		s->tw_syn += paws_col(r, row, TCPTW_COL_TW_SYN);
		s->nat |= paws_col(r, row, TCPTW_COL_P_NAT) == 1;
		/* Distinct source ports cannot be summed: the most is a floor. */
		v = paws_col(r, row, TCPTW_COL_SPORTS);
		if (v > s->sports)
			s->sports = v;
		if (tcptw_paws_value(r, row, TCPTW_COL_AGE_S, &v) && v < s->age)
			s->age = v;
		if (++ports <= 3 && len < sizeof(s->ports))
			len += snprintf(s->ports + len, sizeof(s->ports) - len,
					"%s%llu (%llu)", ports > 1 ? ", " : "",
					(unsigned long long)paws_col(r, row, TCPTW_COL_LPORT),
					(unsigned long long)paws_col(r, row, TCPTW_COL_REJECTS));
		else if (ports == 4 && len < sizeof(s->ports))
			snprintf(s->ports + len, sizeof(s->ports) - len, ", ...");
	}
}

static bool seen_before(const struct tcptw_report *r, size_t upto,
			const struct tcptw_peer *p)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (r->paws[i].family == p->family &&
		    !memcmp(r->paws[i].bin, p->bin, sizeof(p->bin)))
			return true;
	return false;
}

/*
 * PAWS rejects that look like NAT (format 1.1): several hosts behind one
 * address whose timestamp clocks disagree, refused by this host's TIME-WAIT.
 */
static void check_nat(struct doctor *d, const struct sysctl_val *ts,
		      const struct sysctl_val *rfc1337)
{
	const struct tcptw_report *r = d->r;
	size_t i, shown = 0, more = 0;
	uint64_t other_rejects = 0, plain_sports = 0;
	const struct tcptw_peer *top_plain = NULL;
	struct paws_sum top_plain_sum = { 0 };
	char a[32], b[32];

	if (!r || !r->key_seen[TCPTW_KEY_PAWS_ROWS])
		return;
	for (i = 0; i < r->nr_paws; i++) {
		const struct tcptw_peer *row = &r->paws[i];
		const struct tcptw_peer *peer;
		bool keep_tw = rfc1337->found && rfc1337->v[0];
		struct paws_sum s;
		enum severity sev;

		if (seen_before(r, i, row))
			continue;	/* rows are by rejects: first is largest */
		paws_sum_peer(r, row, &s);
		if (!s.nat) {
			other_rejects += s.rejects;
			if (s.sports > plain_sports)
				plain_sports = s.sports;
			if (!top_plain || s.rejects > top_plain_sum.rejects) {
				top_plain = row;
				top_plain_sum = s;
			}
			continue;
		}
		if (shown == DOCTOR_LIST_MAX) {
			more++;
			continue;
		}
		shown++;
		peer = peer_by_addr(r, row->family, row->bin);
		/* Not seen for an hour: history, whatever the settings. */
		sev = s.age != UINT64_MAX && s.age >= 3600 ? SEV_INFO :
		      keep_tw && s.path[3] ? SEV_CRIT : SEV_WARN;
		finding(d, sev, "peer %s: %llu segment%s dropped by PAWS from %s%llu source port%s: looks like NAT",
			row->addr, (unsigned long long)s.rejects,
			s.rejects == 1 ? "" : "s",
			s.sports >= TCPTW_PAWS_SPORTS_MAX ? "at least " : "",
			(unsigned long long)s.sports, s.sports == 1 ? "" : "s");
		detail("evidence", "local ports %s; estab %llu, syn_sent %llu, syn_recv %llu, TIME-WAIT %llu of which %llu new SYNs; last %llu s ago; the peer holds %llu TIME-WAIT here; tcp_timestamps = %s, tcp_rfc1337 = %s",
		       s.ports, (unsigned long long)s.path[0],
		       (unsigned long long)s.path[1],
		       (unsigned long long)s.path[2],
		       (unsigned long long)s.path[3],
		       (unsigned long long)s.tw_syn,
		       (unsigned long long)(s.age == UINT64_MAX ? 0 : s.age),
		       (unsigned long long)peer_col(r, peer, TCPTW_COL_TW),
		       sysctl_text(ts, a, sizeof(a)),
		       sysctl_text(rfc1337, b, sizeof(b)));
		detail("why", "hosts behind one address have unrelated TCP timestamp clocks (each its own clock, and since Linux 4.10 a random offset). When one of them reuses a source port whose previous connection this host still holds in TIME-WAIT, the SYN is accepted only if its timestamp is newer (RFC 6191), so about half are refused: %s",
		       keep_tw ?
		       "with tcp_rfc1337 = 1 the client's RST cannot end the TIME-WAIT and every retry is refused again, so those connections fail"
		       : "the client's RST ends the TIME-WAIT and its SYN retry succeeds 1 s later, a delay users see");
		detail("fix", "%sdo not enable net.ipv4.tcp_tw_recycle (removed in Linux 4.12: it refused such SYNs on every connection from the address) and do not set tcp_timestamps=0 here or on the clients (PAWS is lost, and the TIME-WAIT check falls back to sequence numbers, which fail the same way); tcp_tw_reuse does not help, it only affects connect(). Instead keep this host from holding TIME-WAIT towards the NAT: let the clients close first (keep-alive, client-side close), reuse connections so fewer are opened; on the NAT, avoid reusing a source port within 60 s (a larger port pool or more public addresses)",
		       keep_tw ?
		       "sysctl -w net.ipv4.tcp_rfc1337=0 so a client's RST ends the TIME-WAIT; " : "");
	}
	if (more) {
		finding(d, SEV_INFO, "%zu more peers look like NAT", more);
		detail("fix", "tcptw --sort paws; the PAWS table lists them all (tcptw -o json --top 0)");
	}
	if (top_plain && other_rejects >= 100) {
		char ports[160];

		/*
		 * 1.1 flagged every peer with two source ports; since 1.2 only
		 * new connections refused in TIME-WAIT from two ports count.
		 */
		if (plain_sports < 2)
			snprintf(ports, sizeof(ports), "one source port at a time");
		else
			snprintf(ports, sizeof(ports), "up to %llu%s source ports per peer, but new connections refused in TIME-WAIT from one at most",
				 (unsigned long long)plain_sports,
				 plain_sports >= TCPTW_PAWS_SPORTS_MAX ? "+" : "");
		finding(d, SEV_INFO, "%llu segments dropped by PAWS from peers that do not look like NAT",
			(unsigned long long)other_rejects);
		detail("evidence", "most from %s: %llu (local ports %s; estab %llu, syn_sent %llu, syn_recv %llu, TIME-WAIT %llu), %s",
		       top_plain->addr,
		       (unsigned long long)top_plain_sum.rejects,
		       top_plain_sum.ports,
		       (unsigned long long)top_plain_sum.path[0],
		       (unsigned long long)top_plain_sum.path[1],
		       (unsigned long long)top_plain_sum.path[2],
		       (unsigned long long)top_plain_sum.path[3], ports);
		detail("why", "PAWS drops a segment whose timestamp is older than the last one of its connection: a few are old duplicates; many from one host mean its timestamps went backwards (a middlebox rewriting them, a host that rebooted) or, in SYN_SENT, SYN-ACKs echoing a timestamp this host never sent");
		detail("fix", "nothing to tune on this host; if it persists, capture the peer's segments (tcpdump) and compare their TSval and TSecr");
	}
}

/* Port exhaustion per destination (format 1.1): the port table, exactly. */
static void check_tuples(struct doctor *d, const struct sysctl_val *reuse,
			 const struct sysctl_val *ts)
{
	const struct tcptw_report *r = d->r;
	size_t i, shown = 0, more = 0;
	char a[32], b[32];

	if (!r)
		return;
	for (i = 0; i < r->nr_tuples; i++) {
		const struct tcptw_tuple *t = &r->tuples[i];
		const struct tcptw_peer *peer;
		uint64_t used = 0, range = 0, pct = 0;
		char remote[TCPTW_TUPLE_MAX];

		tcptw_tuple_value(r, t, TCPTW_COL_USED, &used);
		tcptw_tuple_value(r, t, TCPTW_COL_RANGE, &range);
		tcptw_tuple_value(r, t, TCPTW_COL_PCT, &pct);
		if (pct < 50)
			break;	/* sorted by pct */
		if (shown == DOCTOR_LIST_MAX) {
			more++;
			continue;
		}
		shown++;
		snprintf(remote, sizeof(remote),
			 t->family == AF_INET6 ? "[%s]:%u" : "%s:%u", t->remote,
			 t->port);
		peer = peer_by_addr(r, t->family, t->remote_bin);
		finding(d, pct >= 80 ? SEV_CRIT : SEV_WARN,
			"%s -> %s uses %llu of %llu local ports (%llu%%): %s",
			t->local, remote, (unsigned long long)used,
			(unsigned long long)range, (unsigned long long)pct,
			pct >= 80 ? "connect() will fail with EADDRNOTAVAIL" :
			"connect() fails with EADDRNOTAVAIL at 100%");
		detail("evidence", "port table: %s used %llu, range %llu (ip_local_port_range %u-%u); %s in all (every port): %llu outbound TIME-WAIT, %llu established; tcp_tw_reuse = %s, tcp_timestamps = %s",
		       t->text, (unsigned long long)used,
		       (unsigned long long)range, r->port_low, r->port_high,
		       t->remote,
		       (unsigned long long)peer_col(r, peer, TCPTW_COL_TW_OUT),
		       (unsigned long long)peer_col(r, peer, TCPTW_COL_ESTAB),
		       sysctl_text(reuse, a, sizeof(a)),
		       sysctl_text(ts, b, sizeof(b)));
		detail("why", "connect() needs a local port that no other socket from %s to %s holds, in any state; a closed connection keeps its port 60 s in TIME-WAIT",
		       t->local, remote);
		detail("fix", "reuse connections (pooling, keep-alive) so fewer are opened and closed; %s; widen net.ipv4.ip_local_port_range (e.g. \"10000 65000\", service ports kept out with ip_local_reserved_ports); more source addresses: bind() each socket to one of several local addresses with IP_BIND_ADDRESS_NO_PORT set, so the port is still chosen per destination at connect(); or more destination addresses or ports",
		       reuse->found && reuse->v[0] == 1 ?
		       "tcp_tw_reuse is already 1, which frees only ports whose TIME-WAIT is older than 1 s, never those of open connections"
		       : "net.ipv4.tcp_tw_reuse=1 lets connect() take a port whose TIME-WAIT is older than 1 s (outgoing connections only; needs tcp_timestamps=1)");
	}
	if (more) {
		finding(d, SEV_INFO, "%zu more outbound tuples use 50%% or more of their local ports",
			more);
		detail("fix", "tcptw lists them under \"most exhausted ports\" (--top 0 for all)");
	}
}

static void check_conntrack(struct doctor *d)
{
	struct sysctl_val count, max;

	sysctl_read(d, "net/netfilter/nf_conntrack_count", &count);
	sysctl_read(d, "net/netfilter/nf_conntrack_max", &max);
	if (!count.found || !max.found || !max.v[0]) {
		unseen(d, "nf_conntrack_count / nf_conntrack_max: conntrack not loaded here (nothing to judge)");
		return;
	}
	if (count.v[0] * 100 < max.v[0] * 75)
		return;
	finding(d, count.v[0] * 100 >= max.v[0] * 90 ? SEV_CRIT : SEV_WARN,
		"the conntrack table is %llu%% full",
		count.v[0] * 100 / max.v[0]);
	detail("evidence", "nf_conntrack_count %llu of nf_conntrack_max %llu",
	       count.v[0], max.v[0]);
	detail("why", "when full, new connections are dropped (\"nf_conntrack: table full, dropping packet\"); TIME-WAIT connections keep their entries for nf_conntrack_tcp_timeout_time_wait");
	detail("fix", "raise net.netfilter.nf_conntrack_max (and the hashsize), or skip tracking for busy local traffic (notrack rules)");
}

int tcptw_doctor(const struct tcptw_opts *opts)
{
	struct sysctl_val ts, reuse, pr, max, fin, rfc1337;
	struct doctor d = { .opts = opts };
	struct tcptw_report r;
	unsigned long long width = 0;
	char msg[512];

	if (tcptw_load(opts, &r, msg, sizeof(msg))) {
		unseen(&d, "the tcptw report: %s", msg);
	} else {
		d.r = &r;
		split_directions(&d);
	}
	sysctl_read(&d, "net/ipv4/tcp_timestamps", &ts);
	sysctl_read(&d, "net/ipv4/tcp_tw_reuse", &reuse);
	sysctl_read(&d, "net/ipv4/ip_local_port_range", &pr);
	sysctl_read(&d, "net/ipv4/tcp_max_tw_buckets", &max);
	sysctl_read(&d, "net/ipv4/tcp_fin_timeout", &fin);
	sysctl_read(&d, "net/ipv4/tcp_rfc1337", &rfc1337);
	if (pr.n == 2 && pr.v[0] <= pr.v[1])
		width = pr.v[1] - pr.v[0] + 1;

	printf("tcptw doctor: sysctls from %s, report from %s\n\n",
	       opts->sysctl_root, d.r ? opts->input : "(none)");
	check_recycle(&d);
	check_timestamps(&d, &ts, &reuse);
	check_reuse(&d, &reuse, &ts, width);
	check_port_range(&d, &pr);
	check_tuples(&d, &reuse, &ts);
	check_buckets(&d, &max);
	check_fin_timeout(&d, &fin);
	check_piles(&d, &fin);
	check_nat(&d, &ts, &rfc1337);
	check_conntrack(&d);

	if (!d.count[SEV_INFO] && !d.count[SEV_WARN] && !d.count[SEV_CRIT])
		printf("OK    nothing to report\n");
	if (d.unseen[0])
		printf("\nnot seen:\n%s", d.unseen);
	printf("\n%u critical, %u warning, %u info\n", d.count[SEV_CRIT],
	       d.count[SEV_WARN], d.count[SEV_INFO]);
	if (d.r)
		tcptw_report_free(&r);
	return d.count[SEV_CRIT] ? TCPTW_CRITICAL :
	       d.count[SEV_WARN] ? TCPTW_WARNING : TCPTW_OK;
}
