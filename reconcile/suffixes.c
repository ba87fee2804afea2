/*
 * Name suffixes: the forest trust records a forest trust's trusting side
 * holds, resolved from the desired state and the records read, and their
 * changes (one plan line per name).
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/xalloc.h"

struct fti_record *
rec_fti_find(struct fti *f, uint8_t type, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->rec[i].type == type && f->rec[i].name != NULL &&
		    strcasecmp(f->rec[i].name, name) == 0)
			return &f->rec[i];
	return NULL;
}

static bool
listed(char **list, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(list[i], name) == 0)
			return true;
	return false;
}

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

static void
tln_set(struct fti *f, char *name, uint32_t flags)
{
	struct fti_record *r = rec_fti_find(f, FTI_TLN, name);
	struct fti_record n;

	if (r != NULL) {
		/* keep the conflict bit: the PDC owns it */
		r->flags = (r->flags & FTI_TLN_DISABLED_CONFLICT) | flags;
		return;
	}
	memset(&n, 0, sizeof(n));
	n.type = FTI_TLN;
	n.flags = flags;
	n.name = name; /* fti_add copies */
	fti_timestamp_now(n.ts);
	fti_add(f, &n);
}

/*
 * Resolves the suffix spec against the observed records into the records
 * apply must store (after->fti), and adds one change per name whose state
 * moves.
 */
void
rec_fti_resolve(struct fti *f, const struct fti *observed,
                const struct model_suffixes *s)
{
	fti_release(f);
	if (observed != NULL)
		fti_copy(f, observed);
	for (unsigned i = 0; i < s->n_enable; i++)
		tln_set(f, s->enable[i], 0);
	/* disabling leaves a record that is already off (new or admin) */
	for (size_t i = 0; i < f->n; i++) {
		struct fti_record *r = &f->rec[i];

		if (r->type != FTI_TLN || (r->flags & (FTI_TLN_DISABLED_NEW |
		                                       FTI_TLN_DISABLED_ADMIN)))
			continue;
		if (listed(s->disable, s->n_disable, r->name) ||
		    (s->unlisted == MODEL_UNLISTED_DISABLE &&
		     !listed(s->enable, s->n_enable, r->name)))
			r->flags |= FTI_TLN_DISABLED_ADMIN;
	}
	/* exclusions, when given, are authoritative: the list is the set */
	for (size_t i = f->n; s->exclude_set && i-- > 0;) {
		if (f->rec[i].type != FTI_TLN_EX ||
		    listed(s->exclude, s->n_exclude, f->rec[i].name))
			continue;
		free(f->rec[i].name);
		free(f->rec[i].netbios);
		free(f->rec[i].sid);
		free(f->rec[i].raw);
		memmove(&f->rec[i], &f->rec[i + 1],
		        (f->n - i - 1) * sizeof(f->rec[0]));
		f->n--;
	}
	for (unsigned i = 0; i < s->n_exclude; i++) {
		struct fti_record n;

		if (rec_fti_find(f, FTI_TLN_EX, s->exclude[i]) != NULL)
			continue;
		memset(&n, 0, sizeof(n));
		n.type = FTI_TLN_EX;
		n.name = s->exclude[i];
		fti_timestamp_now(n.ts);
		fti_add(f, &n);
	}
}

void
rec_diff_suffixes(struct plan_item *it, const struct model_tdo *b,
                  struct model_tdo *a)
{
	struct fti *f = &a->fti;
	char field[300];

	rec_fti_resolve(f, b != NULL ? &b->fti : NULL, a->suffixes);
	a->has_fti = true;

	/* Changes, one per name, in the order of the resulting records. */
	for (size_t i = 0; i < f->n; i++) {
		const struct fti_record *r = &f->rec[i], *o = NULL;
		struct fti before;

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		if (b != NULL) {
			before = b->fti;
			o = rec_fti_find(&before, r->type, r->name);
		}
		if (o != NULL && strcmp(tln_state(o), tln_state(r)) == 0)
			continue;
		snprintf(field, sizeof(field), "name_suffixes[%s]", r->name);
		rec_add_change(it, field, tln_state(o), tln_state(r));
	}
	if (b != NULL)
		for (size_t i = 0; i < b->fti.n; i++) {
			const struct fti_record *o = &b->fti.rec[i];

			if (o->type != FTI_TLN_EX ||
			    rec_fti_find(f, FTI_TLN_EX, o->name) != NULL)
				continue;
			snprintf(field, sizeof(field), "name_suffixes[%s]",
			         o->name);
			rec_add_change(it, field, "excluded", "absent");
		}
}
