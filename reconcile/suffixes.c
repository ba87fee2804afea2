/*
 * Name suffixes: their changes, one plan line per name whose state moves.
 * The records themselves are resolved in model/ (model_fti_resolve).
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/xalloc.h"

static const char *
tln_state(const struct fti_record *r)
{
	if (r == NULL)
		return "absent";
	if (r->type == FTI_TLN_EX)
		return "excluded";
	if (r->flags & FTI_TLN_DISABLED_ADMIN)
		return "disabled";
	if (r->flags & FTI_TLN_DISABLED_NEW)
		return "disabled (new)";
	if (r->flags & FTI_TLN_DISABLED_CONFLICT)
		return "enabled (in conflict)";
	return "enabled";
}

void
rec_diff_suffixes(struct plan_item *it, const struct model_tdo *b,
                  struct model_tdo *a)
{
	struct fti *f = &a->fti;
	char *field;

	model_fti_resolve(f, b != NULL ? &b->fti : NULL, a->suffixes);
	a->has_fti = true;

	/* Changes, one per name, in the order of the resulting records. */
	for (size_t i = 0; i < f->n; i++) {
		const struct fti_record *r = &f->rec[i], *o = NULL;
		struct fti before;

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		if (b != NULL) {
			before = b->fti;
			o = model_fti_find(&before, r->type, r->name);
		}
		if (o != NULL && strcmp(tln_state(o), tln_state(r)) == 0)
			continue;
		field = xasprintf("%s[%s]", MODEL_FIELD(name_suffixes),
		                  r->name);
		rec_add_change(it, field, tln_state(o), tln_state(r));
		free(field);
	}
	if (b != NULL)
		for (size_t i = 0; i < b->fti.n; i++) {
			const struct fti_record *o = &b->fti.rec[i];

			if (o->type != FTI_TLN_EX ||
			    model_fti_find(f, FTI_TLN_EX, o->name) != NULL)
				continue;
			field = xasprintf("%s[%s]", MODEL_FIELD(name_suffixes),
			                  o->name);
			rec_add_change(it, field, "excluded", "absent");
			free(field);
		}
}
