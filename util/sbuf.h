#ifndef ADT_UTIL_SBUF_H
#define ADT_UTIL_SBUF_H

/* A growable NUL-terminated string buffer (git's strbuf, smaller). */

#include <stddef.h>

struct sbuf {
	char *buf; /* always NUL-terminated once initialised */
	size_t len, cap;
};

void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
/* Makes room for n more bytes at once (one allocation, not several). */
void sbuf_reserve(struct sbuf *sb, size_t n);
void sbuf_add(struct sbuf *sb, const void *p, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Hands the buffer to the caller (free()), leaves sb empty. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
