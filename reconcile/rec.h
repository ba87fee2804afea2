#ifndef ADT_RECONCILE_REC_H
#define ADT_RECONCILE_REC_H

/* Reconcile: diff desired x observed into a plan, and render it. */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "reconcile/plan.h"
#include "util/safefile.h"

struct err;
struct json_t;
struct prov;

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
enum plan_render_flags {
	PLAN_RENDER_COLOUR = 1 << 0,    /* ANSI colour (text) */
	PLAN_RENDER_UNCHANGED = 1 << 1, /* list unchanged sides (text) */
};

struct plan_renderer {
	const char *name;
	/* flags: enum plan_render_flags */
	int (*render)(FILE *fp, const struct plan *p, unsigned flags,
	              struct err *err);
};

extern const struct plan_renderer plan_render_text;
extern const struct plan_renderer plan_render_json;

/*
 * The plan as plan_render_json writes it, as a new jansson object the
 * caller owns (json_decref): for documents that hold a plan (apply --json).
 */
struct json_t *plan_json_new(const struct plan *p);

/*
 * Applies a plan through a writer (a provider with PROV_CAN_WRITE: the LSA
 * helper, or the in-memory fake in tests).  Refuses, before writing
 * anything, a plan with blocked items, and preflights every domain it will
 * write to (nothing is written if one fails).  Then, trust by trust, it
 * runs the steps in a safe order: deletes, in-place updates, the deletes
 * of replaces, creates, forest trust records.  Every write is journaled
 * (intent before, result after, fsync'ed) and read back.
 *
 * A failed step or a stop request (*o->stop set by a signal handler; it
 * takes effect between steps) settles the trust in progress before the
 * run stops: a trust whose old state can come back (creates, in-place
 * updates) is rolled back; one whose old state is gone (a delete or a
 * replace has run: the old secret is lost) is finished, each failed step
 * tried once more.  A trust that can be neither is reported INCOMPLETE and
 * its journal is kept for the next plan and apply.  Trusts completed
 * before the stop stay as they are (consistent, and what was asked).
 * After a trust's secret changed, the writer's sc_reset (when it has one)
 * resets and checks the secure channel on each side, unless no_verify.
 *
 * Every step's fate is reported on o->report as it happens ("done",
 * "FAILED", "undone", "not done", "INCOMPLETE").  Trust passwords come
 * from the trust's secret reference, or are generated (sides: both) and
 * never shown.  Returns 0, or the first error (ERR_FAIL "interrupted" when
 * stopped by a request).
 */
enum rec_fate {
	REC_FATE_DONE,
	REC_FATE_FAILED,
	REC_FATE_UNDONE,
	REC_FATE_NOT_DONE,
	REC_FATE_INCOMPLETE,
	REC_FATE_VERIFIED,
	REC_FATE_NOTE,
};
/* "done", "failed", "undone", "not_done", "incomplete", "verified", "note" */
const char *rec_fate_name(enum rec_fate f);

/*
 * One line of the report as data (o->event), borrowed for the call only.
 * a and b are the trust's two domains in order (NULL for a note about the
 * run: a dead run's journal removed); it is the side a step wrote (NULL
 * for a line about the whole trust: "as it was before", INCOMPLETE, the
 * time a replace left it unusable); step is what ran ("delete", "create",
 * "update", "fti", "undo-create", "undo-update", "undo-fti", "sc_reset";
 * NULL for "not done" and trust lines); detail is the line's message or
 * NULL.  unusable_s is set (>= 0) on the note of a replaced trust's
 * unusable time, negative otherwise.  Never a secret.
 */
struct rec_event {
	enum rec_fate fate;
	const char *a, *b;
	const struct plan_item *it;
	const char *step;
	const char *detail;
	double unusable_s;
};

/*
 * apply --json's report (reconcile/report_json.c): pass rec_report_event
 * as o->event with the report as its ctx.  steps is a JSON array of
 * {trust, address, action, step, fate, detail}; unusable maps each
 * replaced trust ("a.test|b.test") to the seconds it was unusable.
 */
struct rec_report {
	struct json_t *steps;
	struct json_t *unusable;
};
void rec_report_init(struct rec_report *rp);
void rec_report_release(struct rec_report *rp);
void rec_report_event(void *ctx, const struct rec_event *ev);
/* A record from outside rec_apply (apply's Kerberos checks). */
void rec_report_add(struct rec_report *rp, const char *a, const char *b,
                    const char *address, const char *action, const char *step,
                    enum rec_fate fate, const char *detail);

struct rec_apply_opts {
	FILE *report;
	/* Each report line as data too (apply --json); may be NULL. */
	void (*event)(void *ctx, const struct rec_event *ev);
	void *event_ctx;
	struct prov *writer; /* PROV_CAN_WRITE */
	/* MIT realm sides (the kadm5 writer); NULL: writer writes them */
	struct prov *realm_writer;
	const char *journal_dir;     /* NULL: no journal */
	volatile sig_atomic_t *stop; /* may be NULL; non-zero: stop */
	/* Journals of dead runs this plan repairs; removed on success. */
	const struct rec_leftovers *leftovers;
	bool no_verify; /* skip the secure-channel reset and check */
	/*
	 * Out: how many secure-channel checks failed after the writes.  The
	 * trusts are as desired then (rec_apply returns 0), but do not work.
	 */
	size_t *failed_checks;
};
int rec_apply(const struct plan *p, const struct model *m,
              const struct rec_apply_opts *o, struct err *err);

/*
 * The apply journal: DIR/journal-<time>-<pid>-<rnd>.jsonl, created
 * O_EXCL|O_NOFOLLOW with mode 0600 in a directory safefile_dir_check
 * accepts, one JSON object per line, fsync'ed per line:
 *   {"journal":1,"host":..,"pid":..,"started":..,"source":..,"domains":[..]}
 *   {"step":N,"intent":"create|delete|update|fti|undo-...","domain":..,
 *    "partner":..,"pair":"a|b","action":"create|replace|...",
 *    "secret":"generated|referenced|none"}
 *   {"step":N,"result":"done|failed|unknown","error":..}
 *   {"pair":"a|b","end":"desired|before|incomplete","detail":..}
 *   {"end":"incomplete"}    (last line of a kept journal)
 * Never a secret.  A run that ends with every trust consistent removes its
 * journal; one that cannot keeps it; one that dies leaves it.  The running
 * apply holds an exclusive flock on it.
 */
struct rec_journal;
int rec_journal_open(struct rec_journal **out, const char *dir,
                     const struct plan *p, struct err *err);
const char *rec_journal_path(const struct rec_journal *j);
/* Records a step's intent; *step gets its number.  j may be NULL. */
int rec_journal_intent(struct rec_journal *j, size_t *step, const char *op,
                       const char *domain, const char *partner,
                       const char *action, const char *secret, struct err *err);
int rec_journal_result(struct rec_journal *j, size_t step, const char *fate,
                       const char *error, struct err *err);
/* How trust a<->b ended: "desired", "before" or "incomplete". */
int rec_journal_trust_end(struct rec_journal *j, const char *a, const char *b,
                          const char *state, const char *detail,
                          struct err *err);
/* Closes it: removed, or kept (keep) with a last "incomplete" line. */
int rec_journal_close(struct rec_journal *j, bool keep, struct err *err);

/* A trust a dead (or stopped) run left unfinished. */
struct rec_left_pair {
	char *a, *b;    /* the two domains */
	bool open;      /* no consistent end was recorded */
	bool wrote[2];  /* that run meant to write a's side, b's side */
	bool generated; /* its password was generated by that run */
	char *last;     /* the last thing recorded for it, in words */
};
struct rec_leftover {
	char *path, *host, *started, *source;
	long pid;
	struct rec_left_pair *pairs;
	size_t n_pairs;
};
struct rec_leftovers {
	struct rec_leftover *v;
	size_t n;
};
/*
 * The journals in dir left by runs that are gone (a journal whose run
 * still holds its lock is skipped) and that touch one of the domains.
 * Journals not owned by us or writable by others are refused
 * (safefile_read).  A missing dir is no journal.
 */
int rec_journal_scan(struct rec_leftovers *out, const char *dir,
                     const char *const *domains, size_t n, struct err *err);
void rec_leftover_release(struct rec_leftover *l);
void rec_leftovers_release(struct rec_leftovers *ls);
/* How many trusts the journals leave open. */
size_t rec_leftovers_open(const struct rec_leftovers *ls);

/*
 * Repairs in the plan what dead runs left: each open trust the model
 * manages gets every existing side replaced (a new shared secret; not
 * blocked by protect: the trust is already broken) and missing sides
 * created, as the diff plans them.  Adds one line per open trust to
 * p->interrupted, saying what the run left and what this plan does.
 */
void rec_plan_repair(struct plan *p, const struct rec_leftovers *ls);

/*
 * Compares the fingerprints a saved plan recorded (per TDO: objectGUID and
 * the digest of every attribute value the plan depends on; per domain: the
 * set of TDOs) with the live state now.  Appends one line per moved object
 * to *moved ("a.test/b.test changed since the plan"); returns how many.
 */
size_t rec_prints_moved(const struct plan *saved, const struct model_state *s,
                        char ***moved);

/*
 * The trust type whose boolean fields a TDO's bits are read by: the diff,
 * both renderers and export read them the same way (render_text.c, which every
 * build of a renderer links).
 */
enum model_trust_type rec_bits_type(const struct model_tdo *t);

/*
 * Reads a plan written by plan_render_json (a saved plan) of at most
 * PLAN_JSON_MAX bytes.  flags are safefile_read's: apply passes
 * SAFEFILE_OWNED, so a plan another user could have edited after the
 * review is refused; show reads any plan.
 */
#define PLAN_JSON_MAX (4 * SAFEFILE_INPUT_MAX)
int plan_load_json(struct plan *out, const char *path, unsigned flags,
                   struct err *err);
/* The same from memory (len bytes); path is used in messages. */
int plan_load_json_buf(struct plan *out, const char *path, const char *text,
                       size_t len, struct err *err);

#endif
