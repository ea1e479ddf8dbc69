// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for the reset-paws tests: write() of the command fails
 * with the errno in TCPTW_TEST_WRITE_ERRNO, as tcptw.ko refuses it (EPERM
 * without CAP_NET_ADMIN, EINVAL for an unknown command, EIO without any
 * write handler), which a regular file never does.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t count)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	const char *e = getenv("TCPTW_TEST_WRITE_ERRNO");

	if (e && count >= 10 && !memcmp(buf, "reset paws", 10)) {
		errno = atoi(e);
		return -1;
	}
	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))
			     dlsym(RTLD_NEXT, "write");
	return real_write(fd, buf, count);
}
