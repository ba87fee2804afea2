#ifndef ADT_MODEL_MODEL_INT_H
#define ADT_MODEL_MODEL_INT_H

/*
 * Private to model/: YAML positions by path, name indexes, the slots of
 * an expansion, name matching.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model;
struct model_domain;
struct model_expected;
struct model_index;
struct model_tdo;
struct model_trust;

struct model_pos *model_pos_new(void);
void model_pos_free(struct model_pos *p);
void model_pos_add(struct model_pos *p, const char *path, unsigned line,
                   unsigned col);

/* (Re)builds m->index from its domains and credentials. */
void model_index_build(struct model *m);
void model_index_free(struct model_index *x);

/*
 * A new side in e->tdos (absent: e->absent), initialised, holding the
 * names of self and partner and pointing at trust t (trusts[ti]); shared
 * by the AD expansion (expand.c) and the MIT realm sides (realm.c).
 */
struct model_tdo *model_expected_add(struct model_expected *e, bool absent,
                                     const struct model_trust *t, size_t ti,
                                     const struct model_domain *self,
                                     const struct model_domain *partner);
/* True if name is in list (any case). */
bool model_name_listed(char *const *list, unsigned n, const char *name);
/* True if DNS name a is b or under it (any case). */
bool model_dns_under(const char *a, const char *b);
/* Sorts e's sides and absences by domain, then partner (any case). */
void model_expected_sort(struct model_expected *e);
/*
 * The trustAttributes bits (bit and pair) and trust types of all rows of
 * MODEL_BOOL_FIELDS named name, together (sid_filtering has two).
 */
void model_bool_rows_of(const char *name, uint32_t *bits, unsigned *types);

#endif
