#include "providers/prov.h"

#include <assert.h>
#include <stddef.h>

int
prov_open(struct prov **out, const struct prov_ops *ops,
          const struct prov_cfg *cfg, struct err *err)
{
	assert(ops != NULL && ops->open != NULL);
	return ops->open(out, cfg, err);
}

int
prov_read(struct prov *p, const char *const *domains, size_t n,
          struct model_state *out, struct err *err)
{
	assert(p != NULL && (p->ops->caps & PROV_CAN_READ));
	return p->ops->read(p, domains, n, out, err);
}

void
prov_close(struct prov *p)
{
	if (p != NULL)
		p->ops->close(p);
}
