/*
 * Fingerprints: a saved plan may only be applied to the directory that was
 * reviewed.  uSNChanged and whenChanged differ from one DC to the next, so
 * a TDO is identified by objectGUID and its content by a digest of the
 * attribute values read (providers/tdo.c); a domain by its set of TDOs,
 * and its identity (SID, NetBIOS name), which the file's must match.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/xalloc.h"

static void
add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

static const struct plan_print *
find_print(const struct plan *p, const char *domain, const char *partner)
{
	for (size_t i = 0; i < p->n_prints; i++)
		if (strcasecmp(p->prints[i].domain, domain) == 0 &&
		    strcasecmp(p->prints[i].partner, partner) == 0)
			return &p->prints[i];
	return NULL;
}

size_t
rec_prints_moved(const struct plan *saved, const struct model_state *s,
                 char ***moved)
{
	size_t n = 0;

	*moved = NULL;
	for (size_t d = 0; d < saved->n_domains; d++) {
		const struct model_domain_state *ds =
		        model_state_find(s, saved->domains[d]);

		if (ds == NULL) {
			add(moved, &n,
			    xasprintf("%s: was not read", saved->domains[d]));
			continue;
		}
		{
			const struct plan_print *id =
			        find_print(saved, ds->name, "");
			char now[65];

			rec_identity_digest(now, ds);
			if (id == NULL || strcmp(id->digest, now) != 0)
				add(moved, &n,
				    xasprintf("%s: the domain's SID or NetBIOS "
				              "name changed since the plan",
				              ds->name));
		}
		for (size_t i = 0; i < ds->n_tdos; i++) {
			const struct model_tdo *t = &ds->tdos[i];
			const struct plan_print *pp =
			        find_print(saved, ds->name, t->partner);

			if (pp == NULL)
				add(moved, &n,
				    xasprintf("%s/%s: appeared since the plan",
				              ds->name, t->partner));
			else if (strcmp(pp->guid, t->guid) != 0)
				add(moved, &n,
				    xasprintf("%s/%s: is another object now "
				              "(objectGUID %s, was %s)",
				              ds->name, t->partner, t->guid,
				              pp->guid));
			else if (strcmp(pp->digest, t->digest) != 0)
				add(moved, &n,
				    xasprintf("%s/%s: changed since the plan",
				              ds->name, t->partner));
		}
		for (size_t i = 0; i < saved->n_prints; i++) {
			const struct plan_print *pp = &saved->prints[i];
			bool there = false;

			if (strcasecmp(pp->domain, ds->name) != 0 ||
			    pp->partner[0] == '\0')
				continue;
			for (size_t j = 0; j < ds->n_tdos && !there; j++)
				there = strcasecmp(ds->tdos[j].partner,
				                   pp->partner) == 0;
			if (!there)
				add(moved, &n,
				    xasprintf(
				            "%s/%s: was deleted since the plan",
				            pp->domain, pp->partner));
		}
	}
	return n;
}

void
rec_identity_digest(char out[65], const struct model_domain_state *d)
{
	char *id = xasprintf("sid=%s\nnetbios=%s\n", d->sid ? d->sid : "",
	                     d->netbios ? d->netbios : "");
	unsigned char h[32];

	for (char *p = id; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	gnutls_hash_fast(GNUTLS_DIG_SHA256, id, strlen(id), h);
	hex_encode(out, h, sizeof(h));
	free(id);
}

/*
 * The YAML's sid and netbios of a domain must be the live domain's: they
 * become the partner's identity on the other side.
 */
int
rec_check_identity(const struct model *m, const struct model_state *s,
                   struct err *err)
{
	for (unsigned i = 0; i < m->n_domains; i++) {
		const struct model_domain *d = &m->domains[i];
		const struct model_domain_state *ds =
		        model_state_find(s, d->name);

		if (ds == NULL)
			continue;
		if (d->sid != NULL && ds->sid != NULL &&
		    strcasecmp(d->sid, ds->sid) != 0)
			return err_set(
			        err, ERR_INVALID,
			        "domain '%s': the desired state says sid "
			        "%s but the live domain's objectSid is %s",
			        d->name, d->sid, ds->sid);
		if (d->netbios != NULL && ds->netbios != NULL &&
		    strcasecmp(d->netbios, ds->netbios) != 0)
			return err_set(err, ERR_INVALID,
			               "domain '%s': the desired state says "
			               "netbios %s but the live domain's "
			               "nETBIOSName is %s",
			               d->name, d->netbios, ds->netbios);
	}
	return 0;
}
