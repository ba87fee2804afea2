/*
 * The LSA writer: the write slots of prov.h over the adtrust-lsa helper
 * (providers/lsa.h), one helper session per domain, opened on first use and
 * opened again after a helper died (a rollback must still reach the DC),
 * plus what each server kind can change in place.
 */
#include "providers/prov.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "providers/lsa.h"
#include "util/err.h"
#include "util/xalloc.h"

struct sess {
	char *domain;
	struct lsa_session *s;
};

struct prov_lsa {
	struct prov base; /* must stay first */
	const struct model *model;
	struct model_secret_cache *secrets;
	unsigned timeout_ms;
	const struct trace *trace; /* -v; borrowed */
	char *helper;
	struct sess *sess;
	size_t n_sess;
};

static struct prov_lsa *
to_lsa(struct prov *p)
{
	assert(p->ops == &prov_lsa_ops);
	return (struct prov_lsa *)p;
}

static int
lsa_open(struct prov **out, const struct prov_cfg *cfg, struct err *err)
{
	struct prov_lsa *l;
	int rc;

	*out = NULL;
	l = xcalloc(1, sizeof(*l));
	l->base.ops = &prov_lsa_ops;
	l->model = cfg->model;
	l->secrets = cfg->secrets;
	l->timeout_ms = cfg->timeout_ms;
	l->trace = cfg->trace;
	if (cfg->helper_path != NULL)
		l->helper = xstrdup(cfg->helper_path);
	else if ((rc = lsa_helper_path(&l->helper, err)) < 0) {
		free(l);
		return rc;
	}
	*out = &l->base;
	return 0;
}

static void
lsa_close(struct prov *p)
{
	struct prov_lsa *l;

	if (p == NULL)
		return;
	l = to_lsa(p);
	for (size_t i = 0; i < l->n_sess; i++) {
		lsa_session_close(l->sess[i].s);
		free(l->sess[i].domain);
	}
	free(l->sess);
	free(l->helper);
	free(l);
}

/* Opens the helper session for domain; NULL s in *slot if not yet. */
static int
login(struct lsa_session **out, struct prov_lsa *l, const char *domain,
      struct err *err)
{
	const struct model_domain *d = model_domain_find(l->model, domain);
	const struct model_credential *c = NULL;
	struct lsa_login lg = {0};
	char *host = NULL, *pw = NULL, *realm = NULL;
	int rc;

	*out = NULL;
	if (d == NULL || (host = model_domain_dc_host(d)) == NULL)
		return err_set(err, ERR_INVALID,
		               "domain '%s' has no 'rpc' or 'ldap' to write to",
		               domain);
	if (d->credentials != NULL)
		c = model_cred_find(l->model, d->credentials);
	realm = xstrdup(domain);
	for (char *q = realm; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	lg.server = host;
	lg.realm = realm;
	lg.write = true; /* refused at login if the account may not write */
	lg.trace = l->trace;
	if (c != NULL && c->method == MODEL_CRED_PASSWORD) {
		char what[300];

		snprintf(what, sizeof(what), "the password of '%s'", c->user);
		if ((rc = model_secret_get(l->secrets, &pw, c->password, what,
		                           err)) < 0)
			goto out;
		lg.user = c->user;
		lg.password = pw;
	} else if (c != NULL) {
		lg.ccache = c->ccache;
	}
	/* the helper's messages name the DC and its domain */
	rc = lsa_session_open(out, l->helper, &lg, l->timeout_ms, err);
out:
	model_secret_free(pw);
	free(host);
	free(realm);
	return rc;
}

/*
 * The session of a domain.  A session whose helper died is closed and
 * opened again: the request that killed it has already failed (ERR_IO),
 * and the next one (a read-back, a rollback) deserves a working helper.
 */
static int
session(struct lsa_session **out, struct prov_lsa *l, const char *domain,
        struct err *err)
{
	struct sess *s = NULL;
	int rc;

	for (size_t i = 0; i < l->n_sess; i++)
		if (strcasecmp(l->sess[i].domain, domain) == 0)
			s = &l->sess[i];
	if (s != NULL && s->s != NULL && lsa_session_alive(s->s)) {
		*out = s->s;
		return 0;
	}
	if (s == NULL) {
		l->sess =
		        xreallocarray(l->sess, l->n_sess + 1, sizeof(*l->sess));
		s = &l->sess[l->n_sess++];
		s->domain = xstrdup(domain);
	} else {
		lsa_session_close(s->s);
	}
	s->s = NULL;
	if ((rc = login(&s->s, l, domain, err)) < 0)
		return rc;
	*out = s->s;
	return 0;
}

static int
lsa_preflight(struct prov *p, const char *domain, struct err *err)
{
	struct lsa_session *s;

	return session(&s, to_lsa(p), domain, err);
}

static int
lsa_tdo_get(struct prov *p, const char *domain, const char *partner,
            struct model_tdo *out, struct err *err)
{
	struct lsa_session *s;
	struct lsa_tdo t = {0};
	int rc;

	model_tdo_init(out);
	if ((rc = session(&s, to_lsa(p), domain, err)) < 0)
		return rc;
	if ((rc = lsa_query_tdo(s, partner, &t, err)) < 0)
		return rc;
	out->domain = xstrdup(domain);
	out->partner = t.name != NULL ? xstrdup(t.name) : xstrdup(partner);
	out->flat_name = t.netbios != NULL ? xstrdup(t.netbios) : NULL;
	out->sid = t.sid != NULL ? xstrdup(t.sid) : NULL;
	out->direction = t.direction;
	out->type = t.type;
	out->attributes = t.attributes;
	out->attr_mask = 0xffffffffu;
	out->enctypes = t.enctypes;
	out->has_enctypes = t.enctypes != 0;
	lsa_tdo_release(&t);
	return 0;
}

static int
lsa_tdo_create(struct prov *p, const struct model_tdo *a, const char *pw,
               struct err *err)
{
	struct lsa_create c = {
	        .name = a->partner,
	        .netbios = a->flat_name,
	        .sid = a->sid,
	        .direction = a->direction,
	        .type = a->type,
	        .attributes = a->attributes,
	        .enctypes = a->has_enctypes ? a->enctypes : 0,
	        .password = pw,
	};
	struct lsa_session *s;
	int rc;

	if ((rc = session(&s, to_lsa(p), a->domain, err)) < 0)
		return rc;
	return lsa_create_tdo(s, &c, err);
}

static int
lsa_tdo_set(struct prov *p, const struct model_tdo *a, unsigned what,
            struct err *err)
{
	struct lsa_session *s;
	int rc;

	if ((rc = session(&s, to_lsa(p), a->domain, err)) < 0)
		return rc;
	if ((what & PROV_SET_INFO) &&
	    (rc = lsa_set_info_ex(s, a->partner, a->direction, a->type,
	                          a->attributes, err)) < 0)
		return rc;
	if (what & PROV_SET_ENCTYPES)
		rc = lsa_set_enctypes(s, a->partner,
		                      a->has_enctypes ? a->enctypes : 0, err);
	return rc;
}

static int
lsa_tdo_delete(struct prov *p, const char *domain, const char *partner,
               struct err *err)
{
	struct lsa_session *s;
	int rc;

	if ((rc = session(&s, to_lsa(p), domain, err)) < 0)
		return rc;
	return lsa_delete_tdo(s, partner, err);
}

static int
lsa_fti_get(struct prov *p, const char *domain, const char *partner,
            bool from_partner, struct fti *out, struct err *err)
{
	struct lsa_session *s;
	int rc;

	fti_init(out);
	if ((rc = session(&s, to_lsa(p), domain, err)) < 0)
		return rc;
	return from_partner ? lsa_fetch_partner_fti(s, partner, out, err)
	                    : lsa_query_fti(s, partner, out, err);
}

static int
lsa_fti_set(struct prov *p, const char *domain, const char *partner,
            const struct fti *want, struct err *err)
{
	/* LSA_FOREST_TRUST_COLLISION_RECORD_TYPE (MS-LSAD 2.2.7.27) */
	static const char *const kinds[] = {"trusted domain",
	                                    "local forest domain", "name"};
	struct lsa_collisions col = {0};
	struct lsa_session *s;
	int rc;

	if ((rc = session(&s, to_lsa(p), domain, err)) < 0)
		return rc;
	if ((rc = lsa_set_fti(s, partner, want, true, &col, err)) < 0)
		goto out;
	if (col.n > 0) {
		const struct lsa_collision *c = &col.v[0];
		const char *ours =
		        c->index < want->n && want->rec[c->index].name
		                ? want->rec[c->index].name
		                : "?";

		rc = err_set(err, ERR_CONFLICT,
		             "'%s/%s': name suffix '%s' collides with %s '%s' "
		             "(%zu collision%s; nothing was stored)",
		             domain, partner, ours,
		             c->type < 3 ? kinds[c->type] : "something named",
		             c->name ? c->name : "?", col.n,
		             col.n == 1 ? "" : "s");
		goto out;
	}
	rc = lsa_set_fti(s, partner, want, false, NULL, err);
out:
	lsa_collisions_release(&col);
	return rc;
}

bool
prov_vendor_is_samba(const char *vendor)
{
	return vendor != NULL && strstr(vendor, "Samba") != NULL;
}

static bool
differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false; /* unknown on one side: not compared */
	return strcasecmp(a, b) != 0;
}

/*
 * Samba 4.17 and 4.22 change encryption types, remove a direction and
 * toggle FOREST_TRANSITIVE in place, refuse every other trustAttributes
 * change, and answer OK to adding a direction without doing it
 * (notes/lsa-from-c.md section 3, notes/samba-422.md); Windows changes
 * attributes and direction through LsarSetInformationTrustedDomain
 * (notes/windows-lsa.md).
 */
static const char *
lsa_replace_reason(const char *vendor, const struct model_tdo *before,
                   const struct model_tdo *after)
{
	uint32_t changed =
	        (before->attributes ^ after->attributes) & after->attr_mask;

	if (before->type != after->type)
		return "trustType cannot be changed in place";
	if (changed & (TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST))
		return "changing the trust type recreates the trust, with the "
		       "new type's defaults for every unmanaged bit";
	if (differs(before->sid, after->sid))
		return "the partner's SID differs: it is another domain";
	if (differs(before->flat_name, after->flat_name))
		return "flatName cannot be changed in place";
	if (!prov_vendor_is_samba(vendor))
		return NULL;
	if (changed & ~TA_FOREST_TRANSITIVE)
		return "Samba cannot change trustAttributes in place";
	if ((after->direction & ~before->direction) != 0)
		return "Samba cannot add a direction in place (it needs a "
		       "new trust secret)";
	return NULL;
}

/*
 * netdom trust /reset: REDISCOVER drops the DC's cached secure channel to
 * the partner (Samba's winbindd keeps the old one, and with it the old
 * secret, for as long as it lives), then TC_VERIFY checks the new one.
 */
static int
lsa_sc_reset_slot(struct prov *p, const char *domain, const char *partner,
                  struct err *err)
{
	struct lsa_session *s;
	struct lsa_validation v;
	int rc;

	if ((rc = session(&s, to_lsa(p), domain, err)) < 0)
		return rc;
	if ((rc = lsa_sc_reset(s, partner, err)) < 0)
		return rc;
	rc = lsa_validate(s, partner, &v, err);
	lsa_validation_release(&v);
	return rc;
}

const struct prov_ops prov_lsa_ops = {
        .name = "lsa",
        .caps = PROV_CAN_WRITE,
        .open = lsa_open,
        .close = lsa_close,
        .preflight = lsa_preflight,
        .tdo_get = lsa_tdo_get,
        .tdo_create = lsa_tdo_create,
        .tdo_set = lsa_tdo_set,
        .tdo_delete = lsa_tdo_delete,
        .fti_get = lsa_fti_get,
        .fti_set = lsa_fti_set,
        .sc_reset = lsa_sc_reset_slot,
        .replace_reason = lsa_replace_reason,
};
