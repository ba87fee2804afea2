#ifndef ADT_RECONCILE_REC_INT_H
#define ADT_RECONCILE_REC_INT_H

/*
 * Private to reconcile/: the diff's jobs, one file each.
 *   diff.c      the walk (desired x observed) and the per-field compare
 *   suffixes.c  name suffixes: one change per name (the records are
 *               resolved in model/suffixes.c)
 *   ignore.c    ignore rules
 *   rekey.c     re-key partners, --rekey, the repair of interrupted applies
 *   prints.c    fingerprints and the identity check
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/strmap.h"

struct err;
struct fti;
struct fti_record;
struct model;
struct model_ignore;
struct model_state;
struct model_tdo;
struct model_trust;
struct plan;
struct plan_change;
struct plan_item;
struct rec_opts;

const char *rec_bool_str(bool b);
void rec_add_change(struct plan_item *it, const char *field, const char *before,
                    const char *after);
void rec_add_note(char ***v, size_t *n, const char *s);

/* suffixes.c */
void rec_diff_suffixes(struct plan_item *it, const struct model_tdo *b,
                       struct model_tdo *a);

/* ignore.c */

/*
 * The rules in force: the trusts of opts->ignores (drift uses the current
 * file's) by their pair of domains, else each trust's own.
 */
struct rec_rules {
	const struct model *m; /* NULL: a trust's own rules */
	struct strmap pairs;   /* pair key -> trust index in m */
	char **keys;
};
void rec_rules_init(struct rec_rules *r, const struct rec_opts *o);
void rec_rules_release(struct rec_rules *r);
const struct model_trust *rec_rules_for(const struct rec_rules *r,
                                        const struct model_trust *t);
void rec_apply_ignores(struct plan_item *it, const struct model_trust *t,
                       const char *today);

/* prints.c */
int rec_check_identity(const struct model *m, const struct model_state *s,
                       struct err *err);

/* rekey.c */
void rec_rekey_partners(struct plan *p);

#endif
