/* The in-memory provider with fault injection (see fake.h). */
#include "providers/fake.h"

#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "model/model.h"
#include "providers/prov_int.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/xalloc.h"

struct fake_tdo {
	struct model_tdo t;
	char secret[65]; /* hex SHA-256 of the password, "" if unknown */
};

struct fake_domain {
	char *name, *netbios, *sid, *vendor;
	bool down;
	struct fake_tdo *tdos;
	size_t n_tdos;
};

struct fake_fault {
	size_t step;
	enum prov_fake_fault f;
	int signo;
};

struct prov_fake {
	struct prov base; /* must stay first */
	struct fake_domain *doms;
	size_t n_doms;
	struct fake_fault *faults;
	size_t n_faults;
	size_t writes;
	unsigned serial; /* for objectGUIDs */
};

static struct prov_fake *
to_fake(struct prov *p)
{
	assert(p->ops == &prov_fake_ops);
	return (struct prov_fake *)p;
}

struct prov *
prov_fake_new(void)
{
	struct prov_fake *f = xcalloc(1, sizeof(*f));

	f->base.ops = &prov_fake_ops;
	return &f->base;
}

static int
fake_open(struct prov **out, const struct prov_cfg *cfg, struct err *err)
{
	(void)cfg;
	(void)err;
	*out = prov_fake_new();
	return 0;
}

static void
fake_close(struct prov *p)
{
	struct prov_fake *f;

	if (p == NULL)
		return;
	f = to_fake(p);
	for (size_t i = 0; i < f->n_doms; i++) {
		struct fake_domain *d = &f->doms[i];

		for (size_t j = 0; j < d->n_tdos; j++)
			model_tdo_release(&d->tdos[j].t);
		free(d->tdos);
		free(d->name);
		free(d->netbios);
		free(d->sid);
		free(d->vendor);
	}
	free(f->doms);
	free(f->faults);
	free(f);
}

static struct fake_domain *
dom(struct prov_fake *f, const char *name)
{
	for (size_t i = 0; i < f->n_doms; i++)
		if (strcasecmp(f->doms[i].name, name) == 0)
			return &f->doms[i];
	return NULL;
}

static struct fake_tdo *
tdo(struct fake_domain *d, const char *partner)
{
	for (size_t i = 0; i < d->n_tdos; i++)
		if (strcasecmp(d->tdos[i].t.partner, partner) == 0)
			return &d->tdos[i];
	return NULL;
}

void
prov_fake_add_domain(struct prov *p, const char *name, const char *netbios,
                     const char *sid, const char *vendor)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d;

	f->doms = xreallocarray(f->doms, f->n_doms + 1, sizeof(*f->doms));
	d = &f->doms[f->n_doms++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	for (char *q = d->name; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	d->netbios = xstrdup(netbios);
	d->sid = xstrdup(sid);
	d->vendor = xstrdup(vendor ? vendor : "");
}

static void
digest(char out[65], const char *password)
{
	unsigned char h[32];

	out[0] = '\0';
	if (password == NULL)
		return;
	gnutls_hash_fast(GNUTLS_DIG_SHA256, password, strlen(password), h);
	hex_encode(out, h, sizeof(h));
}

/*
 * A realm side (the MIT half) keeps its principals in step: one per
 * direction, with the side's key types, kvno 1 when new, + 1 per re-key.
 */
static void
realm_princs(struct model_tdo *t, uint32_t kvno)
{
	for (unsigned k = 0; k < 2 && t->realm_side; k++) {
		uint32_t bit = k == MODEL_PRINC_IN ? TDO_DIR_INBOUND
		                                   : TDO_DIR_OUTBOUND;

		t->princ[k].present = (t->direction & bit) != 0;
		t->princ[k].enctypes = t->princ[k].present ? t->enctypes : 0;
		t->princ[k].kvno = t->princ[k].present ? kvno : 0;
	}
}

static void
put(struct prov_fake *f, struct fake_domain *d, const struct model_tdo *t,
    const char *password)
{
	struct fake_tdo *x = tdo(d, t->partner);

	if (x != NULL) {
		model_tdo_release(&x->t);
	} else {
		d->tdos =
		        xreallocarray(d->tdos, d->n_tdos + 1, sizeof(*d->tdos));
		x = &d->tdos[d->n_tdos++];
	}
	model_tdo_copy(&x->t, t);
	free(x->t.domain);
	x->t.domain = xstrdup(d->name);
	x->t.attr_mask = 0xffffffffu;
	x->t.suffixes = NULL;
	x->t.trust = NULL;
	realm_princs(&x->t, t->princ[0].kvno ? t->princ[0].kvno : 1);
	snprintf(x->t.guid, sizeof(x->t.guid), "00000000-0000-4000-8000-%012x",
	         ++f->serial);
	digest(x->secret, password);
}

void
prov_fake_put(struct prov *p, const struct model_tdo *t, const char *password)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d = dom(f, t->domain);

	assert(d != NULL);
	put(f, d, t, password);
}

const struct model_tdo *
prov_fake_get(struct prov *p, const char *domain, const char *partner,
              const char **secret)
{
	struct fake_domain *d = dom(to_fake(p), domain);
	struct fake_tdo *x = d != NULL ? tdo(d, partner) : NULL;

	if (secret != NULL)
		*secret = x != NULL ? x->secret : NULL;
	return x != NULL ? &x->t : NULL;
}

void
prov_fake_fault(struct prov *p, size_t step, enum prov_fake_fault fault,
                int signo)
{
	struct prov_fake *f = to_fake(p);

	f->faults =
	        xreallocarray(f->faults, f->n_faults + 1, sizeof(*f->faults));
	f->faults[f->n_faults++] =
	        (struct fake_fault){.step = step, .f = fault, .signo = signo};
}

void
prov_fake_heal(struct prov *p)
{
	struct prov_fake *f = to_fake(p);

	f->n_faults = 0;
	for (size_t i = 0; i < f->n_doms; i++)
		f->doms[i].down = false;
}

size_t
prov_fake_writes(struct prov *p)
{
	return to_fake(p)->writes;
}

/* The domain a call goes to, or an error as the LSA writer would give. */
static int
reach(struct fake_domain **out, struct prov_fake *f, const char *domain,
      struct err *err)
{
	struct fake_domain *d = dom(f, domain);

	*out = d;
	if (d == NULL)
		return err_set(err, ERR_INVALID, "domain '%s' is not known",
		               domain);
	if (d->down)
		return err_set(err, ERR_IO,
		               "domain '%s': the DC does not answer", domain);
	return 0;
}

/*
 * Counts a write step and applies its fault.  Returns 0 to go on (with
 * *lost set if the answer must be lost after the write), or an error.
 */
static int
step(struct prov_fake *f, struct fake_domain *d, bool *lost, struct err *err)
{
	size_t k = ++f->writes;

	*lost = false;
	for (size_t i = 0; i < f->n_faults; i++) {
		if (f->faults[i].step != k)
			continue;
		switch (f->faults[i].f) {
		case PROV_FAKE_NONE:
			break;
		case PROV_FAKE_FAIL:
			return err_set(err, ERR_BACKEND,
			               "write step %zu on '%s': refused "
			               "(injected)",
			               k, d->name);
		case PROV_FAKE_LOST:
			*lost = true;
			break;
		case PROV_FAKE_DOWN:
			d->down = true;
			return err_set(err, ERR_IO,
			               "domain '%s': the DC does not answer "
			               "(injected at write step %zu)",
			               d->name, k);
		case PROV_FAKE_SIGNAL:
			raise(f->faults[i].signo);
			break;
		}
	}
	return 0;
}

static int
lost_answer(struct fake_domain *d, struct err *err)
{
	return err_set(err, ERR_IO,
	               "domain '%s': no answer (the request may have been "
	               "carried out; injected)",
	               d->name);
}

static void
fake_digest(struct model_tdo *t)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s|%s|%u|%u|%u|%u|%d|%zu", t->partner,
	         t->flat_name ? t->flat_name : "", t->direction, t->type,
	         t->attributes, t->enctypes, t->has_enctypes, t->fti.n);
	digest(t->digest, buf);
}

static int
fake_read(struct prov *p, const char *const *domains, size_t n,
          struct model_state *out, struct err *err)
{
	struct prov_fake *f = to_fake(p);
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct fake_domain *d;
		struct model_domain_state *ds;

		if ((rc = reach(&d, f, domains[i], err)) < 0)
			return rc;
		ds = model_state_add(out);
		ds->name = xstrdup(d->name);
		ds->netbios = xstrdup(d->netbios);
		ds->sid = xstrdup(d->sid);
		ds->dn = prov_dns_to_dn(d->name);
		ds->forest_root = xstrdup(d->name);
		ds->vendor = xstrdup(d->vendor);
		ds->functional_level = 7;
		ds->source = xstrdup("fake");
		for (size_t j = 0; j < d->n_tdos; j++) {
			struct model_tdo *t = model_domain_state_add_tdo(ds);

			model_tdo_copy(t, &d->tdos[j].t);
			t->attr_mask = 0xffffffffu;
			t->dn = xasprintf("CN=%s,CN=System,%s", t->partner,
			                  ds->dn);
			t->source = xstrdup("fake");
			fake_digest(t);
		}
		prov_sort_tdos(ds);
	}
	return 0;
}

static int
fake_preflight(struct prov *p, const char *domain, struct err *err)
{
	struct fake_domain *d;

	return reach(&d, to_fake(p), domain, err);
}

static int
fake_tdo_get(struct prov *p, const char *domain, const char *partner,
             struct model_tdo *out, struct err *err)
{
	struct fake_domain *d;
	struct fake_tdo *x;
	int rc;

	model_tdo_init(out);
	if ((rc = reach(&d, to_fake(p), domain, err)) < 0)
		return rc;
	if ((x = tdo(d, partner)) == NULL)
		return err_set(err, ERR_NOTFOUND, "'%s/%s': no such trust",
		               domain, partner);
	model_tdo_copy(out, &x->t);
	return 0;
}

static int
fake_tdo_create(struct prov *p, const struct model_tdo *t, const char *pw,
                struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d;
	struct model_tdo copy;
	bool lost;
	int rc;

	if ((rc = reach(&d, f, t->domain, err)) < 0 ||
	    (rc = step(f, d, &lost, err)) < 0)
		return rc;
	if (tdo(d, t->partner) != NULL)
		return err_set(err, ERR_CONFLICT,
		               "'%s/%s': NT_STATUS_OBJECT_NAME_COLLISION",
		               t->domain, t->partner);
	model_tdo_init(&copy);
	model_tdo_copy(&copy, t);
	/* a new TDO holds what the create sends: no forest records yet */
	fti_release(&copy.fti);
	copy.has_fti = false;
	free(copy.fti_blob);
	copy.fti_blob = NULL;
	copy.fti_len = 0;
	put(f, d, &copy, pw);
	model_tdo_release(&copy);
	return lost ? lost_answer(d, err) : 0;
}

static int
fake_tdo_set(struct prov *p, const struct model_tdo *t, unsigned what,
             struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d;
	struct fake_tdo *x;
	bool lost;
	int rc;

	if ((rc = reach(&d, f, t->domain, err)) < 0 ||
	    (rc = step(f, d, &lost, err)) < 0)
		return rc;
	if ((x = tdo(d, t->partner)) == NULL)
		return err_set(err, ERR_NOTFOUND, "'%s/%s': no such trust",
		               t->domain, t->partner);
	if (what & PROV_SET_INFO) {
		x->t.direction = t->direction;
		x->t.type = t->type;
		x->t.attributes = t->attributes;
	}
	if (what & PROV_SET_ENCTYPES) {
		x->t.enctypes = t->has_enctypes ? t->enctypes : 0;
		x->t.has_enctypes = t->has_enctypes && t->enctypes != 0;
	}
	if (what & PROV_SET_SECRET) { /* kadm5's in-place re-key */
		uint32_t kv = x->t.princ[0].kvno > x->t.princ[1].kvno
		                      ? x->t.princ[0].kvno
		                      : x->t.princ[1].kvno;
		char *pw = NULL;

		if (t->trust == NULL || t->trust->password == NULL ||
		    (rc = model_secret_resolve(&pw, t->trust->password,
		                               "the trust password", err)) < 0)
			return err_set(
			        err, ERR_INVALID,
			        "'%s/%s': no trust password to re-key with",
			        t->domain, t->partner);
		digest(x->secret, pw);
		model_secret_free(pw);
		realm_princs(&x->t, kv + 1);
	} else if (what & (PROV_SET_INFO | PROV_SET_ENCTYPES)) {
		realm_princs(&x->t, x->t.princ[0].kvno ? x->t.princ[0].kvno
		                                       : x->t.princ[1].kvno);
	}
	return lost ? lost_answer(d, err) : 0;
}

static int
fake_tdo_delete(struct prov *p, const char *domain, const char *partner,
                struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d;
	struct fake_tdo *x;
	bool lost;
	int rc;

	if ((rc = reach(&d, f, domain, err)) < 0 ||
	    (rc = step(f, d, &lost, err)) < 0)
		return rc;
	if ((x = tdo(d, partner)) == NULL)
		return err_set(err, ERR_NOTFOUND, "'%s/%s': no such trust",
		               domain, partner);
	model_tdo_release(&x->t);
	memmove(x, x + 1, (size_t)(d->tdos + d->n_tdos - (x + 1)) * sizeof(*x));
	d->n_tdos--;
	return lost ? lost_answer(d, err) : 0;
}

static int
fake_fti_get(struct prov *p, const char *domain, const char *partner,
             bool from_partner, struct fti *out, struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d, *pd;
	struct fake_tdo *x;
	int rc;

	fti_init(out);
	if ((rc = reach(&d, f, domain, err)) < 0)
		return rc;
	if (from_partner) {
		struct fti_record r = {.type = FTI_TLN};

		if ((pd = dom(f, partner)) == NULL)
			return err_set(err, ERR_NOTFOUND,
			               "'%s': partner forest '%s' unknown",
			               domain, partner);
		r.name = pd->name;
		fti_add(out, &r);
		r = (struct fti_record){.type = FTI_DOMAIN,
		                        .name = pd->name,
		                        .netbios = pd->netbios,
		                        .sid = pd->sid};
		fti_add(out, &r);
		return 0;
	}
	if ((x = tdo(d, partner)) == NULL)
		return err_set(err, ERR_NOTFOUND, "'%s/%s': no such trust",
		               domain, partner);
	if (!x->t.has_fti)
		return err_set(err, ERR_NOTFOUND,
		               "'%s/%s': no forest trust information", domain,
		               partner);
	fti_copy(out, &x->t.fti);
	return 0;
}

static int
fake_fti_set(struct prov *p, const char *domain, const char *partner,
             const struct fti *records, struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d;
	struct fake_tdo *x;
	bool lost;
	int rc;

	if ((rc = reach(&d, f, domain, err)) < 0 ||
	    (rc = step(f, d, &lost, err)) < 0)
		return rc;
	if ((x = tdo(d, partner)) == NULL)
		return err_set(err, ERR_NOTFOUND, "'%s/%s': no such trust",
		               domain, partner);
	fti_release(&x->t.fti);
	fti_copy(&x->t.fti, records);
	x->t.has_fti = true;
	return lost ? lost_answer(d, err) : 0;
}

static int
fake_sc_reset(struct prov *p, const char *domain, const char *partner,
              struct err *err)
{
	struct prov_fake *f = to_fake(p);
	struct fake_domain *d, *pd;
	struct fake_tdo *x, *y;
	int rc;

	if ((rc = reach(&d, f, domain, err)) < 0)
		return rc;
	/* the secure channel works when the partner holds the same secret */
	pd = dom(f, partner);
	x = tdo(d, partner);
	y = pd != NULL ? tdo(pd, domain) : NULL;
	if (x == NULL || (pd != NULL && y == NULL) ||
	    (y != NULL && strcmp(x->secret, y->secret) != 0))
		return err_set(err, ERR_BACKEND,
		               "'%s/%s': TC_VERIFY: WERR_ACCOUNT_DISABLED",
		               domain, partner);
	return 0;
}

static const char *
fake_replace_reason(const char *vendor, const struct model_tdo *before,
                    const struct model_tdo *after)
{
	return prov_lsa_ops.replace_reason(vendor, before, after);
}

const struct prov_ops prov_fake_ops = {
        .name = "fake",
        .caps = PROV_CAN_READ | PROV_CAN_WRITE,
        .open = fake_open,
        .read = fake_read,
        .close = fake_close,
        .preflight = fake_preflight,
        .tdo_get = fake_tdo_get,
        .tdo_create = fake_tdo_create,
        .tdo_set = fake_tdo_set,
        .tdo_delete = fake_tdo_delete,
        .fti_get = fake_fti_get,
        .fti_set = fake_fti_set,
        .sc_reset = fake_sc_reset,
        .replace_reason = fake_replace_reason,
};
