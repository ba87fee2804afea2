#ifndef ADT_UTIL_ERR_H
#define ADT_UTIL_ERR_H

/*
 * Errors: a negative code plus a caller-owned struct err.  Setting an error
 * never allocates.  A function that can fail returns 0 or a negative
 * enum err_code and fills *err; it never overwrites an error a lower layer
 * already set, it only adds context (err_prefix).
 */

#include <stddef.h>
#include <stdio.h>

enum err_code {
	ERR_OK = 0,
	ERR_FAIL = -1,
	ERR_NOTFOUND = -2,
	ERR_INVALID = -3,
	ERR_IO = -4,
	ERR_BACKEND = -5,
	ERR_CONFLICT = -6, /* live state no longer matches the plan */
	ERR_DENIED = -7,   /* refused by policy (protect, no terminal) */
};

struct err {
	enum err_code code;
	int sys;        /* errno, LDAP rc, NTSTATUS or krb5 code; 0 if none */
	char file[256]; /* "" when not tied to a file */
	unsigned line;  /* 1-based; 0 = unknown */
	unsigned col;
	char msg[512];
};

void err_init(struct err *err);

int err_set(struct err *err, enum err_code code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int err_set_at(struct err *err, enum err_code code, const char *file,
               unsigned line, unsigned col, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));
/* Like err_set, appends ": strerror(errno)" and keeps errno in sys. */
int err_set_errno(struct err *err, enum err_code code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prepends "context: " to the message; returns err->code. */
int err_prefix(struct err *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Writes "file:line:col: msg\n" (the parts that are known). */
void err_print(const struct err *err, FILE *fp);

/* A growable list of problems, for validation that reports all of them. */
struct diags {
	struct err *v;
	size_t n, cap;
};

void diags_init(struct diags *d);
void diags_release(struct diags *d);
struct err *diags_add(struct diags *d);
void diags_sort(struct diags *d); /* by file, line, col; stable */

#endif
