#ifndef ADT_CMD_CMD_H
#define ADT_CMD_CMD_H

/* The subcommands and the little state main() shares with them. */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#define EXIT_CHANGES 2
#define EXIT_USAGE 64

struct cmd_global {
	bool colour; /* stdout is a terminal and NO_COLOR is unset */
	bool quiet;
	bool verbose; /* -v: each LDAP, LSA and kadm5 step to stderr */
};

extern struct cmd_global cmd_g;

/*
 * Set to the signal's number by SIGINT, SIGTERM or SIGHUP while
 * cmd_signals_catch is in force: the apply stops between steps.
 */
extern volatile sig_atomic_t cmd_stop;
/* Catches SIGINT, SIGTERM and SIGHUP into cmd_stop (on), or restores the
 * default actions (off). */
void cmd_signals_catch(bool on);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/*
 * The checks of 'adtrust verify' (NETLOGON TC_VERIFY on each managed AD
 * side, a Kerberos service ticket across each permitted direction) for
 * other commands: apply after its writes, drift --verify.  Read-only.
 * Text lines go to stdout (each after o->indent), or with out (a JSON
 * array) one object per check is appended there instead.
 */
struct model;
struct model_trust;
struct model_secret_cache;
struct json_t;
struct cmd_check_opts {
	unsigned timeout_ms; /* per LSA request; 0: 60 s */
	bool kerberos_only;  /* NETLOGON was checked already (apply) */
	/* a ticket refused across a selective-authentication side is a SKIP
	 * (the user may lack Allowed-to-Authenticate), not a FAIL */
	bool selective_is_skip;
	const char *indent;
	struct model_secret_cache *secrets; /* shared: one prompt per run */
};
struct cmd_check_counts {
	size_t ok, fail, skip;
};
void cmd_check_trusts(const struct model *m,
                      const struct model_trust *const *ts, size_t n,
                      const struct cmd_check_opts *o, struct json_t *out,
                      struct cmd_check_counts *c);

/*
 * -v: what the providers log each step through ("adtrust: <line>" on
 * stderr), for struct prov_cfg and struct lsa_login; NULL without -v.
 */
struct trace;
const struct trace *cmd_trace(void);

/* Prints "adtrust: <err>" (with file:line:col when known) to stderr. */
struct err;
void cmd_error(const struct err *err);
/* Prints a usage error and returns EXIT_USAGE. */
int cmd_usage(const char *verb, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
