// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw reset-paws: the one write command of /proc/tcptw (format 1.1),
 * which empties the PAWS table and zeroes the paws_rej_* counters of the
 * writer's network namespace. Each refusal is told with its fix.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tcptw.h"

int tcptw_reset_paws(const struct tcptw_opts *opts)
{
	static const char cmd[] = TCPTW_PAWS_RESET_CMD "\n";
	const char *name = opts->input;
	ssize_t n;
	int fd, e;

	if (!strcmp(name, "-")) {
		tcptw_err("reset-paws writes to /proc/tcptw (or -f FILE, TCPTW_PROC), not to standard input");
		return TCPTW_UNKNOWN;
	}
	fd = open(name, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && opts->input_is_default)
			tcptw_err("%s: not found: the tcptw module is not loaded (fix: modprobe tcptw)",
				  name);
		else if (e == EACCES || e == EPERM)
			tcptw_err("%s: %s: resetting the PAWS counters needs root (CAP_NET_ADMIN over this network namespace)",
				  name, strerror(e));
		else
			tcptw_err("%s: %s", name, strerror(e));
		return TCPTW_UNKNOWN;
	}
	/* One write(): the module takes the command whole or not at all. */
	do
		n = write(fd, cmd, sizeof(cmd) - 1);
	while (n < 0 && errno == EINTR);
	e = n < 0 ? errno : 0;
	close(fd);
	if (n >= 0 && (size_t)n == sizeof(cmd) - 1) {
		printf("PAWS table and paws_rej_* counters reset for this network namespace (%s)\n",
		       name);
		return TCPTW_OK;
	}
	if (n >= 0)
		tcptw_err("%s: short write (%zd of %zu bytes): nothing may have been reset",
			  name, n, sizeof(cmd) - 1);
	else if (e == EPERM || e == EACCES)
		tcptw_err("%s: %s: resetting the PAWS counters needs CAP_NET_ADMIN over this network namespace (run as root there)",
			  name, strerror(e));
	else if (e == EINVAL)
		tcptw_err("%s: the module refused \"%s\" (%s): this tcptw.ko does not know the command",
			  name, TCPTW_PAWS_RESET_CMD, strerror(e));
	else if (e == EIO)
		tcptw_err("%s: %s: the module takes no commands; tcptw.ko older than format 1.1 (upgrade it)",
			  name, strerror(e));
	else
		tcptw_err("%s: %s", name, strerror(e));
	return TCPTW_UNKNOWN;
}
