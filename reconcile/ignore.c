/*
 * Ignore rules: a rule in force drops its field's change from the plan
 * (noted on the item), so apply writes the live value back unchanged.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/strmap.h"
#include "util/xalloc.h"

static bool
rule_matches(const struct model_ignore *g, const struct plan_item *it,
             const char *field)
{
	size_t n = strlen(g->field);

	if (g->side != NULL && strcasecmp(g->side, it->domain) != 0)
		return false;
	return strcmp(g->field, field) == 0 ||
	       (strncmp(g->field, field, n) == 0 && field[n] == '[');
}

static void
swap_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src != NULL ? xstrdup(src) : NULL;
}

/* An ignored name-suffix change: the record as it is live. */
static void
revert_suffix(struct model_tdo *a, const struct model_tdo *b,
              const struct plan_change *ch)
{
	const char *open = strchr(ch->field, '[');
	/* the change says which record: an exclusion or a name */
	uint8_t t = strcmp(ch->before, "excluded") == 0 ||
	                            strcmp(ch->after, "excluded") == 0
	                    ? FTI_TLN_EX
	                    : FTI_TLN;
	char *name;
	struct fti *f = &a->fti;
	struct fti old = b->fti;
	struct fti_record *o, *r;

	if (open == NULL)
		return;
	name = xstrndup(open + 1, strlen(open + 1) - 1);
	o = model_fti_find(&old, t, name);
	r = model_fti_find(f, t, name);
	if (r != NULL && o != NULL) {
		r->flags = o->flags;
	} else if (r != NULL) {
		size_t i = (size_t)(r - f->rec);

		free(r->name);
		free(r->netbios);
		free(r->sid);
		free(r->raw);
		memmove(r, r + 1, (f->n - i - 1) * sizeof(*r));
		f->n--;
	} else if (o != NULL) {
		fti_add(f, o);
	}
	free(name);
}

/* An ignored change is not made: the field keeps its live value. */
static void
revert_field(struct plan_item *it, const struct plan_change *ch)
{
	const char *field = ch->field;
	const struct model_field *f = model_field_find(field);
	const struct model_tdo *b = &it->before;
	struct model_tdo *a = &it->after;
	uint32_t bits;

	if (f == NULL)
		return;
	bits = model_field_bits(f);
	if (bits != 0)
		a->attributes =
		        (a->attributes & ~bits) | (b->attributes & bits);
	switch (f->kind) {
	case MODEL_FK_BOOL:
		break;
	case MODEL_FK_TYPE:
		a->type = b->type;
		break;
	case MODEL_FK_DIRECTION:
		a->direction = b->direction;
		break;
	case MODEL_FK_ENCTYPES:
		/* a realm side's keys are made for both principals at once */
		a->enctypes = b->enctypes & ~MODEL_ENC_MIXED;
		a->has_enctypes = b->has_enctypes;
		break;
	case MODEL_FK_STRING:
		swap_str(model_field_string(f, a), model_field_string_of(f, b));
		break;
	case MODEL_FK_SUFFIXES:
		revert_suffix(a, b, ch);
		break;
	}
}
void
rec_apply_ignores(struct plan_item *it, const struct model_trust *t,
                  const char *today)
{
	for (size_t i = 0; i < it->n_changes;) {
		const struct model_ignore *hit = NULL;

		for (unsigned j = 0; j < t->n_ignore && hit == NULL; j++)
			if (strcmp(t->ignore[j].until, today) >= 0 &&
			    rule_matches(&t->ignore[j], it,
			                 it->changes[i].field))
				hit = &t->ignore[j];
		if (hit == NULL) {
			i++;
			continue;
		}
		{
			char *note = xasprintf(
			        "ignored %s: %s -> %s (until %s: %s)",
			        it->changes[i].field, it->changes[i].before,
			        it->changes[i].after, hit->until, hit->reason);

			rec_add_note(&it->notes, &it->n_notes, note);
			free(note);
		}
		revert_field(it, &it->changes[i]);
		free(it->changes[i].field);
		free(it->changes[i].before);
		free(it->changes[i].after);
		memmove(&it->changes[i], &it->changes[i + 1],
		        (it->n_changes - i - 1) * sizeof(it->changes[0]));
		it->n_changes--;
	}
}

/* "a.test\nb.test": the pair in either order, lower case, sorted. */
static char *
pair_key(const struct model_trust *t)
{
	const char *a = t->trusting, *b = t->trusted;
	char *k;

	if (strcasecmp(a, b) > 0) {
		a = t->trusted;
		b = t->trusting;
	}
	k = xasprintf("%s\n%s", a, b);
	for (char *c = k; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return k;
}

void
rec_rules_init(struct rec_rules *r, const struct rec_opts *o)
{
	const struct model *m = o != NULL ? o->ignores : NULL;

	memset(r, 0, sizeof(*r));
	r->m = m;
	strmap_init(&r->pairs, false);
	if (m == NULL)
		return;
	r->keys = xcalloc(m->n_trusts ? m->n_trusts : 1, sizeof(*r->keys));
	for (unsigned i = 0; i < m->n_trusts; i++) {
		r->keys[i] = pair_key(&m->trusts[i]);
		strmap_put(&r->pairs, r->keys[i], i, NULL);
	}
}

void
rec_rules_release(struct rec_rules *r)
{
	if (r->m != NULL)
		for (unsigned i = 0; i < r->m->n_trusts; i++)
			free(r->keys[i]);
	free(r->keys);
	strmap_release(&r->pairs);
	memset(r, 0, sizeof(*r));
}

const struct model_trust *
rec_rules_for(const struct rec_rules *r, const struct model_trust *t)
{
	char *k;
	size_t i;
	bool hit;

	if (r == NULL || r->m == NULL)
		return t;
	k = pair_key(t);
	hit = strmap_get(&r->pairs, k, &i);
	free(k);
	return hit ? &r->m->trusts[i] : NULL;
}
