// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw watch: read the report every interval and show what changed since
 * the previous read: counter rates (new TIME-WAIT, overflow, PAWS per second,
 * per path with format 1.1, old ACKs with 1.2) and TIME-WAIT growth, overall
 * and per peer.
 */
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "tcptw.h"

/*
 * "12.5/s" for a counter; "reset" when it went backwards, or for the
 * counters of tcptw's PAWS table (paws_rej_*) when paws_since_s did
 * (tcptw reset-paws).
 */
static const char *rate(char *buf, size_t size, const struct tcptw_report *r,
			const struct tcptw_report *prev, int k, double dt)
{
	int since = TCPTW_KEY_PAWS_SINCE_S;

	if (!prev) {
		snprintf(buf, size, "-");
	} else if (!r->key_has[k] || !prev->key_has[k]) {
		snprintf(buf, size, "-");
	} else if (r->key[k] < prev->key[k] ||
		   (tcptw_key_since_paws_reset(k) &&
		    r->key_has[since] && prev->key_has[since] &&
		    r->key[since] < prev->key[since])) {
		snprintf(buf, size, "reset");
	} else {
		uint64_t d = r->key[k] - prev->key[k];

		snprintf(buf, size, "%.1f/s (+%llu)", d / dt,
			 (unsigned long long)d);
	}
	return buf;
}

static void frame(FILE *out, const struct tcptw_opts *opts,
		  const struct tcptw_report *r, const struct tcptw_report *prev,
		  unsigned long n, double dt)
{
	char a[64], b[64], c[64], d[64], e[64];
	struct tcptw_view v;

	if (isatty(fileno(out)))
		fputs("\033[H\033[2J", out);	/* in place: home, clear */
	else if (n > 1)
		fputc('\n', out);
	if (prev)
		fprintf(out, "tcptw watch: read %lu, %.1fs after the previous (%s)\n",
			n, dt, opts->input);
	else
		fprintf(out, "tcptw watch: read %lu, every %.1fs (%s); rates from the next read\n",
			n, opts->interval, opts->input);

	snprintf(a, sizeof(a), "-");
	if (r->key_has[TCPTW_KEY_TW_COUNT])
		snprintf(a, sizeof(a), "%llu",
			 (unsigned long long)r->key[TCPTW_KEY_TW_COUNT]);
	snprintf(b, sizeof(b), "-");
	if (prev && r->key_has[TCPTW_KEY_TW_COUNT] &&
	    prev->key_has[TCPTW_KEY_TW_COUNT]) {
		uint64_t now = r->key[TCPTW_KEY_TW_COUNT];
		uint64_t was = prev->key[TCPTW_KEY_TW_COUNT];

		snprintf(b, sizeof(b), "%s%llu, %+.1f/s", now >= was ? "+" : "-",
			 (unsigned long long)(now >= was ? now - was : was - now),
			 ((double)now - (double)was) / dt);
	}
	fprintf(out, "TIME-WAIT    %s sockets (growth %s), pressure %s%%\n", a, b,
		r->key_has[TCPTW_KEY_TW_PRESSURE_PCT] ?
		(snprintf(c, sizeof(c), "%llu", (unsigned long long)
			  r->key[TCPTW_KEY_TW_PRESSURE_PCT]), c) : "-");
	fprintf(out, "new TW       %s\n",
		rate(a, sizeof(a), r, prev, TCPTW_KEY_TW_EXPIRED, dt));
	fprintf(out, "overflow     %s\n",
		rate(b, sizeof(b), r, prev, TCPTW_KEY_TW_OVERFLOW, dt));
	fprintf(out, "reused       %s\n",
		rate(c, sizeof(c), r, prev, TCPTW_KEY_TW_REUSED, dt));
	/* 1.2: TIME-WAIT apart where the kernel counts it so, old ACKs. */
	fprintf(out, "PAWS         %s established%s, %s SYN_SENT",
		rate(d, sizeof(d), r, prev, TCPTW_KEY_PAWS_ESTAB, dt),
		r->key_seen[TCPTW_KEY_PAWS_TIMEWAIT] &&
		!r->key_has[TCPTW_KEY_PAWS_TIMEWAIT] ? " and TIME-WAIT" : "",
		rate(e, sizeof(e), r, prev, TCPTW_KEY_PAWS_ACTIVE, dt));
	if (r->key_has[TCPTW_KEY_PAWS_TIMEWAIT])
		fprintf(out, ", %s TIME-WAIT",
			rate(a, sizeof(a), r, prev, TCPTW_KEY_PAWS_TIMEWAIT, dt));
	if (r->key_seen[TCPTW_KEY_PAWS_OLD_ACK])
		fprintf(out, ", %s old ACKs",
			rate(a, sizeof(a), r, prev, TCPTW_KEY_PAWS_OLD_ACK, dt));
	fputc('\n', out);
	/* 1.1: the same drops as tcptw attributed them, path by path. */
	if (r->key_seen[TCPTW_KEY_PAWS_REJ_ESTAB]) {
		fprintf(out, "PAWS seen    %s established, %s SYN_SENT, %s SYN_RECV, %s TIME-WAIT",
			rate(a, sizeof(a), r, prev, TCPTW_KEY_PAWS_REJ_ESTAB, dt),
			rate(b, sizeof(b), r, prev, TCPTW_KEY_PAWS_REJ_SYN_SENT, dt),
			rate(c, sizeof(c), r, prev, TCPTW_KEY_PAWS_REJ_SYN_RECV, dt),
			rate(d, sizeof(d), r, prev, TCPTW_KEY_PAWS_REJ_TW, dt));
		if (r->key_seen[TCPTW_KEY_PAWS_REJ_OLD_ACK])
			fprintf(out, ", %s old ACKs",
				rate(a, sizeof(a), r, prev,
				     TCPTW_KEY_PAWS_REJ_OLD_ACK, dt));
		fputc('\n', out);
	}
	fputc('\n', out);
	if (tcptw_view_build(r, opts, &v)) {
		tcptw_err("out of memory");
		return;
	}
	tcptw_print_peers(out, r, &v, prev);
	tcptw_view_free(&v);
	fflush(out);
}

int tcptw_watch(const struct tcptw_opts *opts)
{
	struct tcptw_report prev = { 0 }, r;
	bool have_prev = false;
	double start = tcptw_now(), last = 0;
	unsigned long n;
	char msg[512];

	for (n = 1; !opts->count || n <= opts->count; n++) {
		/* On a fixed schedule: the time each read takes does not add up. */
		double now, wait = start + (n - 1) * opts->interval - tcptw_now();

		if (n > 1 && wait > 0)
			tcptw_sleep(wait);
		now = tcptw_now();
		if (tcptw_load(opts, &r, msg, sizeof(msg))) {
			tcptw_err("%s", msg);
			tcptw_report_free(&prev);
			return TCPTW_UNKNOWN;
		}
		frame(stdout, opts, &r, have_prev ? &prev : NULL, n, now - last);
		tcptw_report_free(&prev);
		prev = r;
		have_prev = true;
		last = now;
	}
	tcptw_report_free(&prev);
	return TCPTW_OK;
}
