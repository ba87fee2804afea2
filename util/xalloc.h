#ifndef ADT_UTIL_XALLOC_H
#define ADT_UTIL_XALLOC_H

/* Allocation that aborts on out of memory (git, OpenBSD). */

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * Room for element n+1 of an array of n, growing geometrically without a
 * capacity field: the capacity is the next power of two of n (at least 8),
 * so only an array always grown through xgrow may be passed.
 */
void *xgrow(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
