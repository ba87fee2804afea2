#ifndef ADT_UTIL_TRACE_H
#define ADT_UTIL_TRACE_H

/*
 * The verbose log (-v): one line per network or file step, handed to a
 * caller's callback (git's trace2 without the global).  Library code never
 * owns the sink: cmd/ builds a struct trace and passes it down through
 * struct prov_cfg and struct lsa_login; a NULL trace, or one with a NULL
 * fn, logs nothing and costs one test.
 *
 * Lines say where, what and how long, e.g.
 *   "ldap dca.a.test (a.test): search CN=System,DC=a,DC=test: 12 ms, 3 entries"
 *   "lsa dcb.b.test (b.test): CreateTrustedDomainEx2 a.test: 41 ms"
 * and never a secret: callers pass names, DNs and counts, never a
 * password, a key or a ticket.  fn may be called from several threads at
 * once (the LDAP reader reads domains concurrently); each call is one
 * whole line without its newline.
 */

#include <stdbool.h>
#include <stdint.h>

struct trace {
	void (*fn)(void *ctx, const char *line);
	void *ctx;
};

/* True when t logs something: skip the work of building a line if not. */
bool trace_on(const struct trace *t);

/* Formats one line and hands it to t->fn; NULL-safe. */
void trace_log(const struct trace *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* A monotonic clock in milliseconds, for durations. */
int64_t trace_now_ms(void);

#endif
