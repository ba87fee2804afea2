#include "util/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

bool
trace_on(const struct trace *t)
{
	return t != NULL && t->fn != NULL;
}

void
trace_log(const struct trace *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!trace_on(t))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->fn(t->ctx, line);
}

int64_t
trace_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
