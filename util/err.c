#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"
#include "util/xalloc.h"

void
err_init(struct err *err)
{
	memset(err, 0, sizeof(*err));
}

static void
vset(struct err *err, enum err_code code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	err->sys = 0;
	err->file[0] = '\0';
	err->line = err->col = 0;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int
err_set_at(struct err *err, enum err_code code, const char *file, unsigned line,
           unsigned col, const char *fmt, ...)
{
	va_list ap;

	err->sys = 0;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int
err_set_errno(struct err *err, enum err_code code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	err->file[0] = '\0';
	err->line = err->col = 0;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	err->sys = saved;
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
	         strerror(saved));
	return code;
}

int
err_prefix(struct err *err, const char *fmt, ...)
{
	char pre[sizeof(err->msg)];
	size_t pl, ml = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre) - 2, fmt, ap);
	va_end(ap);
	strcat(pre, ": ");
	pl = strlen(pre);
	if (pl + ml >= sizeof(err->msg))
		ml = sizeof(err->msg) - pl - 1;
	memmove(err->msg + pl, err->msg, ml);
	memcpy(err->msg, pre, pl);
	err->msg[pl + ml] = '\0';
	return err->code;
}

void
err_print(const struct err *err, FILE *fp)
{
	/* names and values in messages come from outside: escaped */
	if (err->file[0] != '\0') {
		esc_fputs(err->file, fp);
		if (err->line > 0) {
			fprintf(fp, ":%u", err->line);
			if (err->col > 0)
				fprintf(fp, ":%u", err->col);
		}
		fputs(": ", fp);
	}
	esc_fputs(err->msg, fp);
	fputc('\n', fp);
}

void
diags_init(struct diags *d)
{
	d->v = NULL;
	d->n = d->cap = 0;
}

void
diags_release(struct diags *d)
{
	free(d->v);
	diags_init(d);
}

struct err *
diags_add(struct diags *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	err_init(&d->v[d->n]);
	return &d->v[d->n++];
}

static int
cmp_pos(const void *a, const void *b)
{
	const struct err *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

void
diags_sort(struct diags *d)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < d->n; i++) {
		struct err t = d->v[i];
		size_t j = i;

		while (j > 0 && cmp_pos(&d->v[j - 1], &t) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = t;
	}
}
