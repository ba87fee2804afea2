/*
 * Name suffixes: the forest trust records a forest trust's trusting side
 * must hold, resolved from the desired state's name_suffixes and the
 * records read.  The diff (reconcile/suffixes.c) turns the difference into
 * one plan line per name; apply resolves again against what it re-reads.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"

struct fti_record *
model_fti_find(struct fti *f, uint8_t type, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->rec[i].type == type && f->rec[i].name != NULL &&
		    strcasecmp(f->rec[i].name, name) == 0)
			return &f->rec[i];
	return NULL;
}

bool
model_name_listed(char *const *list, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(list[i], name) == 0)
			return true;
	return false;
}

static void
tln_set(struct fti *f, char *name, uint32_t flags)
{
	struct fti_record *r = model_fti_find(f, FTI_TLN, name);
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
 * The suffix spec applied to the observed records: what the diff compares
 * and what apply stores (the diff adds the per-name changes itself).
 */
void
model_fti_resolve(struct fti *f, const struct fti *observed,
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
		if (model_name_listed(s->disable, s->n_disable, r->name) ||
		    (s->unlisted == MODEL_UNLISTED_DISABLE &&
		     !model_name_listed(s->enable, s->n_enable, r->name)))
			r->flags |= FTI_TLN_DISABLED_ADMIN;
	}
	/* exclusions, when given, are authoritative: the list is the set */
	for (size_t i = f->n; s->exclude_set && i-- > 0;) {
		if (f->rec[i].type != FTI_TLN_EX ||
		    model_name_listed(s->exclude, s->n_exclude, f->rec[i].name))
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

		if (model_fti_find(f, FTI_TLN_EX, s->exclude[i]) != NULL)
			continue;
		memset(&n, 0, sizeof(n));
		n.type = FTI_TLN_EX;
		n.name = s->exclude[i];
		fti_timestamp_now(n.ts);
		fti_add(f, &n);
	}
}
