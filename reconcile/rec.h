#ifndef ADT_RECONCILE_REC_H
#define ADT_RECONCILE_REC_H

/* Reconcile: diff desired x observed into a plan, and render it. */

#include <stdbool.h>
#include <stdio.h>

#include "reconcile/plan.h"

struct err;
struct model_secret_cache;

struct rec_opts {
	bool allow_destroy; /* protected deletes/replaces are not blocked */
	const char *today;  /* YYYY-MM-DD for ignore rules; NULL = now */
	/* Take ignore rules from this model's trust with the same pair
	 * instead (drift: the current file's rules apply to what was last
	 * applied); NULL: the diffed model's own. */
	const struct model *ignores;
	/* Domains without live state are skipped with a warning instead of
	 * failing the diff (drift against a file that dropped a domain). */
	bool skip_unread;
	/* Do not check the model's sid/netbios against the live domains
	 * (drift: a recorded state may predate a correction). */
	bool skip_identity;
};

/* The fingerprint of a domain's identity (objectSid, NetBIOS name). */
void rec_identity_digest(char out[65], const struct model_domain_state *d);

/*
 * Computes the plan for model m against observed state s.  The caller
 * owns *out (plan_release).  ERR_INVALID when the observed state lacks a
 * managed domain.
 */
int rec_diff(struct plan *out, const struct model *m,
             const struct model_state *s, const struct rec_opts *opts,
             struct err *err);

/*
 * The AD domains whose TDOs the model manages (the sides model_expand
 * yields), sorted and unique.  *out is a NULL-terminated array the caller
 * frees with rec_names_free.
 */
int rec_managed_domains(char ***out, size_t *n, const struct model *m,
                        struct err *err);
void rec_names_free(char **v);

/*
 * The forest trust records a TDO must hold: the observed records (NULL:
 * none) with the suffix spec applied (enable/disable by name, exclusions
 * as the complete set, unlisted TLNs kept or disabled).  Conflict flags and
 * DOMAIN records are kept.  *f is released first.
 */
void rec_fti_resolve(struct fti *f, const struct fti *observed,
                     const struct model_suffixes *s);

void plan_init(struct plan *p);
void plan_release(struct plan *p);
/*
 * netdom /reset: marks the existing sides of the trust TRUSTING:TRUSTED for
 * a new shared secret.  Samba cannot set a secret on an existing TDO, so
 * each side is replaced (and protect applies).  ERR_NOTFOUND when the plan
 * holds no existing side of that trust.
 */
int rec_plan_rekey(struct plan *p, const char *spec, bool allow_destroy,
                   struct err *err);

/* Recounts the summary (n_create ... n_blocked) from the items. */
void plan_count(struct plan *p);
/* True if the plan changes nothing. */
bool plan_is_noop(const struct plan *p);
const char *plan_action_name(enum plan_action a);

/*
 * Renderers (bgpctl's struct output): begin, one item at a time, end.  A
 * writer keeps a sticky error; end returns it once (ERR_IO).
 */
struct plan_renderer {
	const char *name;
	int (*render)(FILE *fp, const struct plan *p, bool colour,
	              struct err *err);
};

extern const struct plan_renderer plan_render_text;
extern const struct plan_renderer plan_render_json;

/*
 * Applies a plan over LSA (the adtrust-lsa helper), in a safe order: per
 * trust, deletes, then in-place updates, then replaces (delete + create),
 * then creates; a both-sides create whose second side fails deletes the
 * first side again.  Every write is read back; "the server said OK but
 * nothing changed" is an error.  Refuses, before writing anything, a plan
 * with blocked items.  Each step is reported on 'report' as it happens
 * ("done", "FAILED", "not done"), and a failure stops the run.  Trust
 * passwords come from the trust's secret reference, or are generated
 * (sides: both) and never shown.
 */
struct rec_apply_opts {
	FILE *report;
	const char *helper_path;            /* NULL: lsa_helper_path() */
	struct model_secret_cache *secrets; /* may be NULL */
	unsigned timeout_ms;
};
int rec_apply(const struct plan *p, const struct model *m,
              const struct rec_apply_opts *o, struct err *err);

/*
 * Compares the fingerprints a saved plan recorded (per TDO: objectGUID and
 * the digest of every attribute value the plan depends on; per domain: the
 * set of TDOs) with the live state now.  Appends one line per moved object
 * to *moved ("a.test/b.test changed since the plan"); returns how many.
 */
size_t rec_prints_moved(const struct plan *saved, const struct model_state *s,
                        char ***moved);

/* Reads a plan written by plan_render_json (a saved plan). */
int plan_load_json(struct plan *out, const char *path, struct err *err);

#endif
