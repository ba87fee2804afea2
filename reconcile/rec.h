#ifndef ADT_RECONCILE_REC_H
#define ADT_RECONCILE_REC_H

/* Reconcile: diff desired x observed into a plan, and render it. */

#include <stdbool.h>
#include <stdio.h>

#include "reconcile/plan.h"

struct err;

struct rec_opts {
	bool allow_destroy; /* protected deletes/replaces are not blocked */
	const char *today;  /* YYYY-MM-DD for ignore rules; NULL = now */
};

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

/* Reads a plan written by plan_render_json (a saved plan). */
int plan_load_json(struct plan *out, const char *path, struct err *err);

#endif
