// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-natpeer: the two ends of the VM's NAT scenario (tests/vm/nat.sh). The server accepts and
 * closes at once, so that it holds the TIME-WAIT; each client connects from a fixed source port,
 * so that two clients behind one NAT meet that TIME-WAIT on the same 4-tuple.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_BACKLOG		64
#define DEFAULT_TIMEOUT_MS	2000

#define __noreturn		__attribute__((noreturn))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* connect's exit statuses: what the shell tells apart. */
enum connect_status {
	CONNECT_CLOSED = 0,	/* connected, read the server's EOF, closed */
	CONNECT_TIMEOUT = 1,	/* no answer to any SYN within the timeout */
	CONNECT_ERROR = 2,	/* refused, reset or a local error */
};

static const char usage_text[] =
	"usage: tcptw-natpeer serve ADDR PORT [--ready FILE]\n"
	"       tcptw-natpeer connect ADDR PORT --sport PORT [--timeout MS]\n"
	"\n"
	"serve prints \"accept PEER PEERPORT\" for every connection and closes it at once\n"
	"(the server closes first and keeps the TIME-WAIT), until killed.  connect binds\n"
	"source port PORT, connects, waits for the server's FIN and closes; it prints\n"
	"\"closed\" (exit 0), \"timeout\" when no SYN was answered within MS milliseconds\n"
	"(default 2000; exit 1) or \"error ...\" (exit 2).\n";

static __noreturn void usage(void)
{
	fputs(usage_text, stderr);
	exit(CONNECT_ERROR);
}

static __noreturn __printf(1, 2) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("tcptw-natpeer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(CONNECT_ERROR);
}

static unsigned short parse_port(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		die("'%s' is not a port", s);
	return (unsigned short)v;
}

static struct sockaddr_in parse_endpoint(const char *addr, const char *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die("'%s' is not an IPv4 address", addr);
	sin.sin_port = htons(parse_port(port));
	return sin;
}

static int tcp_socket(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR: %s", strerror(errno));
	return fd;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* poll_until FD EVENTS START TIMEOUT: 1 when ready, 0 when the time ran out. */
static int poll_until(int fd, short events, const struct timespec *start, long timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int n;

	for (;;) {
		left = timeout_ms - elapsed_ms(start);
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
	}
}

static int cmd_serve(const struct sockaddr_in *local, const char *ready)
{
	struct sockaddr_in peer;
	socklen_t len;
	char host[INET_ADDRSTRLEN];
	int fd = tcp_socket(), c;
	FILE *f;

	if (bind(fd, (const struct sockaddr *)local, sizeof(*local)))
		die("bind: %s", strerror(errno));
	if (listen(fd, LISTEN_BACKLOG))
		die("listen: %s", strerror(errno));
	if (ready) {
		f = fopen(ready, "w");
		if (!f || fputs("ready\n", f) == EOF || fclose(f))
			die("%s: %s", ready, strerror(errno));
	}
	for (;;) {
		len = sizeof(peer);
		c = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept: %s", strerror(errno));
		}
		/* Closing before the client does: the TIME-WAIT stays here. */
		close(c);
		inet_ntop(AF_INET, &peer.sin_addr, host, sizeof(host));
		printf("accept %s %u\n", host, ntohs(peer.sin_port));
	}
}

static int cmd_connect(const struct sockaddr_in *remote, unsigned short sport, long timeout_ms)
{
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(sport) };
	struct timespec start;
	socklen_t len = sizeof(int);
	char buf[256];
	int fd = tcp_socket(), err = 0;
	ssize_t n;

	if (bind(fd, (const struct sockaddr *)&local, sizeof(local)))
		die("bind port %u: %s", sport, strerror(errno));
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (connect(fd, (const struct sockaddr *)remote, sizeof(*remote)) && errno != EINPROGRESS)
		err = errno;
	else if (!poll_until(fd, POLLOUT, &start, timeout_ms)) {
		/* Every SYN so far went unanswered: closing drops the attempt. */
		puts("timeout");
		close(fd);
		return CONNECT_TIMEOUT;
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)) {
		err = errno;
	}
	if (err) {
		printf("error connect: %s\n", strerror(err));
		return CONNECT_ERROR;
	}
	/* The server closes first; we follow once its FIN arrived. */
	for (;;) {
		if (!poll_until(fd, POLLIN, &start, timeout_ms)) {
			puts("error no FIN from the server");
			return CONNECT_ERROR;
		}
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			printf("error read: %s\n", strerror(errno));
			return CONNECT_ERROR;
		}
	}
	close(fd);
	puts("closed");
	return CONNECT_CLOSED;
}

int main(int argc, char **argv)
{
	struct sockaddr_in ep;
	const char *ready = NULL;
	long timeout_ms = DEFAULT_TIMEOUT_MS;
	int sport = 0, i;
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4)
		usage();
	ep = parse_endpoint(argv[2], argv[3]);
	for (i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--ready")) {
			ready = argv[i + 1];
		} else if (!strcmp(argv[i], "--sport")) {
			sport = parse_port(argv[i + 1]);
		} else if (!strcmp(argv[i], "--timeout")) {
			timeout_ms = strtol(argv[i + 1], &end, 10);
			if (*end || timeout_ms <= 0 || timeout_ms > 600000)
				die("'%s' is not a timeout in milliseconds", argv[i + 1]);
		} else {
			usage();
		}
	}
	if (!strcmp(argv[1], "serve") && !sport)
		return cmd_serve(&ep, ready);
	if (!strcmp(argv[1], "connect") && sport && !ready)
		return cmd_connect(&ep, (unsigned short)sport, timeout_ms);
	usage();
}
