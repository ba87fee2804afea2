#ifndef ADT_RECONCILE_AUDIT_H
#define ADT_RECONCILE_AUDIT_H

/*
 * Trust risk rules over observed trustedDomain objects (adtrust audit),
 * and the same rules as guardrails over a plan (policy: in the desired
 * state).  One row per rule in rec_rules[] (reconcile/audit_rules.c): its
 * stable id, severity, rationale, references and check.  Output is
 * deterministic: findings in domain, partner, rule order.
 */

#include <stdbool.h>
#include <stddef.h>

struct err;
struct diags;
struct model;
struct model_tdo;
struct model_state;
struct model_domain_state;
struct plan;
struct rec_audit_opts;

enum rec_severity {
	REC_SEV_INFO = 0,
	REC_SEV_LOW,
	REC_SEV_MEDIUM,
	REC_SEV_HIGH,
	REC_SEV_CRITICAL,
};

/* What a check sees: the TDO, its domain, everything read, the options. */
struct rec_audit_ctx {
	const struct model_state *state;         /* NULL in a plan */
	const struct model_domain_state *domain; /* NULL in a plan */
	const struct rec_audit_opts *opts;
	long long now; /* Unix seconds */
};

struct rec_rule {
	const char *id;   /* "ADT001": stable, never reused */
	const char *name; /* "sid-filtering-off" */
	enum rec_severity severity;
	bool default_on;   /* off: a policy choice (--enable, policy.enforce) */
	bool plannable;    /* can be checked on a desired state (policy) */
	const char *field; /* the YAML field of a trust it is about, or NULL */
	const char *title;
	const char *rationale;
	const char *references; /* "; "-separated */
	const char *help_uri;
	/* True when t violates the rule; why (always NUL-terminated) says
	 * how, in words. */
	bool (*check)(const struct rec_audit_ctx *c, const struct model_tdo *t,
	              char *why, size_t len);
};

extern const struct rec_rule rec_rules[];
extern const size_t rec_n_rules;

/* A rule by id or name (case-insensitive); borrowed or NULL. */
const struct rec_rule *rec_rule_find(const char *id_or_name);
const char *rec_severity_name(enum rec_severity s); /* "high" */
/* Parses "info".."critical"; -1 if unknown. */
int rec_severity_parse(const char *s);

struct rec_audit_opts {
	/* migration domains: the SID filtering and history rules and TGT
	 * delegation skip trusts to these partners (DNS or NetBIOS name) */
	const char *const *allow;
	size_t n_allow;
	const char *const *enable; /* rules turned on beyond the defaults */
	size_t n_enable;
	const char *const *disable; /* rules turned off */
	size_t n_disable;
	unsigned max_secret_age_days; /* 0: 365 */
	long long now;                /* 0: time(NULL) */
};

/* True if the rule is in force with these options. */
bool rec_rule_enabled(const struct rec_rule *r, const struct rec_audit_opts *o);

struct rec_finding {
	const struct rec_rule *rule; /* borrowed from rec_rules */
	char *domain;                /* the domain holding the TDO */
	char *partner;               /* trustPartner */
	char *dn;                    /* the TDO's DN, or NULL */
	char *source; /* "file.ldif:12" or the LDAP URI, or NULL */
	char *detail; /* what is wrong, in words */
	char *waiver; /* the waiver that covers it (reason, until), or NULL */
};

struct rec_audit {
	struct rec_finding *v;
	size_t n;
	size_t n_tdos;   /* TDOs read */
	size_t n_waived; /* findings covered by an unexpired waiver */
	char **expired;  /* expired waivers, in words */
	size_t n_expired;
};

/*
 * Runs every enabled rule over every TDO of every domain in s.  The
 * pair rules (partner side missing or disagreeing) run only where the
 * partner domain was read too.  The caller releases *out.
 */
void rec_audit_run(struct rec_audit *out, const struct model_state *s,
                   const struct rec_audit_opts *o);
/*
 * Marks the findings an unexpired waiver of m's policy covers (a waiver
 * names the rule and the trust TRUSTING:TRUSTED; it covers both sides),
 * and lists expired waivers.  today is YYYY-MM-DD.
 */
void rec_audit_waive(struct rec_audit *a, const struct model *m,
                     const char *today);
void rec_audit_release(struct rec_audit *a);
/* How many findings (not waived) are at or above severity min. */
size_t rec_audit_count(const struct rec_audit *a, enum rec_severity min);

/*
 * The audit options a desired state's policy gives: its enforced rules
 * enabled, its allow-list and secret age.  The arrays point into m.
 * Frees nothing; release with rec_audit_opts_release.
 */
void rec_audit_opts_from_policy(struct rec_audit_opts *o,
                                const struct model *m);
void rec_audit_opts_release(struct rec_audit_opts *o);

/*
 * Where a finding sits in the desired state: the trust m declares for the
 * pair (either order), at the rule's field if the trust sets it, else the
 * trust itself.  Returns the trust's index or -1; line/col are 0 when
 * unknown.
 */
long rec_audit_position(const struct model *m, const struct rec_finding *f,
                        unsigned *line, unsigned *col);

/*
 * Checks m's policy block: every rule it names exists, and enforced
 * rules can be checked on a desired state.  One diag per problem, at its
 * YAML position.
 */
void rec_policy_validate(const struct model *m, struct diags *out);

/*
 * The guardrail: every trust side the plan would create or leave (every
 * item with an 'after' that is not deleted) against the policy's
 * enforced rules.  A violation without an unexpired waiver is a diag at
 * the trust's YAML position naming the rule; an expired waiver that
 * would have covered it says so.  Returns the number of violations.
 */
size_t rec_policy_check(const struct plan *p, const struct model *m,
                        struct diags *out);

/* ---- output (reconcile/audit_render.c) ---- */

struct sbuf;
struct json_t;

/* What the renderers show besides the findings. */
struct rec_audit_view {
	const struct model_state *state;   /* every domain read */
	const struct model *model;         /* -f: YAML positions; may be NULL */
	const char *snapshot;              /* the snapshot dir, or NULL */
	const struct rec_audit_opts *opts; /* which rules were in force */
	bool colour;
};

/* Text grouped by domain and trust (every TDO read, clean ones too). */
void rec_audit_text(struct sbuf *out, const struct rec_audit *a,
                    const struct rec_audit_view *v);
/* The JSON report (format_version 1); the caller owns it. */
struct json_t *rec_audit_json(const struct rec_audit *a,
                              const struct rec_audit_view *v);
/* SARIF 2.1.0: every rule in the driver, one result per finding; waived
 * ones carry an external suppression.  The caller owns it. */
struct json_t *rec_audit_sarif(const struct rec_audit *a,
                               const struct rec_audit_view *v);
/* Prometheus text: findings per rule and severity; ok false: the run
 * failed (every count 0, adtrust_audit_success 0). */
void rec_audit_metrics(struct sbuf *out, const struct rec_audit *a, bool ok,
                       long long now);
/*
 * Graphviz DOT: domains grouped by forest, one edge per trust direction
 * (from the trusting to the trusted domain), the type and key attributes
 * on the edge, coloured by the worst finding on its sides.
 */
void rec_audit_dot(struct sbuf *out, const struct rec_audit *a,
                   const struct rec_audit_view *v);

#endif
