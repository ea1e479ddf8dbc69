// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-latency: a small cyclictest for `make bench` inside the VM. Threads
 * pinned one per CPU sleep to an absolute CLOCK_MONOTONIC deadline every
 * interval at SCHED_FIFO and record how late they woke, so that a kernel path
 * that runs long without a resched point shows as a latency spike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* 1 µs buckets up to 100 ms; later wakeups go to one overflow bucket. */
#define HIST_BUCKETS	100000
#define THREAD_STACK	(256 * 1024)
#define NSEC_PER_SEC	1000000000LL
#define NSEC_PER_USEC	1000LL

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static const char usage_text[] =
	"usage: tcptw-latency --seconds N [--threads T] [--interval-us U] [--prio P]\n"
	"                     [--per-cpu]\n"
	"\n"
	"T threads (default: one per CPU this process may run on), each pinned to\n"
	"a CPU at SCHED_FIFO priority P (default 90; 0: normal priority), sleep to\n"
	"an absolute CLOCK_MONOTONIC deadline every U microseconds (default 1000)\n"
	"for N seconds and record the wakeup latency, now - deadline. Then one line:\n"
	"  samples S max_us M p99_us P p999_us Q avg_us A fifo 0|1 threads T\n"
	"over all threads: M the exact maximum, P and Q the 99th and 99.9th\n"
	"percentiles (whole microseconds, rounded down; a percentile beyond\n"
	"100 ms is given as M), A the mean, rounded down. fifo is 1 when every\n"
	"thread got SCHED_FIFO; when that is refused the threads run at normal\n"
	"priority (with 1 ns timer slack) and a warning goes to stderr.\n"
	"--per-cpu adds, after that line, one line per thread:\n"
	"  cpu C samples S max_us M p99_us P p999_us Q avg_us A\n";

struct lat_thread {
	pthread_t tid;
	int cpu;
	int fifo_ok;			/* SCHED_FIFO granted */
	int affinity_err;		/* errno of pthread_setaffinity_np */
	uint32_t *hist;			/* HIST_BUCKETS entries */
	uint64_t overflow;
	uint64_t samples;
	uint64_t sum_ns;
	int64_t max_ns;
};

static struct {
	long seconds;
	long threads;
	long interval_us;
	long prio;
	int per_cpu;
	pthread_barrier_t ready;	/* every thread set up */
	pthread_barrier_t go;		/* main has set start_ns */
	int64_t start_ns;
} cfg = {
	.seconds = -1,
	.threads = -1,
	.interval_us = 1000,
	.prio = 90,
};

static void die(const char *fmt, ...) __noreturn __printf(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tcptw-latency: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* A usage error: what is wrong, then the usage, exit 2. */
static void bad_usage(const char *fmt, ...) __noreturn __printf(1, 2);
static void bad_usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		fputs("tcptw-latency: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputs("\n\n", stderr);
		va_end(ap);
	}
	fputs(usage_text, stderr);
	exit(2);
}

static long parse_num(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s)
		bad_usage("%s needs a value", opt);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		bad_usage("%s: '%s' is not a whole number in %ld..%ld", opt, s,
			  min, max);
	return v;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	return ts;
}

static void record(struct lat_thread *t, int64_t lat_ns)
{
	int64_t us = lat_ns / NSEC_PER_USEC;

	if (lat_ns < 0) {	/* cannot happen with TIMER_ABSTIME; be safe */
		lat_ns = 0;
		us = 0;
	}
	if (us < HIST_BUCKETS)
		t->hist[us]++;
	else
		t->overflow++;
	t->samples++;
	t->sum_ns += lat_ns;
	if (lat_ns > t->max_ns)
		t->max_ns = lat_ns;
}

static void *lat_thread_run(void *arg)
{
	struct sched_param sp = { .sched_priority = (int)cfg.prio };
	int64_t interval = cfg.interval_us * NSEC_PER_USEC, next, end, now;
	struct lat_thread *t = arg;
	struct timespec ts;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	t->affinity_err = pthread_setaffinity_np(pthread_self(), sizeof(set),
						 &set);
	if (cfg.prio > 0)
		t->fifo_ok = !pthread_setschedparam(pthread_self(), SCHED_FIFO,
						    &sp);
	/* Normal tasks get 50 µs of timer slack by default, RT tasks none. */
	if (!t->fifo_ok)
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	/* Fault the histogram in before the clock starts (mlockall keeps it). */
	memset(t->hist, 0, HIST_BUCKETS * sizeof(*t->hist));
	pthread_barrier_wait(&cfg.ready);
	pthread_barrier_wait(&cfg.go);
	if (t->affinity_err)
		return NULL;

	next = cfg.start_ns + interval;
	end = cfg.start_ns + cfg.seconds * NSEC_PER_SEC;
	while (next <= end) {
		ts = ts_of(next);
		do
			err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					      &ts, NULL);
		while (err == EINTR);
		if (err)
			die("clock_nanosleep: %s", strerror(err));
		now = now_ns();
		record(t, now - next);
		/*
		 * One sample per wakeup: after a stall of several intervals
		 * the next deadline is the first one still ahead, so a long
		 * stall counts once, not as a run of shrinking latencies.
		 */
		next += interval;
		if (next <= now)
			next += ((now - next) / interval + 1) * interval;
	}
	return NULL;
}

/*
 * The smallest whole µs at or below which @per_mille / 1000 of the samples
 * fall; beyond the histogram, the exact maximum.
 */
static int64_t percentile_us(const uint64_t *hist, uint64_t samples,
			     int64_t max_ns, unsigned int per_mille)
{
	uint64_t need = (samples * per_mille + 999) / 1000, seen = 0;
	long k;

	if (!samples)
		return 0;
	for (k = 0; k < HIST_BUCKETS; k++) {
		seen += hist[k];
		if (seen >= need)
			return k;
	}
	return max_ns / NSEC_PER_USEC;
}

/* "samples S max_us M p99_us P p999_us Q avg_us A", no newline. */
static void print_stats(const uint64_t *hist, uint64_t samples,
			uint64_t sum_ns, int64_t max_ns)
{
	printf("samples %llu max_us %lld p99_us %lld p999_us %lld avg_us %llu",
	       (unsigned long long)samples, (long long)(max_ns / NSEC_PER_USEC),
	       (long long)percentile_us(hist, samples, max_ns, 990),
	       (long long)percentile_us(hist, samples, max_ns, 999),
	       (unsigned long long)(samples ? sum_ns / samples / NSEC_PER_USEC : 0));
}

static void parse_args(int argc, char **argv)
{
	const char *opt, *val;
	int i;

	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (!strcmp(opt, "--per-cpu")) {
			cfg.per_cpu = 1;
			continue;
		}
		val = argv[++i];	/* argv[argc] is NULL */
		if (!strcmp(opt, "--seconds"))
			cfg.seconds = parse_num(opt, val, 1, 86400);
		else if (!strcmp(opt, "--threads"))
			cfg.threads = parse_num(opt, val, 1, 1024);
		else if (!strcmp(opt, "--interval-us"))
			cfg.interval_us = parse_num(opt, val, 50, 1000000);
		else if (!strcmp(opt, "--prio"))
			cfg.prio = parse_num(opt, val, 0, 99);
		else
			bad_usage("unknown argument '%s'", opt);
	}
	if (cfg.seconds < 0)
		bad_usage("--seconds is required");
}

int main(int argc, char **argv)
{
	uint64_t *hist, samples = 0, sum_ns = 0;
	int64_t max_ns = 0;
	struct lat_thread *threads;
	pthread_attr_t attr;
	cpu_set_t allowed;
	int ncpus, i, k, cpu, fifo = 1, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		die("sched_getaffinity: %s", strerror(errno));
	ncpus = CPU_COUNT(&allowed);
	if (cfg.threads < 0)
		cfg.threads = ncpus;

	/* Before any thread exists: their stacks and histograms stay resident. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr,
			"tcptw-latency: mlockall: %s; page faults may add latency\n",
			strerror(errno));

	threads = calloc(cfg.threads, sizeof(*threads));
	hist = calloc(HIST_BUCKETS, sizeof(*hist));
	if (!threads || !hist)
		die("out of memory");
	if (pthread_barrier_init(&cfg.ready, NULL, cfg.threads + 1) ||
	    pthread_barrier_init(&cfg.go, NULL, cfg.threads + 1))
		die("pthread_barrier_init failed");
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, THREAD_STACK))
		die("pthread_attr_init failed");

	/* Thread i on the i-th allowed CPU, wrapping around when T > CPUs. */
	for (i = 0, cpu = -1; i < cfg.threads; i++) {
		do
			cpu = (cpu + 1) % CPU_SETSIZE;
		while (!CPU_ISSET(cpu, &allowed));
		threads[i].cpu = cpu;
		threads[i].hist = malloc(HIST_BUCKETS * sizeof(*threads[i].hist));
		if (!threads[i].hist)
			die("out of memory");
		err = pthread_create(&threads[i].tid, &attr, lat_thread_run,
				     &threads[i]);
		if (err)
			die("pthread_create: %s", strerror(err));
	}
	pthread_barrier_wait(&cfg.ready);
	for (i = 0; i < cfg.threads; i++) {
		if (threads[i].affinity_err)
			die("cannot pin a thread to CPU %d: %s", threads[i].cpu,
			    strerror(threads[i].affinity_err));
		fifo &= threads[i].fifo_ok;
	}
	if (cfg.prio > 0 && !fifo)
		fprintf(stderr,
			"tcptw-latency: sched_setscheduler(SCHED_FIFO, %ld) refused;"
			" running at normal priority (fifo 0)\n", cfg.prio);
	cfg.start_ns = now_ns();
	pthread_barrier_wait(&cfg.go);

	for (i = 0; i < cfg.threads; i++) {
		struct lat_thread *t = &threads[i];

		pthread_join(t->tid, NULL);
		for (k = 0; k < HIST_BUCKETS; k++)
			hist[k] += t->hist[k];
		samples += t->samples;
		sum_ns += t->sum_ns;
		if (t->max_ns > max_ns)
			max_ns = t->max_ns;
	}
	print_stats(hist, samples, sum_ns, max_ns);
	printf(" fifo %d threads %ld\n", fifo, cfg.threads);
	/* Per thread: the CPU a kernel path ran long on stands out here. */
	for (i = 0; cfg.per_cpu && i < cfg.threads; i++) {
		struct lat_thread *t = &threads[i];

		for (k = 0; k < HIST_BUCKETS; k++)
			hist[k] = t->hist[k];
		printf("cpu %d ", t->cpu);
		print_stats(hist, t->samples, t->sum_ns, t->max_ns);
		putchar('\n');
	}
	return 0;
}
