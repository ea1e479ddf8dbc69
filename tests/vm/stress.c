// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-stress: the workers of tests/vm/stress.sh on the debug kernel. Each
 * runs until a stop file appears, checks what it saw and ends with one line
 * "figures WORKER key value ...", plus a "bad: ..." line per broken rule;
 * it exits 1 if there was any.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_TCPTW	"/proc/tcptw"
#define MODULE_NAME	"tcptw"
#define SHARED_FILE	"/tmp/tcptw-stress.shared"
#define IO_TIMEOUT_MS	5000
#define MAX_FILES	16
#define MAX_ERRNO	134
#define MAX_BAD		20	/* "bad:" lines printed per worker */
#define FAILSLAB_BUF	(4 << 20)
#define WORKER_NICE	10

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static const char usage_text[] =
	"usage: tcptw-stress churn --stop FILE --mode tw|ctw|rst|mix --family 4|6|mapped\n"
	"                          --src ADDR [--peers N] --dst ADDR --port PORT\n"
	"       tcptw-stress read --stop FILE [--unload-ok] FILE...\n"
	"       tcptw-stress hold --stop FILE DEBUGFS-FILE...\n"
	"       tcptw-stress netns --stop FILE [--port PORT]\n"
	"       tcptw-stress reload --stop FILE --module KO [--cycles N] [--pause-ms MS]\n"
	"                           [--done FILE]\n"
	"       tcptw-stress failslab --rounds N FILE...\n"
	"\n"
	"churn   connects to DST:PORT from SRC (and the next PEERS-1 addresses) and\n"
	"        closes: tw server first, ctw client first (TIME-WAIT on either side),\n"
	"        rst with a reset (SO_LINGER 0), mix all three in turn.\n"
	"read    opens, reads to the end and closes each FILE in a loop; a complete\n"
	"        read must parse, a snapshot re-read after lseek(0) must be identical.\n"
	"        --unload-ok: the module comes and goes (ENOENT, ENXIO on open, EIO\n"
	"        on reading /proc/tcptw after the unload are expected).\n"
	"hold    holds /proc/tcptw open across an unload (the next read must fail\n"
	"        with EIO), then a debugfs FILE for a second (rmmod must wait).\n"
	"netns   in a loop: a new network namespace with 6 connections (IPv4, IPv6),\n"
	"        whose /proc/tcptw and debugfs count must show those 12 sockets only.\n"
	"reload  unloads (retrying while busy) and loads the module, at least N times\n"
	"        (default 100; then it creates the --done file) and until the stop\n"
	"        file appears; it leaves the module loaded.\n"
	"failslab reads each FILE N times with /proc/thread-self/make-it-fail set,\n"
	"        in a namespace of its own with 100 peers; every read must either\n"
	"        fail with ENOMEM or give a complete report.\n"
	"The stop file is polled; shared counters live in " SHARED_FILE ".\n";

/* What the reload worker tells the others, in a MAP_SHARED file. */
struct shared {
	uint32_t unloads;	/* completed delete_module() calls */
	uint32_t busy;		/* delete_module() refused: the module is in use */
};

struct errcount {
	unsigned long n[MAX_ERRNO + 1];
};

static const char *me = "tcptw-stress";
static const char *stop_file;
static struct shared *shared;
static unsigned int bad_count;

static void die(const char *fmt, ...) __noreturn __printf(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", me);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(void) __noreturn;
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* A broken rule: counted, the first MAX_BAD printed. */
static void bad(const char *fmt, ...) __printf(1, 2);
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (bad_count++ >= MAX_BAD)
		return;
	printf("bad: %s: ", me);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);
	static char buf[16];

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void errcount_add(struct errcount *ec, int err)
{
	ec->n[err > 0 && err <= MAX_ERRNO ? err : 0]++;
}

/* " open_ENOENT 3 read_EIO 1": the non-zero counts, prefixed. */
static void errcount_print(const struct errcount *ec, const char *prefix)
{
	int err;

	for (err = 0; err <= MAX_ERRNO; err++)
		if (ec->n[err])
			printf(" %s_%s %lu", prefix, err ? errname(err) : "other",
			       ec->n[err]);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool stopping(void)
{
	return stop_file && access(stop_file, F_OK) == 0;
}

static unsigned long parse_ulong(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		die("bad %s '%s'", what, s);
	return v;
}

static void map_shared(void)
{
	int fd = open(SHARED_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, sizeof(*shared)))
		die("%s: %s", SHARED_FILE, strerror(errno));
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED)
		die("mmap %s: %s", SHARED_FILE, strerror(errno));
	close(fd);
}

static uint32_t shared_get(const uint32_t *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void shared_inc(uint32_t *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

/* --- what a complete read must look like -------------------------------------------------- */

enum layout {
	LAYOUT_PROC,	/* "tcptw 1.N", key value lines, then tables */
	LAYOUT_KV,	/* key value lines, then tables (ehash, count, walk_stats) */
	LAYOUT_TABLE,	/* tables: a header line, rows with as many fields */
};

struct target {
	const char *path;
	enum layout layout;
	const char *first;	/* what the first line starts with */
	int kv_lines;		/* summary lines, when fixed */
	int rows;		/* rows of the (one) table, when fixed */
	bool snapshot;		/* taken in open(): a re-read gives the same bytes */
};

static struct target target_for(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct target t = { .path = path, .layout = LAYOUT_KV, .first = "" };

	if (!strcmp(path, PROC_TCPTW)) {
		t.layout = LAYOUT_PROC;
		t.first = "tcptw 1.";
		t.snapshot = true;
	} else if (!strcmp(base, "sockets")) {
		t.layout = LAYOUT_TABLE;
		t.first = "local remote state ";
		t.snapshot = true;
	} else if (!strcmp(base, "paws_log")) {
		t.layout = LAYOUT_TABLE;
		t.first = "age_ms peer ";
	} else if (!strcmp(base, "ttl_hist")) {
		t.layout = LAYOUT_TABLE;
		t.first = "lo_ms hi_ms count";
		t.rows = 13;
	} else if (!strcmp(base, "ehash")) {
		t.first = "buckets ";
		t.kv_lines = 5;
	} else if (!strcmp(base, "count")) {
		t.first = "sockets ";
		t.kv_lines = 3;
		t.snapshot = true;
	} else if (!strcmp(base, "walk_stats")) {
		t.first = "walks ";
		t.kv_lines = 12;
		t.snapshot = true;
	}
	return t;
}

static int count_fields(const char *line, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
			n++;
	return n;
}

/* "123" or "32768-60999". */
static bool is_value(const char *s, size_t len)
{
	size_t i, digits = 0, dashes = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits++;
		} else if (s[i] == '-' && digits && i + 1 < len && !dashes) {
			dashes++;
		} else {
			return false;
		}
	}
	return digits > 0;
}

/* A summary value of a /proc/tcptw report, -1 if absent. */
static long kv_value(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key), pos = 0;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);

		if (nl == line)
			break;	/* the end of the summary */
		if ((size_t)(nl - line) > klen && !strncmp(line, key, klen) && line[klen] == ' ')
			return strtol(line + klen + 1, NULL, 10);
		pos = nl - buf + 1;
	}
	return -1;
}

/*
 * The rows a /proc/tcptw report must have after its summary: each table is
 * whole, so a report cut at a line boundary is caught too.
 */
static const char *check_proc_rows(const char *buf, size_t len, const int *rows, int sections,
				   const bool *has_other)
{
	long peers = kv_value(buf, len, "peers"), tuples = kv_value(buf, len, "tuples");
	long tuples_max = kv_value(buf, len, "tuples_max");
	long paws_rows = kv_value(buf, len, "paws_rows");

	if (peers < 0 || tuples < 0 || tuples_max < 0 || paws_rows < 0)
		return "a summary key is missing";
	if (sections != 4)
		return "not the three tables of format 1.1";
	if (rows[1] != peers + has_other[1])
		return "the peer table does not have \"peers\" rows";
	if (rows[2] != (tuples < tuples_max ? tuples : tuples_max))
		return "the port table does not have min(tuples, tuples_max) rows";
	if (rows[3] != paws_rows + has_other[3])
		return "the PAWS table does not have \"paws_rows\" rows";
	return NULL;
}

/*
 * NULL when @buf is a whole file of @t's layout, else what is wrong with it:
 * a torn or partial report is never an acceptable outcome of a read.
 */
static const char *check_layout(const struct target *t, const char *buf, size_t len,
				unsigned long *value_of_sockets)
{
	size_t pos = 0, lineno = 0;
	bool in_kv = t->layout != LAYOUT_TABLE, want_header = !in_kv, blank = false;
	int header_fields = 0, kv_lines = 0, section = in_kv ? 0 : 1;
	int rows[8] = { 0 };
	bool has_other[8] = { false };

	if (!len)
		return "empty";
	if (buf[len - 1] != '\n')
		return "does not end with a newline";
	if (strncmp(buf, t->first, strlen(t->first)))
		return "unexpected first line";
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl - line, i;
		int fields;

		pos += n + 1;
		for (i = 0; i < n; i++)
			if (line[i] < ' ' || line[i] > '~')
				return "a byte that is not printable ASCII";
		if (lineno++ == 0 && t->layout == LAYOUT_PROC) {
			if (!is_value(line + 8, n - 8) || memchr(line + 8, '-', n - 8))
				return "bad version line";
			continue;
		}
		if (!n) {
			if (blank || pos >= len)
				return "misplaced empty line";
			blank = true;
			in_kv = false;
			want_header = true;
			if (++section >= (int)ARRAY_SIZE(rows))
				return "too many sections";
			continue;
		}
		blank = false;
		fields = count_fields(line, n);
		if (line[0] == ' ' || line[n - 1] == ' ')
			return "stray space";
		if (in_kv) {
			const char *sp = memchr(line, ' ', n);

			size_t vlen = n - (sp + 1 - line);

			/* "-": a counter this kernel does not have (1.2). */
			if (fields != 2 || (!is_value(sp + 1, vlen) &&
					    !(vlen == 1 && sp[1] == '-')))
				return "a summary line is not \"key value\"";
			if (value_of_sockets && !strncmp(line, "sockets ", 8))
				*value_of_sockets = strtoul(sp + 1, NULL, 10);
			kv_lines++;
			continue;
		}
		if (want_header) {
			header_fields = fields;
			want_header = false;
			continue;
		}
		if (fields != header_fields)
			return "a row has not as many fields as its header";
		if (has_other[section])
			return "a row after the \"other\" row";
		has_other[section] = !strncmp(line, "other ", 6);
		rows[section]++;
	}
	if (t->kv_lines && kv_lines != t->kv_lines)
		return "not as many summary lines as the layout has";
	if (t->rows && rows[1] != t->rows)
		return "not as many rows as the layout has";
	if (t->layout == LAYOUT_PROC)
		return check_proc_rows(buf, len, rows, section + 1, has_other);
	return NULL;
}

/* --- reading -------------------------------------------------------------------------------- */

struct readbuf {
	char *p;
	size_t len;
	size_t cap;
	bool fixed;	/* failslab: no realloc() while faults are armed */
};

/*
 * Read @fd from its position to EOF into @rb, @chunk bytes per read().
 * Returns 0, or the errno of the read() that failed (data read so far kept).
 */
static int read_all(int fd, struct readbuf *rb, size_t chunk)
{
	rb->len = 0;
	for (;;) {
		ssize_t n;

		if (rb->cap - rb->len < chunk + 1) {
			size_t cap = rb->cap ? rb->cap * 2 : 1 << 16;
			char *p;

			while (cap - rb->len < chunk + 1)
				cap *= 2;
			if (rb->fixed)
				return EFBIG;
			p = realloc(rb->p, cap);
			if (!p)
				die("out of memory");
			rb->p = p;
			rb->cap = cap;
		}
		n = read(fd, rb->p + rb->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		rb->len += n;
	}
}

struct read_stats {
	unsigned long opens;
	unsigned long reads;		/* complete, well-formed reads */
	unsigned long rereads;		/* snapshot re-reads found identical */
	unsigned long truncated_eio;	/* /proc/tcptw reads cut by an unload */
	struct errcount open_err;
	struct errcount read_err;
};

static const size_t chunks[] = { 65536, 4096, 65536, 333, 65536, 4096, 17 };

/* Whether an open() failure is what an unload in progress gives. */
static bool open_err_expected(int err, bool unload_ok)
{
	return unload_ok && (err == ENOENT || err == ENXIO);
}

/* One open, read, maybe re-read, close of @t. */
static void read_once(const struct target *t, struct read_stats *st, struct readbuf *rb,
		      struct readbuf *again, unsigned long iter, bool unload_ok)
{
	size_t chunk = chunks[iter % ARRAY_SIZE(chunks)];
	const char *why;
	int fd, err;

	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		errcount_add(&st->open_err, err);
		if (!open_err_expected(err, unload_ok))
			bad("open %s: %s", t->path, errname(err));
		return;
	}
	st->opens++;
	err = read_all(fd, rb, chunk);
	if (err) {
		errcount_add(&st->read_err, err);
		/* proc's rundown at rmmod: reads of a file still open get EIO. */
		if (err == EIO && unload_ok && t->layout == LAYOUT_PROC)
			st->truncated_eio++;
		else
			bad("read %s (%zu-byte reads, %zu bytes in): %s", t->path, chunk,
			    rb->len, errname(err));
		close(fd);
		return;
	}
	why = check_layout(t, rb->p, rb->len, NULL);
	if (why) {
		bad("%s (%zu bytes, %zu-byte reads): %s", t->path, rb->len, chunk, why);
		close(fd);
		return;
	}
	st->reads++;
	if (t->snapshot && iter % 3 == 0) {
		if (lseek(fd, 0, SEEK_SET) != 0) {
			/* After proc's rundown, lseek() is EINVAL where read() is EIO. */
			if (errno == EINVAL && unload_ok && t->layout == LAYOUT_PROC)
				st->truncated_eio++;
			else
				bad("lseek %s: %s", t->path, errname(errno));
		} else {
			err = read_all(fd, again, 65536);
			if (err == EIO && unload_ok && t->layout == LAYOUT_PROC) {
				st->truncated_eio++;
			} else if (err) {
				errcount_add(&st->read_err, err);
				bad("re-read %s: %s", t->path, errname(err));
			} else if (again->len != rb->len || memcmp(again->p, rb->p, rb->len)) {
				bad("%s: a re-read after lseek(0) differs (%zu vs %zu bytes)",
				    t->path, again->len, rb->len);
			} else {
				st->rereads++;
			}
		}
	}
	close(fd);
}

/* The FILE arguments as targets (at least one, at most MAX_FILES); their number. */
static int targets_from_args(int argc, char **argv, struct target *targets)
{
	int i;

	if (!argc)
		usage();
	if (argc > MAX_FILES)
		die("too many files");
	for (i = 0; i < argc; i++)
		targets[i] = target_for(argv[i]);
	return argc;
}

static int cmd_read(int argc, char **argv, bool unload_ok)
{
	struct target targets[MAX_FILES];
	struct readbuf rb = { 0 }, again = { 0 };
	struct read_stats st = { 0 };
	unsigned long iter = 0;
	int n = targets_from_args(argc, argv, targets);

	while (!stopping()) {
		read_once(&targets[iter % n], &st, &rb, &again, iter / n, unload_ok);
		iter++;
	}
	printf("figures read opens %lu reads %lu rereads %lu proc_eio %lu", st.opens, st.reads,
	       st.rereads, st.truncated_eio);
	errcount_print(&st.open_err, "open");
	errcount_print(&st.read_err, "read");
	putchar('\n');
	if (!st.reads)
		bad("no complete read at all");
	return bad_count ? 1 : 0;
}

/* --- hold: files held open across an unload ----------------------------------------------- */

/* Open @path, retrying while the module is away; -1 once stopping. */
static int open_retry(const char *path)
{
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			return fd;
		if (!open_err_expected(errno, true))
			bad("open %s: %s", path, errname(errno));
		if (stopping())
			return -1;
		sleep_ms(5);
	}
}

enum hold_outcome { HOLD_STOPPED, HOLD_EIO, HOLD_WHOLE, HOLD_BAD };

/*
 * Open @path, read its first bytes, then wait: for an unload when
 * @until_unload (/proc/tcptw, which rmmod does not wait for), else a second
 * (a debugfs file, which rmmod must wait for). Then read the rest: after an
 * unload it must be EIO, otherwise the rest of a well-formed file.
 */
static enum hold_outcome hold_one(const char *path, bool until_unload, uint32_t *busy_seen)
{
	struct target t = target_for(path);
	struct readbuf rest = { 0 };
	enum hold_outcome ret = HOLD_BAD;
	uint32_t unloads, busy;
	char head[64], *whole;
	long long deadline;
	int fd, err;
	ssize_t h;

	fd = open_retry(path);
	if (fd < 0)
		return HOLD_STOPPED;
	unloads = shared_get(&shared->unloads);
	busy = shared_get(&shared->busy);
	h = read(fd, head, sizeof(head));
	if (h < 0 && errno == EIO && t.layout == LAYOUT_PROC) {
		close(fd);	/* the unload came first */
		return HOLD_EIO;
	}
	if (h <= 0) {
		bad("first read of a held %s: %s", path, h ? errname(errno) : "EOF");
		close(fd);
		return HOLD_BAD;
	}
	deadline = now_ms() + (until_unload ? 30000 : 1000);
	while (now_ms() < deadline && !stopping() &&
	       !(until_unload && shared_get(&shared->unloads) != unloads))
		sleep_ms(5);
	err = read_all(fd, &rest, 4096);
	*busy_seen = shared_get(&shared->busy) - busy;
	if (t.layout == LAYOUT_PROC && shared_get(&shared->unloads) != unloads) {
		if (err == EIO)
			ret = HOLD_EIO;
		else
			bad("a held %s read after rmmod gave %s (%zu bytes), not EIO", path,
			    err ? errname(err) : "success", rest.len);
	} else if (err) {
		bad("a held %s: %s", path, errname(err));
	} else {
		const char *why;

		whole = malloc(h + rest.len);
		if (!whole)
			die("out of memory");
		memcpy(whole, head, h);
		memcpy(whole + h, rest.p, rest.len);
		why = check_layout(&t, whole, h + rest.len, NULL);
		if (why)
			bad("a held %s: %s", path, why);
		else
			ret = HOLD_WHOLE;
		free(whole);
	}
	free(rest.p);
	close(fd);
	return ret;
}

static int cmd_hold(int argc, char **argv)
{
	unsigned long proc_eio = 0, proc_whole = 0, dbg_held = 0, dbg_busy = 0;
	uint32_t busy;
	int i = 0;

	if (!argc)
		usage();
	map_shared();
	while (!stopping()) {
		switch (hold_one(PROC_TCPTW, true, &busy)) {
		case HOLD_EIO:
			proc_eio++;
			break;
		case HOLD_WHOLE:
			proc_whole++;
			break;
		default:
			break;
		}
		if (hold_one(argv[i++ % argc], false, &busy) == HOLD_WHOLE) {
			dbg_held++;
			dbg_busy += busy;
		}
	}
	printf("figures hold proc_eio %lu proc_whole %lu debugfs_held %lu rmmod_busy_while_held %lu\n",
	       proc_eio, proc_whole, dbg_held, dbg_busy);
	if (!proc_eio)
		bad("no held /proc/tcptw ever saw an unload");
	if (!dbg_held || !dbg_busy)
		bad("no rmmod was seen waiting for a held debugfs file");
	return bad_count ? 1 : 0;
}

/* --- reload: rmmod and insmod in a loop --------------------------------------------------- */

static int cmd_reload(const char *ko, unsigned long min_cycles, long pause_ms, const char *done)
{
	static const char *const params[] = { "", "max_peers=2", "", "max_tuples=1 paws_max=1" };
	unsigned long cycles = 0, busy = 0, load_err = 0;
	long long max_wait = 0, busy_ms = 0, unload_ms = 0, load_ms = 0, t1;
	int fd, busy_errno = 0;

	map_shared();
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", ko, strerror(errno));
	srandom(getpid());
	while (cycles < min_cycles || !stopping()) {
		long long t0 = now_ms();
		const char *p = params[cycles % ARRAY_SIZE(params)];

		for (;;) {
			t1 = now_ms();
			if (!syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK))
				break;
			if (errno != EAGAIN && errno != EBUSY) {
				bad("rmmod: %s", errname(errno));
				goto out;
			}
			busy_errno = errno;
			busy++;
			shared_inc(&shared->busy);
			if (now_ms() - t0 > 60000) {
				bad("rmmod still refused after 60 s (%s)", errname(errno));
				goto out;
			}
			sleep_ms(2);
		}
		shared_inc(&shared->unloads);
		unload_ms += now_ms() - t1;
		busy_ms += t1 - t0;
		if (now_ms() - t0 > max_wait)
			max_wait = now_ms() - t0;
		/* Readers meet the module away for a moment. */
		sleep_ms(random() % 20);
		t1 = now_ms();
		if (syscall(SYS_finit_module, fd, p, 0)) {
			bad("insmod %s %s: %s", ko, p, errname(errno));
			load_err++;
			goto out;
		}
		load_ms += now_ms() - t1;
		if (++cycles == min_cycles && done)
			close(open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		sleep_ms(pause_ms / 2 + random() % (pause_ms + 1));
	}
out:
	printf("figures reload load_unload %lu rmmod_busy %lu rmmod_busy_errno %s rmmod_max_wait_ms %lld insmod_errors %lu busy_ms %lld rmmod_ms %lld insmod_ms %lld\n",
	       cycles, busy, busy ? errname(busy_errno) : "-", max_wait, load_err, busy_ms,
	       unload_ms, load_ms);
	return bad_count ? 1 : 0;
}

/* --- sockets -------------------------------------------------------------------------------- */

union sa {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

static socklen_t sa_len(const union sa *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->in4) : sizeof(a->in6);
}

/* ADDR as IPv4, IPv6, or ::ffff:a.b.c.d when @mapped. */
static union sa make_addr(const char *s, bool mapped, unsigned int port)
{
	union sa a;
	char buf[INET6_ADDRSTRLEN + 8];

	memset(&a, 0, sizeof(a));
	if (mapped) {
		snprintf(buf, sizeof(buf), "::ffff:%s", s);
		s = buf;
	}
	if (inet_pton(AF_INET, s, &a.in4.sin_addr) == 1) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(port);
	} else if (inet_pton(AF_INET6, s, &a.in6.sin6_addr) == 1) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(port);
	} else {
		die("bad address '%s'", s);
	}
	return a;
}

/* @base + @k, in the last byte(s) of the address. */
static union sa addr_plus(const union sa *base, unsigned int k)
{
	union sa a = *base;

	if (a.sa.sa_family == AF_INET) {
		a.in4.sin_addr.s_addr = htonl(ntohl(a.in4.sin_addr.s_addr) + k);
	} else {
		uint32_t *w = &a.in6.sin6_addr.s6_addr32[3];

		*w = htonl(ntohl(*w) + k);
	}
	return a;
}

static void set_int(int fd, int level, int opt, int val)
{
	setsockopt(fd, level, opt, &val, sizeof(val));
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_MS / 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int listen_on(const union sa *a, bool v6only)
{
	int fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (a->sa.sa_family == AF_INET6)
		set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only);
	if (bind(fd, &a->sa, sa_len(a)) || listen(fd, 128)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* A connected client from @src (port chosen at connect) to @dst; -1 with errno. */
static int connect_from(const union sa *src, const union sa *dst)
{
	int fd = socket(dst->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -1;
	set_timeouts(fd);
	if (src) {
		/* connect() picks the port: only the 4-tuple must be unique. */
		set_int(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
		if (bind(fd, &src->sa, sa_len(src)))
			goto fail;
	}
	if (connect(fd, &dst->sa, sa_len(dst)))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int accept_timeout(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, IO_TIMEOUT_MS) <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Until EOF (or a reset); the peer closed first. */
static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* --- churn ---------------------------------------------------------------------------------- */

enum closer { CLOSE_SERVER_FIRST, CLOSE_CLIENT_FIRST, CLOSE_RESET };

static int cmd_churn(const char *mode, const char *family, const char *src_s, unsigned long peers,
		     const char *dst_s, unsigned int port)
{
	static const char *const closer_names[] = { "tw", "ctw", "rst" };
	bool mapped = !strcmp(family, "mapped");
	union sa src = make_addr(src_s, mapped, 0), dst = make_addr(dst_s, mapped, port);
	unsigned long conns = 0, by_closer[3] = { 0 }, k = 0;
	struct errcount errs = { 0 };
	int lfd, m = -1;

	for (size_t i = 0; i < ARRAY_SIZE(closer_names); i++)
		if (!strcmp(mode, closer_names[i]))
			m = i;
	if (m < 0 && strcmp(mode, "mix"))
		die("bad mode '%s'", mode);
	if (strcmp(family, "4") && strcmp(family, "6") && !mapped)
		die("bad family '%s'", family);
	/* v4-mapped: a dual-stack IPv6 listener on ::, IPv6 clients from ::ffff:127.x. */
	if (mapped) {
		union sa any = make_addr("::", false, port);

		lfd = listen_on(&any, false);
	} else {
		lfd = listen_on(&dst, true);
	}
	if (lfd < 0)
		die("listen on port %u: %s", port, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	while (!stopping()) {
		union sa from = addr_plus(&src, k++ % (peers ? peers : 1));
		enum closer c = m >= 0 ? (enum closer)m : (enum closer)(conns % 3);
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		int cfd, sfd;

		cfd = connect_from(&from, &dst);
		if (cfd < 0) {
			errcount_add(&errs, errno);
			sleep_ms(10);
			continue;
		}
		sfd = accept_timeout(lfd);
		if (sfd < 0) {
			errcount_add(&errs, errno);
			close(cfd);
			continue;
		}
		switch (c) {
		case CLOSE_SERVER_FIRST:
			close(sfd);
			drain(cfd);
			close(cfd);
			break;
		case CLOSE_CLIENT_FIRST:
			close(cfd);
			drain(sfd);
			close(sfd);
			break;
		case CLOSE_RESET:
			setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(cfd);
			drain(sfd);
			close(sfd);
			break;
		}
		conns++;
		by_closer[c]++;
	}
	close(lfd);
	printf("figures churn-%s-%s connections %lu tw %lu ctw %lu rst %lu", mode, family, conns,
	       by_closer[0], by_closer[1], by_closer[2]);
	errcount_print(&errs, "error");
	putchar('\n');
	if (!conns)
		bad("no connection made");
	return bad_count ? 1 : 0;
}

/* --- netns: namespaces made, used, read and destroyed ------------------------------------- */

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* Listen, retrying while a new namespace's ::1 is not there yet. */
static int listen_retry(const union sa *a)
{
	long long deadline = now_ms() + 3000;

	for (;;) {
		int fd = listen_on(a, true);

		if (fd >= 0 || errno != EADDRNOTAVAIL || now_ms() > deadline)
			return fd;
		sleep_ms(10);
	}
}

/* Connect, retrying while ::1's route is not there yet. */
static int connect_retry(const union sa *dst)
{
	long long deadline = now_ms() + 3000;

	for (;;) {
		int fd = connect_from(NULL, dst);

		if (fd >= 0 || now_ms() > deadline ||
		    (errno != ENETUNREACH && errno != EADDRNOTAVAIL && errno != EHOSTUNREACH))
			return fd;
		sleep_ms(10);
	}
}

/*
 * The "sockets" value of @path read in this namespace: 0 and *value set,
 * 1 when the module is away (or went away while reading), -1 for anything
 * else (printed).
 */
static int read_sockets(const char *path, unsigned long *value)
{
	struct target t = target_for(path);
	struct readbuf rb = { 0 };
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return open_err_expected(errno, true) ? 1 : (bad("open %s: %s", path,
								 errname(errno)), -1);
	err = read_all(fd, &rb, 4096);
	close(fd);
	if (err) {
		free(rb.p);
		if (err == EIO && t.layout == LAYOUT_PROC)
			return 1;
		bad("read %s: %s", path, errname(err));
		return -1;
	}
	*value = ~0UL;
	why = check_layout(&t, rb.p, rb.len, value);
	free(rb.p);
	if (why) {
		bad("%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* One namespace's life, in a child: 0 checked, 1 module away, 2 mismatch. */
static int netns_child(unsigned int port)
{
	static const char *const files[] = { PROC_TCPTW, "/sys/kernel/debug/tcptw/count" };
	union sa v4 = make_addr("127.0.0.1", false, port), v6 = make_addr("::1", false, port);
	int l4, l6, fds[12], n = 0, i, ret = 0;
	unsigned long sockets;

	if (unshare(CLONE_NEWNET) || lo_up()) {
		bad("unshare -n, lo up: %s", errname(errno));
		return 2;
	}
	l4 = listen_on(&v4, true);
	l6 = listen_retry(&v6);
	if (l4 < 0 || l6 < 0) {
		bad("listen in a new namespace: %s", errname(errno));
		return 2;
	}
	for (i = 0; i < 6; i++) {
		int c = connect_retry(i < 4 ? &v4 : &v6), s;

		if (c < 0) {
			bad("connect in a new namespace: %s", errname(errno));
			return 2;
		}
		s = accept_timeout(i < 4 ? l4 : l6);
		if (s < 0) {
			bad("accept in a new namespace: %s", errname(errno));
			return 2;
		}
		fds[n++] = c;
		fds[n++] = s;
	}
	/* 6 connections, both ends: 12 sockets, and nothing of anyone else's. */
	for (i = 0; i < (int)ARRAY_SIZE(files); i++) {
		int r = read_sockets(files[i], &sockets);

		if (r < 0)
			ret = 2;
		else if (r > 0 && !ret)
			ret = 1;
		else if (r == 0 && sockets != 12) {
			bad("%s in a new namespace with 12 sockets says sockets %lu", files[i],
			    sockets);
			ret = 2;
		}
	}
	/* Leave TIME-WAIT and FIN_WAIT2 behind in the dying namespace. */
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(l4);
	close(l6);
	return ret;
}

static int cmd_netns(unsigned int port)
{
	unsigned long made = 0, checked = 0, away = 0, broken = 0;

	while (!stopping()) {
		pid_t pid;
		int status;

		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			int r = netns_child(port);

			fflush(stdout);
			_exit(r);
		}
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid: %s", strerror(errno));
		made++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
			broken++;
			bad_count++;
		} else if (WEXITSTATUS(status) == 1) {
			away++;
		} else {
			checked++;
		}
	}
	printf("figures netns namespaces %lu checked %lu module_away %lu broken %lu\n", made,
	       checked, away, broken);
	if (!checked)
		bad("no namespace was checked");
	return bad_count ? 1 : 0;
}

/* --- failslab: reads with allocations failing --------------------------------------------- */

/* 100 peers 127.0.0.x -> 127.0.0.1:PORT, held, and 10 of them left in TIME-WAIT. */
static void failslab_netns(unsigned int port)
{
	union sa dst = make_addr("127.0.0.1", false, port), src = make_addr("127.0.3.1", false, 0);
	int lfd, i;

	if (unshare(CLONE_NEWNET) || lo_up())
		die("unshare -n, lo up: %s", strerror(errno));
	lfd = listen_on(&dst, true);
	if (lfd < 0)
		die("listen: %s", strerror(errno));
	for (i = 0; i < 100; i++) {
		union sa from = addr_plus(&src, i);
		int c = connect_from(&from, &dst), s;

		if (c < 0)
			die("connect: %s", strerror(errno));
		s = accept_timeout(lfd);
		if (s < 0)
			die("accept: %s", strerror(errno));
		if (i < 10) {
			close(s);
			drain(c);
			close(c);
		}
		/* The others stay open until we exit. */
	}
}

static int set_make_it_fail(int fd, bool on)
{
	const char *v = on ? "1" : "0";

	for (int tries = 0; tries < 100; tries++)
		if (pwrite(fd, v, 1, 0) == 1)
			return 0;
	return -1;
}

static int cmd_failslab(unsigned long rounds, int argc, char **argv)
{
	struct target targets[MAX_FILES];
	struct errcount open_err = { 0 }, read_err = { 0 };
	unsigned long ok = 0, open_enomem = 0, read_enomem = 0, r;
	struct readbuf rb = { .fixed = true };
	int mif, i, n = targets_from_args(argc, argv, targets);

	failslab_netns(9990);
	/* Every page we touch while armed is touched now: no faults then. */
	rb.cap = FAILSLAB_BUF;
	rb.p = malloc(rb.cap);
	if (!rb.p || mlockall(MCL_CURRENT))
		die("buffer: %s", strerror(errno));
	memset(rb.p, 0, rb.cap);
	mif = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (mif < 0)
		die("/proc/thread-self/make-it-fail: %s", strerror(errno));
	if (set_make_it_fail(mif, true))
		die("arming make-it-fail: %s", strerror(errno));
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			const struct target *t = &targets[i];
			const char *why;
			int fd = open(t->path, O_RDONLY | O_CLOEXEC), err;

			if (fd < 0) {
				errcount_add(&open_err, errno);
				if (errno == ENOMEM)
					open_enomem++;
				continue;
			}
			err = read_all(fd, &rb, chunks[r % ARRAY_SIZE(chunks)]);
			close(fd);
			if (err) {
				errcount_add(&read_err, err);
				if (err == ENOMEM)
					read_enomem++;
				continue;
			}
			why = check_layout(t, rb.p, rb.len, NULL);
			if (why)
				bad("%s read with faults armed (%zu bytes): %s", t->path, rb.len,
				    why);
			else
				ok++;
		}
	}
	if (set_make_it_fail(mif, false))
		die("disarming make-it-fail: %s", strerror(errno));
	for (i = 1; i <= MAX_ERRNO; i++)
		if (i != ENOMEM && (open_err.n[i] || read_err.n[i]))
			bad("an error other than ENOMEM: %s (open %lu, read %lu)", errname(i),
			    open_err.n[i], read_err.n[i]);
	printf("figures failslab reads %lu complete %lu open_enomem %lu read_enomem %lu",
	       rounds * n, ok, open_enomem, read_enomem);
	errcount_print(&open_err, "open");
	errcount_print(&read_err, "read");
	putchar('\n');
	if (!ok)
		bad("no read completed with faults armed");
	if (!open_enomem && !read_enomem)
		bad("no read failed with ENOMEM: nothing was injected");
	return bad_count ? 1 : 0;
}

/* --- main ------------------------------------------------------------------------------------ */

enum { OPT_UNLOAD_OK = 256, OPT_PAUSE_MS };

static const struct option long_opts[] = {
	{ "stop",	required_argument, NULL, 's' },
	{ "mode",	required_argument, NULL, 'm' },
	{ "family",	required_argument, NULL, 'f' },
	{ "src",	required_argument, NULL, 'S' },
	{ "dst",	required_argument, NULL, 'D' },
	{ "peers",	required_argument, NULL, 'n' },
	{ "port",	required_argument, NULL, 'p' },
	{ "module",	required_argument, NULL, 'k' },
	{ "cycles",	required_argument, NULL, 'c' },
	{ "pause-ms",	required_argument, NULL, OPT_PAUSE_MS },
	{ "done",	required_argument, NULL, 'd' },
	{ "rounds",	required_argument, NULL, 'r' },
	{ "unload-ok",	no_argument,	   NULL, OPT_UNLOAD_OK },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	const char *cmd, *mode = NULL, *family = NULL, *src = NULL, *dst = NULL, *ko = NULL;
	const char *done = NULL;
	unsigned long peers = 1, cycles = 100, rounds = 0, port = 0, pause_ms = 200;
	bool unload_ok = false;
	int opt, nfiles;
	char **files;
	int ret;

	if (argc < 2)
		usage();
	cmd = argv[1];
	/* The options follow the command word. */
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case 's': stop_file = optarg; break;
		case 'm': mode = optarg; break;
		case 'f': family = optarg; break;
		case 'S': src = optarg; break;
		case 'D': dst = optarg; break;
		case 'n': peers = parse_ulong(optarg, "--peers"); break;
		case 'p': port = parse_ulong(optarg, "--port"); break;
		case 'k': ko = optarg; break;
		case 'c': cycles = parse_ulong(optarg, "--cycles"); break;
		case OPT_PAUSE_MS: pause_ms = parse_ulong(optarg, "--pause-ms"); break;
		case 'd': done = optarg; break;
		case 'r': rounds = parse_ulong(optarg, "--rounds"); break;
		case OPT_UNLOAD_OK: unload_ok = true; break;
		default: usage();
		}
	}
	files = argv + optind;
	nfiles = argc - optind;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Yield to the kernel's threads. Under TCG with KASAN and kmemleak,
	 * whose frees are RCU callbacks, workers at their priority starve
	 * ksoftirqd (which runs those callbacks) and the netns kworker: every
	 * synchronize_rcu() of rmmod then waits for minutes. The reload
	 * worker mostly sleeps in the kernel and stays at 0.
	 */
	if (strcmp(cmd, "reload"))
		setpriority(PRIO_PROCESS, 0, WORKER_NICE);

	if (!strcmp(cmd, "churn")) {
		if (!stop_file || !mode || !family || !src || !dst || !port || port > 65535)
			usage();
		me = "churn";
		ret = cmd_churn(mode, family, src, peers, dst, port);
	} else if (!strcmp(cmd, "read")) {
		if (!stop_file)
			usage();
		me = "read";
		ret = cmd_read(nfiles, files, unload_ok);
	} else if (!strcmp(cmd, "hold")) {
		if (!stop_file)
			usage();
		me = "hold";
		ret = cmd_hold(nfiles, files);
	} else if (!strcmp(cmd, "netns")) {
		if (!stop_file)
			usage();
		me = "netns";
		ret = cmd_netns(port ? port : 7000);
	} else if (!strcmp(cmd, "reload")) {
		if (!stop_file || !ko)
			usage();
		me = "reload";
		ret = cmd_reload(ko, cycles, pause_ms, done);
	} else if (!strcmp(cmd, "failslab")) {
		if (!rounds)
			usage();
		me = "failslab";
		ret = cmd_failslab(rounds, nfiles, files);
	} else {
		usage();
	}
	if (bad_count > MAX_BAD)
		printf("bad: %s: ... %u in all\n", me, bad_count);
	return ret;
}
