/* Lifecycle of TDOs and observed state (struct model_tdo, model_state). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

void
model_tdo_init(struct model_tdo *t)
{
	memset(t, 0, sizeof(*t));
	fti_init(&t->fti);
}

void
model_tdo_release(struct model_tdo *t)
{
	free(t->domain);
	free(t->partner);
	free(t->flat_name);
	free(t->sid);
	fti_release(&t->fti);
	free(t->fti_blob);
	free(t->dn);
	free(t->source);
	model_tdo_init(t);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
model_tdo_copy(struct model_tdo *dst, const struct model_tdo *src)
{
	*dst = *src;
	dst->domain = dup_or_null(src->domain);
	dst->partner = dup_or_null(src->partner);
	dst->flat_name = dup_or_null(src->flat_name);
	dst->sid = dup_or_null(src->sid);
	dst->dn = dup_or_null(src->dn);
	dst->source = dup_or_null(src->source);
	fti_copy(&dst->fti, &src->fti);
	dst->fti_blob = NULL;
	if (src->fti_blob != NULL) {
		dst->fti_blob = xmalloc(src->fti_len);
		memcpy(dst->fti_blob, src->fti_blob, src->fti_len);
	}
}

void
model_domain_state_release(struct model_domain_state *d)
{
	for (size_t i = 0; i < d->n_tdos; i++)
		model_tdo_release(&d->tdos[i]);
	free(d->tdos);
	free(d->name);
	free(d->netbios);
	free(d->sid);
	free(d->dn);
	free(d->forest_root);
	free(d->vendor);
	free(d->source);
	memset(d, 0, sizeof(*d));
	d->functional_level = -1;
}

void
model_state_init(struct model_state *s)
{
	s->domains = NULL;
	s->n_domains = 0;
}

void
model_state_release(struct model_state *s)
{
	for (size_t i = 0; i < s->n_domains; i++)
		model_domain_state_release(&s->domains[i]);
	free(s->domains);
	model_state_init(s);
}

struct model_domain_state *
model_state_add(struct model_state *s)
{
	struct model_domain_state *d;

	s->domains = xgrow(s->domains, s->n_domains, sizeof(*s->domains));
	d = &s->domains[s->n_domains++];
	memset(d, 0, sizeof(*d));
	d->functional_level = -1;
	return d;
}

struct model_tdo *
model_domain_state_add_tdo(struct model_domain_state *d)
{
	struct model_tdo *t;

	d->tdos = xgrow(d->tdos, d->n_tdos, sizeof(*d->tdos));
	t = &d->tdos[d->n_tdos++];
	model_tdo_init(t);
	return t;
}

const struct model_domain_state *
model_state_find(const struct model_state *s, const char *name)
{
	for (size_t i = 0; i < s->n_domains; i++)
		if (s->domains[i].name != NULL &&
		    strcasecmp(s->domains[i].name, name) == 0)
			return &s->domains[i];
	return NULL;
}
