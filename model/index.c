/* Name indexes of a loaded model, so that lookups stay O(1). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct model_index {
	struct strmap domains;     /* name (any case) -> first index */
	struct strmap credentials; /* name -> first index */
};

void
model_index_build(struct model *m)
{
	struct model_index *x = xcalloc(1, sizeof(*x));

	model_index_free(m->index);
	strmap_init(&x->domains, true);
	strmap_init(&x->credentials, false);
	for (unsigned i = 0; i < m->n_domains; i++)
		if (m->domains[i].name != NULL)
			strmap_put(&x->domains, m->domains[i].name, i, NULL);
	for (unsigned i = 0; i < m->n_credentials; i++)
		if (m->credentials[i].name != NULL)
			strmap_put(&x->credentials, m->credentials[i].name, i,
			           NULL);
	m->index = x;
}

void
model_index_free(struct model_index *x)
{
	if (x == NULL)
		return;
	strmap_release(&x->domains);
	strmap_release(&x->credentials);
	free(x);
}

const struct model_domain *
model_domain_find(const struct model *m, const char *name)
{
	size_t i;

	if (m->index != NULL)
		return strmap_get(&m->index->domains, name, &i) ? &m->domains[i]
		                                                : NULL;
	for (unsigned k = 0; k < m->n_domains; k++)
		if (m->domains[k].name != NULL &&
		    strcasecmp(m->domains[k].name, name) == 0)
			return &m->domains[k];
	return NULL;
}

const struct model_credential *
model_cred_find(const struct model *m, const char *name)
{
	size_t i;

	if (m->index != NULL)
		return strmap_get(&m->index->credentials, name, &i)
		               ? &m->credentials[i]
		               : NULL;
	for (unsigned k = 0; k < m->n_credentials; k++)
		if (strcmp(m->credentials[k].name, name) == 0)
			return &m->credentials[k];
	return NULL;
}
