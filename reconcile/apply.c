/*
 * The apply engine (see rec_apply in rec.h).  It talks to each domain's DC
 * through one adtrust-lsa session, opened on first use.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "providers/lsa.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

struct sess {
	char *domain;
	struct lsa_session *s;
};

struct run {
	const struct plan *p;
	const struct model *m;
	const struct rec_apply_opts *o;
	char *helper;
	struct sess *sess;
	size_t n_sess;
	const struct plan_item *cur; /* the item being applied */
	bool *done;                  /* per plan item */
};

static void
say(struct run *r, const char *what, const struct plan_item *it,
    const char *extra)
{
	fprintf(r->o->report, "%-9s %-7s %s%s%s\n", what,
	        plan_action_name(it->action), it->address, extra ? ": " : "",
	        extra ? extra : "");
	fflush(r->o->report);
}

static int
session(struct lsa_session **out, struct run *r, const char *domain,
        struct err *err)
{
	const struct model_domain *d = model_domain_find(r->m, domain);
	const struct model_credential *c = NULL;
	struct lsa_login l = {0};
	char *host = NULL, *pw = NULL, *realm = NULL;
	int rc;

	for (size_t i = 0; i < r->n_sess; i++)
		if (strcasecmp(r->sess[i].domain, domain) == 0) {
			*out = r->sess[i].s;
			return 0;
		}
	*out = NULL;
	if (d == NULL || (host = model_domain_dc_host(d)) == NULL)
		return err_set(err, ERR_INVALID,
		               "domain '%s' has no 'rpc' or 'ldap' to write to",
		               domain);
	if (d->credentials != NULL)
		c = model_cred_find(r->m, d->credentials);
	realm = xstrdup(domain);
	for (char *q = realm; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	l.server = host;
	l.realm = realm;
	if (c != NULL && c->method == MODEL_CRED_PASSWORD) {
		char what[300];

		snprintf(what, sizeof(what), "the password of '%s'", c->user);
		if ((rc = model_secret_get(r->o->secrets, &pw, c->password,
		                           what, err)) < 0)
			goto out;
		l.user = c->user;
		l.password = pw;
	} else if (c != NULL) {
		l.ccache = c->ccache;
	}
	rc = lsa_session_open(out, r->helper, &l, r->o->timeout_ms, err);
	if (rc < 0) {
		err_prefix(err, "domain '%s'", domain);
		goto out;
	}
	r->sess = xreallocarray(r->sess, r->n_sess + 1, sizeof(*r->sess));
	r->sess[r->n_sess].domain = xstrdup(domain);
	r->sess[r->n_sess].s = *out;
	r->n_sess++;
out:
	model_secret_free(pw);
	free(host);
	free(realm);
	return rc;
}

/* A strong random trust password: 32 characters of a 64-symbol alphabet. */
static char *
gen_password(void)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789-_";
	unsigned char raw[32];
	char *pw = xmalloc(sizeof(raw) + 1);

	if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw)) != 0)
		abort(); /* no randomness: nothing safe to do */
	for (size_t i = 0; i < sizeof(raw); i++)
		pw[i] = abc[raw[i] & 63];
	pw[sizeof(raw)] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return pw;
}

static int
trust_password(char **out, const struct model_trust *t, struct err *err)
{
	char what[600];

	*out = NULL;
	if (t->password == NULL) {
		*out = gen_password();
		return 0;
	}
	snprintf(what, sizeof(what), "the trust password of %s -> %s",
	         t->trusting, t->trusted);
	return model_secret_resolve(out, t->password, what, err);
}

/* Reads the TDO back and compares what the write was meant to change. */
static int
verify(struct lsa_session *s, const struct plan_item *it, bool want_absent,
       struct err *err)
{
	const struct model_tdo *a = &it->after;
	struct lsa_tdo t = {0};
	int rc = lsa_query_tdo(s, it->partner, &t, err);

	if (want_absent) {
		if (rc == ERR_NOTFOUND)
			return 0;
		lsa_tdo_release(&t);
		return rc < 0 ? rc
		              : err_set(err, ERR_BACKEND,
		                        "'%s': the server said the trust was "
		                        "deleted, but it is still there",
		                        it->address);
	}
	if (rc < 0)
		return err_prefix(err, "reading back '%s'", it->address);
	if (t.direction != a->direction || t.type != a->type ||
	    ((t.attributes ^ a->attributes) & a->attr_mask) != 0 ||
	    (a->has_enctypes && t.enctypes != a->enctypes))
		rc = err_set(err, ERR_BACKEND,
		             "'%s': the server said OK but the trust reads "
		             "back as direction %s, attributes 0x%x, "
		             "encryption 0x%x (wanted %s, 0x%x, 0x%x)",
		             it->address, model_dir_name(t.direction),
		             t.attributes, t.enctypes,
		             model_dir_name(a->direction), a->attributes,
		             a->enctypes);
	lsa_tdo_release(&t);
	return rc;
}

static bool
fti_same_tlns(const struct fti *x, const struct fti *y)
{
	size_t nx = 0, ny = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct fti_record *r = &x->rec[i];
		bool hit = false;

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		nx++;
		for (size_t j = 0; j < y->n && !hit; j++)
			hit = y->rec[j].type == r->type &&
			      strcasecmp(y->rec[j].name, r->name) == 0 &&
			      ((y->rec[j].flags ^ r->flags) &
			       (FTI_TLN_DISABLED_ADMIN |
			        FTI_TLN_DISABLED_NEW)) == 0;
		if (!hit)
			return false;
	}
	for (size_t j = 0; j < y->n; j++)
		if (y->rec[j].type == FTI_TLN || y->rec[j].type == FTI_TLN_EX)
			ny++;
	return nx == ny;
}

/*
 * Stores the forest trust records: the spec is applied to what the TDO
 * holds now (a fresh Samba TDO has a default TLN + DOMAIN record), checked
 * first (collisions named), then stored and read back.
 */
/* Where the records to store come from. */
enum fti_base {
	FTI_FROM_LIVE,    /* an update: the TDO's records, spec applied */
	FTI_FROM_PARTNER, /* a new trust: the partner forest's namespaces */
	FTI_FROM_PLAN,    /* a replace: exactly the records planned */
};

static int
write_fti(struct lsa_session *s, const struct plan_item *it, enum fti_base from,
          struct err *err)
{
	struct fti cur, want, back;
	struct lsa_collisions col = {0};
	struct err e2;
	int rc = ERR_NOTFOUND;

	fti_init(&cur);
	fti_init(&want);
	fti_init(&back);
	if (from == FTI_FROM_PLAN && it->after.fti.n > 0) {
		fti_copy(&want, &it->after.fti);
		goto check;
	}
	/*
	 * A new forest trust starts from the partner forest's namespaces as
	 * its DC reports them (NETLOGON, like samba-tool's namespaces
	 * --refresh); else, or if that fails, from what the TDO holds.
	 */
	err_init(&e2);
	if (from != FTI_FROM_LIVE)
		rc = lsa_fetch_partner_fti(s, it->partner, &cur, &e2);
	if (rc < 0) {
		fti_release(&cur);
		rc = lsa_query_fti(s, it->partner, &cur, err);
		if (rc < 0 && rc != ERR_NOTFOUND)
			goto out;
	}
	if (it->after.suffixes != NULL)
		rec_fti_resolve(&want, rc == 0 ? &cur : NULL,
		                it->after.suffixes);
	else
		fti_copy(&want, &cur);
check:
	if (want.n == 0) {
		rc = 0; /* nothing to route yet */
		goto out;
	}
	if ((rc = lsa_set_fti(s, it->partner, &want, true, &col, err)) < 0)
		goto out;
	if (col.n > 0) {
		/* LSA_FOREST_TRUST_COLLISION_RECORD_TYPE (MS-LSAD 2.2.7.27) */
		static const char *const kinds[] = {
		        "trusted domain", "local forest domain", "name"};
		const struct lsa_collision *c = &col.v[0];
		const char *ours = c->index < want.n && want.rec[c->index].name
		                           ? want.rec[c->index].name
		                           : "?";

		rc = err_set(err, ERR_CONFLICT,
		             "'%s': name suffix '%s' collides with %s '%s' "
		             "(%zu collision%s; nothing was stored)",
		             it->address, ours,
		             c->type < 3 ? kinds[c->type] : "something named",
		             c->name ? c->name : "?", col.n,
		             col.n == 1 ? "" : "s");
		goto out;
	}
	if ((rc = lsa_set_fti(s, it->partner, &want, false, NULL, err)) < 0)
		goto out;
	if ((rc = lsa_query_fti(s, it->partner, &back, err)) < 0)
		goto out;
	if (!fti_same_tlns(&want, &back))
		rc = err_set(err, ERR_BACKEND,
		             "'%s': the server said OK but the name suffixes "
		             "read back differently",
		             it->address);
out:
	lsa_collisions_release(&col);
	fti_release(&cur);
	fti_release(&want);
	fti_release(&back);
	return rc;
}

static int
do_create(struct run *r, const struct plan_item *it, const char *pw, bool *made,
          struct err *err)
{
	const struct model_tdo *a = &it->after;
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

	if ((rc = session(&s, r, it->domain, err)) < 0)
		return rc;
	if (a->flat_name == NULL || (a->sid == NULL && a->type != TDO_TYPE_MIT))
		return err_set(err, ERR_INVALID,
		               "'%s': creating a trust needs the partner's "
		               "'netbios' and 'sid' in its domain entry",
		               it->address);
	*made = false;
	if ((rc = lsa_create_tdo(s, &c, err)) < 0) {
		if (rc == ERR_IO) /* the request may have reached the DC */
			err_prefix(err,
			           "the trust may exist on '%s' now "
			           "(re-plan to see)",
			           it->domain);
		return rc;
	}
	*made = true;
	return verify(s, it, false, err);
}

static int
do_delete(struct run *r, const struct plan_item *it, struct err *err)
{
	struct lsa_session *s;
	int rc;

	if ((rc = session(&s, r, it->domain, err)) < 0)
		return rc;
	if ((rc = lsa_delete_tdo(s, it->partner, err)) < 0)
		return rc;
	return verify(s, it, true, err);
}

static int
do_update(struct run *r, const struct plan_item *it, struct err *err)
{
	const struct model_tdo *a = &it->after, *b = &it->before;
	struct lsa_session *s;
	bool suffixes = false;
	int rc;

	if ((rc = session(&s, r, it->domain, err)) < 0)
		return rc;
	if (a->direction != b->direction || a->attributes != b->attributes) {
		rc = lsa_set_info_ex(s, it->partner, a->direction, a->type,
		                     a->attributes, err);
		if (rc < 0)
			return rc;
	}
	if (a->has_enctypes && (!b->has_enctypes || a->enctypes != b->enctypes))
		if ((rc = lsa_set_enctypes(s, it->partner, a->enctypes, err)) <
		    0)
			return rc;
	for (size_t i = 0; i < it->n_changes; i++)
		if (strncmp(it->changes[i].field, "name_suffixes", 13) == 0)
			suffixes = true;
	if (suffixes && (rc = write_fti(s, it, FTI_FROM_LIVE, err)) < 0)
		return rc;
	return verify(s, it, false, err);
}

/* The items of one trust, in the order they are applied. */
static int
apply_trust(struct run *r, long ti, struct err *err)
{
	const struct plan *p = r->p;
	const struct model_trust *t = ti >= 0 ? &r->m->trusts[ti] : NULL;
	const struct plan_item *created[2] = {NULL, NULL};
	size_t n_created = 0;
	char *pw = NULL;
	int rc = 0;

	/* pass 1: deletes; 2: updates; 3: replaces and creates */
	for (int pass = 1; pass <= 3 && rc == 0; pass++) {
		for (size_t i = 0; i < p->n_items && rc == 0; i++) {
			const struct plan_item *it = &p->items[i];
			bool del = it->action == PLAN_DELETE,
			     upd = it->action == PLAN_UPDATE,
			     cre = it->action == PLAN_CREATE ||
			           it->action == PLAN_REPLACE,
			     made = false;

			if (it->trust_index != ti ||
			    !((pass == 1 && del) || (pass == 2 && upd) ||
			      (pass == 3 && cre)))
				continue;
			r->cur = it;
			if (cre && pw == NULL &&
			    (rc = trust_password(&pw, t, err)) < 0)
				break;
			if (it->action == PLAN_REPLACE) {
				if ((rc = do_delete(r, it, err)) < 0)
					break;
				say(r, "deleted", it,
				    "the old object; creating it again");
			}
			if (del)
				rc = do_delete(r, it, err);
			else if (upd)
				rc = do_update(r, it, err);
			else {
				rc = do_create(r, it, pw, &made, err);
				if (made && n_created < 2)
					created[n_created++] = it;
				if (rc < 0 && it->action == PLAN_REPLACE)
					err_prefix(err, "deleted, but not "
					                "created again");
			}
			if (rc == 0) {
				r->done[it - p->items] = true;
				say(r, "done", it, NULL);
			}
		}
	}
	/* forest trust info once both sides exist (the partner answers) */
	for (size_t i = 0; i < n_created && rc == 0; i++) {
		struct lsa_session *s;

		if (!(created[i]->after.attributes & TA_FOREST_TRANSITIVE))
			continue;
		r->cur = created[i];
		if ((rc = session(&s, r, created[i]->domain, err)) == 0)
			rc = write_fti(s, created[i],
			               created[i]->action == PLAN_CREATE
			                       ? FTI_FROM_PARTNER
			                       : FTI_FROM_PLAN,
			               err);
	}
	if (rc < 0 && r->cur != NULL)
		say(r, "FAILED", r->cur, err->msg);
	if (rc < 0 && n_created > 0) {
		/* no half-trust: take back the sides this run created */
		struct err e2;

		for (size_t i = 0; i < n_created; i++) {
			const struct plan_item *c = created[i];

			err_init(&e2);
			if (do_delete(r, c, &e2) == 0) {
				say(r, "undone", c,
				    c->action == PLAN_REPLACE
				            ? "deleted again: the replace had "
				              "removed the old object, so this "
				              "side of the trust is now absent"
				            : "deleted again: the trust could "
				              "not "
				              "be completed");
				r->done[c - p->items] = false;
			} else {
				say(r, "FAILED", c, e2.msg);
			}
		}
	}
	model_secret_free(pw);
	return rc;
}

int
rec_apply(const struct plan *p, const struct model *m,
          const struct rec_apply_opts *o, struct err *err)
{
	struct run r = {.p = p, .m = m, .o = o};
	long last = -2;
	int rc = 0;

	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].blocked)
			return err_set(err, ERR_DENIED,
			               "'%s' is protected: its %s needs "
			               "--allow-destroy; nothing was applied",
			               p->items[i].address,
			               plan_action_name(p->items[i].action));
	r.done = xcalloc(p->n_items ? p->n_items : 1, sizeof(*r.done));
	if (o->helper_path != NULL)
		r.helper = xstrdup(o->helper_path);
	else if ((rc = lsa_helper_path(&r.helper, err)) < 0)
		goto out;
	/* items are sorted by domain; trusts are applied one at a time */
	for (size_t i = 0; i < p->n_items && rc == 0; i++) {
		long ti = p->items[i].trust_index;
		bool seen = false;

		if (p->items[i].action == PLAN_NOOP || ti == last)
			continue;
		for (size_t j = 0; j < i; j++)
			if (p->items[j].trust_index == ti &&
			    p->items[j].action != PLAN_NOOP)
				seen = true;
		if (seen)
			continue;
		last = ti;
		rc = apply_trust(&r, ti, err);
	}
	if (rc < 0)
		for (size_t i = 0; i < p->n_items; i++)
			if (p->items[i].action != PLAN_NOOP && !r.done[i] &&
			    &p->items[i] != r.cur)
				say(&r, "not done", &p->items[i], NULL);
out:
	for (size_t i = 0; i < r.n_sess; i++) {
		lsa_session_close(r.sess[i].s);
		free(r.sess[i].domain);
	}
	free(r.sess);
	free(r.helper);
	free(r.done);
	return rc;
}
