// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the /proc/tcptw parser and the renderers behind it:
 * any input must parse or be refused with a message, never crash or leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/tcptw.h"

#include <stdarg.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* main.c's, which the harness does not link: the renderers report with it. */
void tcptw_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct tcptw_opts opts = { .top = 3, .input = "fuzz" };
	struct tcptw_parse_error err;
	struct tcptw_report r;
	FILE *sink;

	if (tcptw_report_parse(&r, (const char *)data, size, &err)) {
		/* A refusal must always say why. */
		if (!err.msg[0])
			abort();
		return 0;
	}
	sink = fopen("/dev/null", "w");
	if (sink) {
		tcptw_print_text(sink, &r, &opts, "fuzz");
		tcptw_print_json(sink, &r, &opts);
		tcptw_print_prom(sink, &r, &opts);
		fclose(sink);
	}
	tcptw_report_free(&r);
	return 0;
}
