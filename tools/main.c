// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw: command line, reading /proc/tcptw (or a saved report) and the
 * dispatch to the report, check, watch, doctor and reset-paws commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcptw.h"
#include "../include/tcptw_version.h"

void tcptw_err(const char *fmt, ...)
{
	va_list ap;

	fputs("tcptw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double tcptw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int tcptw_sleep(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};

	while (nanosleep(&ts, &ts))
		if (errno != EINTR)
			return -1;
	return 0;
}

int tcptw_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || strchr(s, 'x') || strchr(s, 'X'))	/* no hex floats */
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0.1 || v > 86400)
		return -1;
	*out = v;
	return 0;
}

/* The whole input, bounded: /proc files have no size to ask for. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);

	if (!b)
		return ENOMEM;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb;

			if (cap > TCPTW_INPUT_MAX) {
				free(b);
				return EFBIG;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(b);
			return e;
		}
		if (!got)
			break;
		n += got;
	}
	*buf = b;
	*len = n;
	return 0;
}

int tcptw_load(const struct tcptw_opts *opts, struct tcptw_report *r,
	       char *msg, size_t size)
{
	bool is_stdin = !strcmp(opts->input, "-");
	const char *name = is_stdin ? "<stdin>" : opts->input;
	struct tcptw_parse_error err;
	size_t len = 0;
	char *buf = NULL;
	int fd, e;

	fd = is_stdin ? STDIN_FILENO : open(opts->input, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && opts->input_is_default)
			snprintf(msg, size, "%s: not found: the tcptw module is not loaded (fix: modprobe tcptw; or read a saved report with -f FILE)",
				 name);
		else
			snprintf(msg, size, "%s: %s", name, strerror(e));
		return -1;
	}
	e = read_all(fd, &buf, &len);
	if (!is_stdin)
		close(fd);
	if (e) {
		snprintf(msg, size, "%s: %s", name,
			 e == EFBIG ? "input larger than the tool accepts" :
			 strerror(e));
		return -1;
	}
	if (tcptw_report_parse(r, buf, len, &err)) {
		if (err.line)
			snprintf(msg, size, "%s:%lu: %s", name, err.line,
				 err.msg);
		else
			snprintf(msg, size, "%s: %s", name, err.msg);
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

static void print_usage(FILE *out)
{
	fputs("Usage: tcptw [OPTIONS]                 summary and top peers\n"
	      "       tcptw check --warn EXPR --crit EXPR [OPTIONS]\n"
	      "       tcptw watch [-i SECONDS] [--count N] [OPTIONS]\n"
	      "       tcptw doctor [OPTIONS]\n"
	      "       tcptw reset-paws                  empty the PAWS table (root)\n"
	      "Options:\n"
	      "  -f, --file FILE     read a saved report (\"-\": stdin) instead of /proc/tcptw\n"
	      "  -o, --output FMT    text (default), json or prom\n"
	      "  -n, --top N         show the N peers with most TIME-WAIT, and N rows of the\n"
	      "                      port and PAWS tables (default 20, 0: all)\n"
	      "  -s, --sort COLUMN   sort peers by a peer table column, largest first\n"
	      "  -p, --peer CIDR     only peers (remote addresses) in CIDR (IPv4 or IPv6)\n"
	      "  -w, --warn EXPR     check: WARNING when KEY OP NUMBER holds\n"
	      "  -c, --crit EXPR     check: CRITICAL when KEY OP NUMBER holds\n"
	      "  -i, --interval SEC  watch, check rates: seconds between reads (default 1)\n"
	      "      --count N       watch: stop after N reads\n"
	      "  -V, --version       the tool's version and the report formats it reads\n"
	      "  -h, --help          this help\n"
	      "Environment: TCPTW_PROC (input path), TCPTW_SYSCTL_ROOT (doctor, default /proc/sys)\n"
	      "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no module, bad input or usage). See tcptw(8).\n",
	      out);
}

static int push(const char ***list, size_t *n, const char *s)
{
	const char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -1;
	l[(*n)++] = s;
	*list = l;
	return 0;
}

enum { OPT_COUNT = 256 };

static const struct option long_options[] = {
	{ "file",	required_argument,	NULL, 'f' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "top",	required_argument,	NULL, 'n' },
	{ "sort",	required_argument,	NULL, 's' },
	{ "peer",	required_argument,	NULL, 'p' },
	{ "warn",	required_argument,	NULL, 'w' },
	{ "crit",	required_argument,	NULL, 'c' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct tcptw_opts *o,
		      const char **cmd)
{
	unsigned long n;
	int ch;

	while ((ch = getopt_long(argc, argv, "f:o:n:s:p:w:c:i:Vh", long_options,
				 NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->input = optarg;
			o->input_is_default = false;
			break;
		case 'o':
			if (!strcmp(optarg, "text")) {
				o->output = TCPTW_OUT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				o->output = TCPTW_OUT_JSON;
			} else if (!strcmp(optarg, "prom")) {
				o->output = TCPTW_OUT_PROM;
			} else {
				tcptw_err("-o %s: expected text, json or prom", optarg);
				return -1;
			}
			break;
		case 'n':
			if (parse_count(optarg, 1000000, &n)) {
				tcptw_err("--top %s: expected a number of peers", optarg);
				return -1;
			}
			o->top = n;
			break;
		case 's':
			/* Checked against the report's header once it is read. */
			if (tcptw_col_lookup(optarg) < 0 &&
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
			    strlen(optarg)) {
				tcptw_err("--sort %s: not a column name", optarg);
				return -1;
			}
			o->sort_name = optarg;
			break;
		case 'p':
			if (tcptw_cidr_parse(optarg, &o->cidr)) {
				tcptw_err("--peer %s: expected an IPv4 or IPv6 address or CIDR",
					  optarg);
				return -1;
			}
			break;
		case 'w':
		case 'c':
			if (ch == 'w' ? push(&o->warn, &o->nr_warn, optarg) :
			    push(&o->crit, &o->nr_crit, optarg)) {
				tcptw_err("out of memory");
				return -1;
			}
			break;
		case 'i':
			if (tcptw_parse_seconds(optarg, &o->interval)) {
				tcptw_err("-i %s: expected seconds, 0.1 to 86400", optarg);
				return -1;
			}
			break;
		case OPT_COUNT:
			if (parse_count(optarg, 1000000000, &o->count)) {
				tcptw_err("--count %s: expected a number of reads", optarg);
				return -1;
			}
			break;
		case 'V':
			printf("tcptw %s (/proc/tcptw format %d.%d; reads any %d.x)\n",
			       TCPTW_VERSION, TCPTW_FORMAT_MAJOR, TCPTW_FORMAT_MINOR,
			       TCPTW_FORMAT_MAJOR);
			exit(TCPTW_OK);
		case 'h':
			print_usage(stdout);
			exit(TCPTW_OK);
		default:
			print_usage(stderr);
			return -1;
		}
	}
	*cmd = optind < argc ? argv[optind++] : NULL;
	if (optind < argc) {
		tcptw_err("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	return 0;
}

static int report(const struct tcptw_opts *opts)
{
	struct tcptw_report r;
	char msg[512];

	if (tcptw_load(opts, &r, msg, sizeof(msg))) {
		tcptw_err("%s", msg);
		return TCPTW_UNKNOWN;
	}
	if (opts->sort_name && tcptw_header_lookup(&r, opts->sort_name) < 0 &&
	    strcmp(opts->sort_name, "peer")) {
		tcptw_err("--sort %s: no such column in the peer table",
			  opts->sort_name);
		tcptw_report_free(&r);
		return TCPTW_UNKNOWN;
	}
	switch (opts->output) {
	case TCPTW_OUT_JSON:
		tcptw_print_json(stdout, &r, opts);
		break;
	case TCPTW_OUT_PROM:
		tcptw_print_prom(stdout, &r, opts);
		break;
	default:
		tcptw_print_text(stdout, &r, opts,
				 strcmp(opts->input, "-") ? opts->input : "<stdin>");
	}
	tcptw_report_free(&r);
	return TCPTW_OK;
}

int main(int argc, char **argv)
{
	struct tcptw_opts opts = {
		.input = TCPTW_PROC_DEFAULT,
		.input_is_default = true,
		.output = TCPTW_OUT_TEXT,
		.top = TCPTW_TOP_DEFAULT,
		.interval = 1.0,
		.sysctl_root = TCPTW_SYSCTL_DEFAULT,
	};
	const char *env, *cmd;
	int ret;

	/* As iproute2's tests do: golden files without a kernel. */
	env = getenv("TCPTW_PROC");
	if (env && *env) {
		opts.input = env;
		opts.input_is_default = false;
	}
	env = getenv("TCPTW_SYSCTL_ROOT");
	if (env && *env)
		opts.sysctl_root = env;
	if (parse_args(argc, argv, &opts, &cmd)) {
		ret = TCPTW_UNKNOWN;
		goto out;
	}
	if ((opts.nr_warn || opts.nr_crit) && (!cmd || strcmp(cmd, "check"))) {
		tcptw_err("--warn and --crit belong to \"tcptw check\"");
		ret = TCPTW_UNKNOWN;
		goto out;
	}
	if (!cmd || !strcmp(cmd, "show")) {
		ret = report(&opts);
	} else if (!strcmp(cmd, "check")) {
		ret = tcptw_check(&opts);
	} else if (!strcmp(cmd, "watch")) {
		ret = tcptw_watch(&opts);
	} else if (!strcmp(cmd, "doctor")) {
		ret = tcptw_doctor(&opts);
	} else if (!strcmp(cmd, "reset-paws")) {
		ret = tcptw_reset_paws(&opts);
	} else {
		tcptw_err("unknown command \"%s\" (commands: check, watch, doctor, reset-paws)",
			  cmd);
		ret = TCPTW_UNKNOWN;
	}
out:
	free(opts.warn);
	free(opts.crit);
	if (fflush(stdout) && ret == TCPTW_OK) {
		tcptw_err("write error: %s", strerror(errno));
		ret = TCPTW_UNKNOWN;
	}
	return ret;
}
