/*
 * The kadm5 provider (see kadm.h): one kadmind session per realm, opened on
 * first use with the realm's credentials (password reference, keytab or
 * ccache), each with its own krb5_context.
 */
#include "providers/kadm.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <kadm5/admin.h>
#include <krb5.h>

#include "model/model.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/trace.h"
#include "util/xalloc.h"

/* The ENC_* bits that are key types, strongest first (DES: not in 1.20). */
static const struct {
	uint32_t bit;
	krb5_enctype et;
} key_types[] = {
        {ENC_AES256, ENCTYPE_AES256_CTS_HMAC_SHA1_96},
        {ENC_AES128, ENCTYPE_AES128_CTS_HMAC_SHA1_96},
        {ENC_RC4_HMAC, ENCTYPE_ARCFOUR_HMAC},
        {ENC_DES_CBC_MD5, ENCTYPE_DES_CBC_MD5},
        {ENC_DES_CBC_CRC, ENCTYPE_DES_CBC_CRC},
};
#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

struct kadm_sess {
	char *realm; /* the domain name the model gives the realm */
	char *server;
	krb5_context ctx;
	void *h;                   /* kadm5 server handle */
	const struct trace *trace; /* -v; borrowed, may be NULL */
};

struct prov_kadm {
	struct prov base; /* must stay first */
	const struct model *model;
	struct model_secret_cache *secrets;
	const struct trace *trace; /* -v; borrowed, may be NULL */
	struct kadm_sess *s;
	size_t n;
};

static struct prov_kadm *
to_kadm(struct prov *p)
{
	assert(p->ops == &prov_kadm_ops);
	return (struct prov_kadm *)p;
}

static int
kadm_open(struct prov **out, const struct prov_cfg *cfg, struct err *err)
{
	struct prov_kadm *k = xcalloc(1, sizeof(*k));

	(void)err;
	k->base.ops = &prov_kadm_ops;
	k->model = cfg != NULL ? cfg->model : NULL;
	k->secrets = cfg != NULL ? cfg->secrets : NULL;
	k->trace = cfg != NULL ? cfg->trace : NULL;
	*out = &k->base;
	return 0;
}

static void
sess_release(struct kadm_sess *s)
{
	if (s->h != NULL)
		kadm5_destroy(s->h);
	if (s->ctx != NULL)
		krb5_free_context(s->ctx);
	free(s->realm);
	free(s->server);
	memset(s, 0, sizeof(*s));
}

static void
kadm_close(struct prov *p)
{
	struct prov_kadm *k;

	if (p == NULL)
		return;
	k = to_kadm(p);
	for (size_t i = 0; i < k->n; i++)
		sess_release(&k->s[i]);
	free(k->s);
	free(k);
}

/* Sets err from a krb5/kadm5 code: "what: message". */
static int __attribute__((format(printf, 5, 6)))
kfail(struct err *err, enum err_code code, krb5_context ctx, long rc,
      const char *fmt, ...)
{
	char what[sizeof(err->msg)];
	const char *m = krb5_get_error_message(ctx, (krb5_error_code)rc);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(err, code, "%s: %s", what, m);
	err->sys = (int)rc;
	krb5_free_error_message(ctx, m);
	return code;
}

/*
 * -v: one line for the kadm5 call started at t0 (rc its krb5/kadm5
 * code).  Principal names only: never a password or a key.
 */
static void __attribute__((format(printf, 4, 5)))
kstep(const struct kadm_sess *s, int64_t t0, long rc, const char *fmt, ...)
{
	char what[300], tail[300] = "";
	va_list ap;

	if (!trace_on(s->trace))
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc != 0) {
		const char *m =
		        krb5_get_error_message(s->ctx, (krb5_error_code)rc);

		snprintf(tail, sizeof(tail), ", failed: %s", m);
		krb5_free_error_message(s->ctx, m);
	}
	trace_log(s->trace, "kadm5 %s (%s): %s: %lld ms%s",
	          s->server != NULL ? s->server : "?", s->realm, what,
	          (long long)(trace_now_ms() - t0), tail);
}

/* ---- sessions ---- */

static const struct model_domain *
realm_domain(const struct prov_kadm *k, const char *realm, struct err *err)
{
	const struct model_domain *d =
	        k->model != NULL ? model_domain_find(k->model, realm) : NULL;

	if (d == NULL || d->kind != MODEL_KIND_MIT_REALM) {
		err_set(err, ERR_INVALID,
		        "'%s' is not an MIT realm of the desired state", realm);
		return NULL;
	}
	return d;
}

/* Logs in to the realm's kadmind with its credentials. */
static int
login(struct kadm_sess *s, const struct prov_kadm *k,
      const struct model_domain *d, struct err *err)
{
	const struct model_credential *c =
	        d->credentials ? model_cred_find(k->model, d->credentials)
	                       : NULL;
	kadm5_config_params params;
	char *realm = model_realm_of(k->model, d->name), *user = NULL;
	char *host = NULL, *colon, *pw = NULL;
	krb5_ccache cc = NULL;
	char what[600];
	int64_t t0;
	long rc;

	memset(&params, 0, sizeof(params));
	params.mask = KADM5_CONFIG_REALM;
	params.realm = realm;
	s->server = xstrdup(d->kadmin != NULL ? d->kadmin : "(krb5.conf)");
	if (d->kadmin != NULL) {
		host = xstrdup(d->kadmin);
		if ((colon = strrchr(host, ':')) != NULL &&
		    strchr(host, ']') == NULL) {
			*colon = '\0';
			params.kadmind_port = atoi(colon + 1);
			params.mask |= KADM5_CONFIG_KADMIND_PORT;
		}
		params.admin_server = host;
		params.mask |= KADM5_CONFIG_ADMIN_SERVER;
	}
	if (c == NULL) {
		rc = err_set(err, ERR_INVALID,
		             "realm '%s' names no credentials for its kadmin "
		             "server",
		             d->name);
		goto out;
	}
	if (c->user != NULL)
		user = strchr(c->user, '@') != NULL
		               ? xstrdup(c->user)
		               : xasprintf("%s@%s", c->user, realm);
	switch (c->method) {
	case MODEL_CRED_PASSWORD:
		snprintf(what, sizeof(what), "the password of '%s'", user);
		if ((rc = model_secret_get(k->secrets, &pw, c->password, what,
		                           err)) < 0)
			goto out;
		t0 = trace_now_ms();
		rc = kadm5_init_with_password(
		        s->ctx, user, pw,
		        (char *)(uintptr_t)KADM5_ADMIN_SERVICE, &params,
		        KADM5_STRUCT_VERSION, KADM5_API_VERSION_4, NULL, &s->h);
		kstep(s, t0, rc, "kadm5_init_with_password as %s", user);
		break;
	case MODEL_CRED_KEYTAB:
		t0 = trace_now_ms();
		rc = kadm5_init_with_skey(
		        s->ctx, user, c->keytab,
		        (char *)(uintptr_t)KADM5_ADMIN_SERVICE, &params,
		        KADM5_STRUCT_VERSION, KADM5_API_VERSION_4, NULL, &s->h);
		kstep(s, t0, rc, "kadm5_init_with_skey as %s (keytab %s)", user,
		      c->keytab);
		break;
	default: {
		krb5_principal cp = NULL;
		char *name = NULL;

		rc = c->ccache != NULL ? krb5_cc_resolve(s->ctx, c->ccache, &cc)
		                       : krb5_cc_default(s->ctx, &cc);
		if (rc == 0 &&
		    (rc = krb5_cc_get_principal(s->ctx, cc, &cp)) == 0 &&
		    (rc = krb5_unparse_name(s->ctx, cp, &name)) == 0) {
			free(user);
			user = xstrdup(name);
			krb5_free_unparsed_name(s->ctx, name);
		}
		krb5_free_principal(s->ctx, cp);
		if (rc != 0) {
			rc = kfail(err, ERR_DENIED, s->ctx, rc,
			           "realm '%s': no credential cache to log in "
			           "to kadmin with",
			           d->name);
			goto out;
		}
		t0 = trace_now_ms();
		rc = kadm5_init_with_creds(
		        s->ctx, user, cc,
		        (char *)(uintptr_t)KADM5_ADMIN_SERVICE, &params,
		        KADM5_STRUCT_VERSION, KADM5_API_VERSION_4, NULL, &s->h);
		kstep(s, t0, rc, "kadm5_init_with_creds as %s", user);
		break;
	}
	}
	if (rc != 0) {
		enum err_code code = rc == KADM5_RPC_ERROR ||
		                                     rc == KRB5_KDC_UNREACH ||
		                                     rc == KADM5_NO_SRV
		                             ? ERR_IO
		                             : ERR_DENIED;

		s->h = NULL;
		rc = kfail(err, code, s->ctx, rc,
		           code == ERR_IO
		                   ? "cannot reach kadmind of realm '%s' at "
		                     "'%s' (as '%s')"
		                   : "kadmind of realm '%s' at '%s' refuses "
		                     "'%s'",
		           d->name, s->server, user ? user : "?");
	}
out:
	if (cc != NULL)
		krb5_cc_close(s->ctx, cc);
	model_secret_free(pw);
	free(user);
	free(host);
	free(realm);
	return rc < 0 ? (int)rc : 0;
}

static int
sess_get(struct kadm_sess **out, struct prov_kadm *k, const char *realm,
         struct err *err)
{
	const struct model_domain *d;
	struct kadm_sess s;
	krb5_error_code kc;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < k->n; i++)
		if (strcasecmp(k->s[i].realm, realm) == 0) {
			*out = &k->s[i];
			return 0;
		}
	if ((d = realm_domain(k, realm, err)) == NULL)
		return ERR_INVALID;
	memset(&s, 0, sizeof(s));
	if ((kc = kadm5_init_krb5_context(&s.ctx)) != 0)
		return err_set(err, ERR_BACKEND,
		               "cannot start krb5 for realm '%s' (code %ld)",
		               realm, (long)kc);
	s.realm = xstrdup(d->name);
	s.trace = k->trace;
	if ((rc = login(&s, k, d, err)) < 0) {
		sess_release(&s);
		return rc;
	}
	k->s = xreallocarray(k->s, k->n + 1, sizeof(*k->s));
	k->s[k->n] = s;
	*out = &k->s[k->n++];
	return 0;
}

/* ---- keys ---- */

void
prov_kadm_ad_salt(char *buf, size_t len, const char *realm,
                  const char *instance)
{
	snprintf(buf, len, "%skrbtgt%s", realm, instance);
}

static krb5_error_code
make_key(krb5_context ctx, krb5_enctype et, const char *password,
         const char *salt, krb5_keyblock *out)
{
	krb5_data pw = {.data = (char *)(uintptr_t)password,
	                .length = (unsigned)strlen(password)};
	krb5_data s = {.data = (char *)(uintptr_t)salt,
	               .length = (unsigned)strlen(salt)};

	return krb5_c_string_to_key(ctx, et, &pw, &s, out);
}

int
prov_kadm_string_to_key(uint8_t *out, size_t cap, size_t *len, int32_t enctype,
                        const char *password, const char *salt, struct err *err)
{
	krb5_context ctx = NULL;
	krb5_keyblock kb;
	krb5_error_code kc;
	int rc = 0;

	*len = 0;
	memset(&kb, 0, sizeof(kb));
	if ((kc = krb5_init_context(&ctx)) != 0)
		return err_set(err, ERR_BACKEND, "cannot start krb5");
	if ((kc = make_key(ctx, enctype, password, salt, &kb)) != 0) {
		rc = kfail(err, ERR_INVALID, ctx, kc,
		           "cannot make a key of enctype %d", (int)enctype);
	} else if (kb.length > cap) {
		rc = err_set(err, ERR_INVALID, "key too long");
	} else {
		memcpy(out, kb.contents, kb.length);
		*len = kb.length;
	}
	krb5_free_keyblock_contents(ctx, &kb);
	krb5_free_context(ctx);
	return rc;
}

/*
 * Stores keys made from password for every key type in enctypes at kvno
 * on principal name (krbtgt/INSTANCE@REALM), replacing its keys.
 */
static int
set_keys(struct kadm_sess *s, const char *name, const char *password,
         uint32_t enctypes, uint32_t kvno, struct err *err)
{
	kadm5_key_data kd[N_KEY_TYPES];
	krb5_principal p = NULL;
	char salt[600], inst[256], *at;
	const char *slash;
	int n = 0, rc = 0;
	long kr = 0;

	memset(kd, 0, sizeof(kd));
	if (enctypes & (ENC_DES_CBC_CRC | ENC_DES_CBC_MD5))
		return err_set(err, ERR_INVALID,
		               "'%s': MIT krb5 no longer makes DES keys; "
		               "remove des-cbc-* from 'encryption'",
		               name);
	/* krbtgt/INSTANCE@REALM -> REALMkrbtgtINSTANCE (the AD salt) */
	slash = strchr(name, '/');
	snprintf(inst, sizeof(inst), "%s", slash ? slash + 1 : "");
	if ((at = strchr(inst, '@')) == NULL)
		return err_set(err, ERR_INVALID, "'%s': no realm", name);
	*at = '\0';
	prov_kadm_ad_salt(salt, sizeof(salt), at + 1, inst);
	for (size_t i = 0; i < N_KEY_TYPES && rc == 0; i++) {
		krb5_error_code kc;

		if (!(enctypes & key_types[i].bit))
			continue;
		kd[n].kvno = kvno;
		kd[n].salt.type = KRB5_KDB_SALTTYPE_NORMAL;
		if ((kc = make_key(s->ctx, key_types[i].et, password, salt,
		                   &kd[n].key)) != 0)
			rc = kfail(err, ERR_INVALID, s->ctx, kc,
			           "'%s': cannot make its key", name);
		n++;
	}
	if (rc == 0 && n == 0)
		rc = err_set(err, ERR_INVALID,
		             "'%s': no encryption type to make keys for", name);
	if (rc == 0 && (kr = krb5_parse_name(s->ctx, name, &p)) != 0)
		rc = kfail(err, ERR_INVALID, s->ctx, kr, "'%s'", name);
	if (rc == 0) {
		int64_t t0 = trace_now_ms();

		kr = kadm5_setkey_principal_4(s->h, p, FALSE, kd, n);
		kstep(s, t0, kr, "kadm5_setkey_principal_4 %s (kvno %u)", name,
		      kvno);
	}
	if (rc == 0 && kr != 0)
		rc = kfail(err, ERR_BACKEND, s->ctx, kr,
		           "cannot set the keys of '%s' in realm '%s'", name,
		           s->realm);
	for (int i = 0; i < n; i++)
		krb5_free_keyblock_contents(s->ctx, &kd[i].key); /* zeroes */
	krb5_free_principal(s->ctx, p);
	return rc;
}

/* ---- principals ---- */

static uint32_t
enc_bit(krb5_enctype et)
{
	for (size_t i = 0; i < N_KEY_TYPES; i++)
		if (key_types[i].et == et)
			return key_types[i].bit;
	return 0;
}

static int
get_princ(struct kadm_sess *s, const char *name, struct model_princ *out,
          struct err *err)
{
	kadm5_principal_ent_rec ent;
	krb5_principal p = NULL;
	int64_t t0;
	long rc;

	memset(out, 0, sizeof(*out));
	memset(&ent, 0, sizeof(ent));
	if ((rc = krb5_parse_name(s->ctx, name, &p)) != 0)
		return kfail(err, ERR_INVALID, s->ctx, rc, "'%s'", name);
	t0 = trace_now_ms();
	rc = kadm5_get_principal(s->h, p, &ent,
	                         KADM5_PRINCIPAL_NORMAL_MASK | KADM5_KEY_DATA);
	kstep(s, t0, rc == KADM5_UNK_PRINC ? 0 : rc, "kadm5_get_principal %s%s",
	      name, rc == KADM5_UNK_PRINC ? " (none)" : "");
	krb5_free_principal(s->ctx, p);
	if (rc == KADM5_UNK_PRINC)
		return 0;
	if (rc != 0)
		return kfail(err, rc == KADM5_AUTH_GET ? ERR_DENIED : ERR_IO,
		             s->ctx, rc,
		             "cannot read '%s' from kadmind of '%s'", name,
		             s->realm);
	out->present = true;
	out->flags = (uint32_t)ent.attributes;
	out->kvno = (uint32_t)ent.kvno;
	for (int i = 0; i < ent.n_key_data; i++)
		if ((uint32_t)ent.key_data[i].key_data_kvno > out->kvno)
			out->kvno = (uint32_t)ent.key_data[i].key_data_kvno;
	for (int i = 0; i < ent.n_key_data; i++) {
		const krb5_key_data *kd = &ent.key_data[i];
		uint32_t bit;

		if ((uint32_t)kd->key_data_kvno != out->kvno)
			continue;
		if ((bit = enc_bit(kd->key_data_type[0])) != 0)
			out->enctypes |= bit;
		else
			out->n_other++;
	}
	kadm5_free_principal_ent(s->h, &ent);
	return 0;
}

static int
del_princ(struct kadm_sess *s, const char *name, struct err *err)
{
	krb5_principal p = NULL;
	int64_t t0;
	long rc;

	if ((rc = krb5_parse_name(s->ctx, name, &p)) != 0)
		return kfail(err, ERR_INVALID, s->ctx, rc, "'%s'", name);
	t0 = trace_now_ms();
	rc = kadm5_delete_principal(s->h, p);
	kstep(s, t0, rc, "kadm5_delete_principal %s", name);
	krb5_free_principal(s->ctx, p);
	if (rc == KADM5_UNK_PRINC)
		return ERR_NOTFOUND;
	if (rc != 0)
		return kfail(err, ERR_BACKEND, s->ctx, rc,
		             "cannot delete '%s' in realm '%s'", name,
		             s->realm);
	return 0;
}

/* A principal without keys (it issues nothing until set_keys). */
static int
new_princ(struct kadm_sess *s, const char *name, struct err *err)
{
	kadm5_principal_ent_rec ent;
	int64_t t0;
	long rc;

	memset(&ent, 0, sizeof(ent));
	if ((rc = krb5_parse_name(s->ctx, name, &ent.principal)) != 0)
		return kfail(err, ERR_INVALID, s->ctx, rc, "'%s'", name);
	/* no flags: no preauth for a cross-realm krbtgt (MIT's advice) */
	ent.attributes = 0;
	ent.n_key_data = 0;
	t0 = trace_now_ms();
	rc = kadm5_create_principal_3(
	        s->h, &ent, KADM5_PRINCIPAL | KADM5_ATTRIBUTES | KADM5_KEY_DATA,
	        0, NULL, NULL);
	kstep(s, t0, rc, "kadm5_create_principal_3 %s", name);
	krb5_free_principal(s->ctx, ent.principal);
	if (rc != 0)
		return kfail(err, rc == KADM5_DUP ? ERR_CONFLICT : ERR_BACKEND,
		             s->ctx, rc, "cannot create '%s' in realm '%s'",
		             name, s->realm);
	return 0;
}

/* The digest of a realm side's principals, for fingerprints. */
static void
side_digest(struct model_tdo *t)
{
	char buf[512];
	unsigned char h[32];

	snprintf(buf, sizeof(buf), "in=%d,%u,%x,%zu,%x;out=%d,%u,%x,%zu,%x",
	         t->princ[0].present, t->princ[0].kvno, t->princ[0].enctypes,
	         t->princ[0].n_other, t->princ[0].flags, t->princ[1].present,
	         t->princ[1].kvno, t->princ[1].enctypes, t->princ[1].n_other,
	         t->princ[1].flags);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, strlen(buf), h);
	hex_encode(t->digest, h, sizeof(h));
}

static uint32_t
dir_bit(unsigned k)
{
	return k == MODEL_PRINC_IN ? TDO_DIR_INBOUND : TDO_DIR_OUTBOUND;
}

/*
 * Reads the realm side for partner held by realm into *out (initialised
 * here).  ERR_NOTFOUND when neither principal exists.
 */
static int
read_side(struct kadm_sess *s, const char *realm, const char *partner,
          struct model_tdo *out, struct err *err)
{
	char name[600];
	uint32_t common = 0;
	bool first = true;
	int rc;

	model_tdo_init(out);
	out->domain = xstrdup(realm);
	out->partner = xstrdup(partner);
	out->realm_side = true;
	out->type = TDO_TYPE_MIT;
	out->attr_mask = 0xffffffffu;
	for (unsigned k = 0; k < 2; k++) {
		struct model_princ *pr = &out->princ[k];

		model_princ_name(name, sizeof(name), out, k);
		if ((rc = get_princ(s, name, pr, err)) < 0)
			return rc;
		if (!pr->present)
			continue;
		out->direction |= dir_bit(k);
		if (first)
			common = pr->enctypes;
		else if (common != pr->enctypes)
			common = MODEL_ENC_MIXED | common | pr->enctypes;
		if (pr->n_other > 0)
			common |= MODEL_ENC_MIXED;
		first = false;
		if (out->dn == NULL)
			out->dn = xstrdup(name);
	}
	if (out->direction == 0)
		return ERR_NOTFOUND;
	out->enctypes = common;
	out->has_enctypes = true;
	out->source = xasprintf("kadmin://%s", s->server);
	side_digest(out);
	return 0;
}

/* ---- the read slot ---- */

/* The name the model gives a partner realm, else the realm itself. */
static char *
partner_name(const struct model *m, const char *prealm)
{
	for (unsigned i = 0; m != NULL && i < m->n_domains; i++) {
		char *r = model_realm_of(m, m->domains[i].name);
		bool hit = strcmp(r, prealm) == 0;

		free(r);
		if (hit)
			return xstrdup(m->domains[i].name);
	}
	return xstrdup(prealm);
}

static int
read_realm(struct prov_kadm *k, const char *realm, struct model_domain_state *d,
           struct err *err)
{
	struct kadm_sess *s;
	char **names = NULL, **partners = NULL;
	char *self = NULL;
	int n = 0, rc;
	size_t np = 0;
	int64_t t0;
	long kr;

	if ((rc = sess_get(&s, k, realm, err)) < 0)
		return rc;
	self = model_realm_of(k->model, s->realm);
	d->name = xstrdup(s->realm);
	d->dn = xstrdup("");
	d->vendor = xstrdup("MIT Kerberos (kadmind)");
	d->functional_level = -1;
	d->source = xasprintf("kadmin://%s", s->server);
	t0 = trace_now_ms();
	kr = kadm5_get_principals(s->h, (char *)(uintptr_t) "krbtgt/*", &names,
	                          &n);
	kstep(s, t0, kr, "kadm5_get_principals krbtgt/*");
	if (kr != 0) {
		rc = kfail(err, kr == KADM5_AUTH_LIST ? ERR_DENIED : ERR_IO,
		           s->ctx, kr,
		           "cannot list the krbtgt principals of realm '%s'",
		           s->realm);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const char *inst = names[i] + 7, *at = strchr(inst, '@');
		char *pr;
		bool seen = false;

		if (strncmp(names[i], "krbtgt/", 7) != 0 || at == NULL ||
		    memchr(inst, '/', (size_t)(at - inst)) != NULL)
			continue;
		if (strcmp(at + 1, self) == 0)
			pr = xstrndup(inst, (size_t)(at - inst));
		else if (strncmp(inst, self, (size_t)(at - inst)) == 0 &&
		         self[at - inst] == '\0')
			pr = xstrdup(at + 1);
		else
			continue;
		if (strcmp(pr, self) == 0) {
			free(pr);
			continue; /* the realm's own TGS */
		}
		for (size_t j = 0; j < np && !seen; j++)
			seen = strcmp(partners[j], pr) == 0;
		if (seen) {
			free(pr);
			continue;
		}
		partners = xreallocarray(partners, np + 1, sizeof(*partners));
		partners[np++] = pr;
	}
	for (size_t j = 0; j < np; j++) {
		char *pname = partner_name(k->model, partners[j]);
		struct model_tdo t;

		rc = read_side(s, s->realm, pname, &t, err);
		free(pname);
		if (rc == ERR_NOTFOUND) {
			model_tdo_release(&t);
			continue;
		}
		if (rc < 0) {
			model_tdo_release(&t);
			goto out;
		}
		*model_domain_state_add_tdo(d) = t;
	}
	rc = 0;
out:
	if (names != NULL)
		kadm5_free_name_list(s->h, names, n);
	for (size_t j = 0; j < np; j++)
		free(partners[j]);
	free(partners);
	free(self);
	return rc;
}

static int
kadm_read(struct prov *p, const char *const *domains, size_t n,
          struct model_state *out, struct err *err)
{
	struct prov_kadm *k = to_kadm(p);

	for (size_t i = 0; i < n; i++) {
		struct model_domain_state d;
		int rc;

		memset(&d, 0, sizeof(d));
		if ((rc = read_realm(k, domains[i], &d, err)) < 0) {
			model_domain_state_release(&d);
			return rc;
		}
		*model_state_add(out) = d;
	}
	return 0;
}

int
prov_kadm_read_realm(struct model_domain_state *out, const struct prov_cfg *cfg,
                     const char *realm, struct err *err)
{
	struct prov *p = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = kadm_open(&p, cfg, err)) < 0)
		return rc;
	rc = read_realm(to_kadm(p), realm, out, err);
	kadm_close(p);
	return rc;
}

/* ---- the write slots ---- */

static int
kadm_preflight(struct prov *p, const char *domain, struct err *err)
{
	struct prov_kadm *k = to_kadm(p);
	static const struct {
		long bit;
		const char *name;
	} need[] = {
	        {KADM5_PRIV_GET, "inquire"},
	        {KADM5_PRIV_ADD, "add"},
	        {KADM5_PRIV_MODIFY, "modify"},
	        {KADM5_PRIV_DELETE, "delete"},
	};
	struct kadm_sess *s;
	char missing[128] = "";
	long privs = 0, kr;
	int64_t t0;
	int rc;

	if ((rc = sess_get(&s, k, domain, err)) < 0)
		return rc;
	t0 = trace_now_ms();
	kr = kadm5_get_privs(s->h, &privs);
	kstep(s, t0, kr, "kadm5_get_privs");
	if (kr != 0)
		return kfail(err, ERR_IO, s->ctx, kr,
		             "kadmind of realm '%s' at '%s' does not say what "
		             "it allows",
		             s->realm, s->server);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(privs & need[i].bit))
			snprintf(missing + strlen(missing),
			         sizeof(missing) - strlen(missing), "%s%s",
			         missing[0] ? ", " : "", need[i].name);
	if (missing[0] != '\0')
		return err_set(err, ERR_DENIED,
		               "kadmind of realm '%s' at '%s' does not grant "
		               "the admin principal the privileges it needs "
		               "(%s): see its kadm5.acl",
		               s->realm, s->server, missing);
	/*
	 * Setting keys is its own ACL right ('s'), which kadm5_get_privs does
	 * not report, and kadmind looks the target up before it checks it (a
	 * principal that cannot exist answers "does not exist"): it cannot be
	 * checked without writing.  A refusal comes at the first write of a
	 * realm side, which is then rolled back (tests/lab/t_60_realm.sh).
	 */
	return 0;
}

static int
kadm_tdo_get(struct prov *p, const char *domain, const char *partner,
             struct model_tdo *out, struct err *err)
{
	struct kadm_sess *s;
	int rc;

	model_tdo_init(out);
	if ((rc = sess_get(&s, to_kadm(p), domain, err)) < 0)
		return rc;
	model_tdo_release(out);
	return read_side(s, domain, partner, out, err);
}

/* The trust password of a realm side being changed (its trust's). */
static int
side_password(char **out, struct prov_kadm *k, const struct model_tdo *t,
              struct err *err)
{
	char what[600];

	*out = NULL;
	if (t->trust == NULL || t->trust->password == NULL)
		return err_set(err, ERR_INVALID,
		               "'%s/%s': making keys needs the trust's "
		               "'password'",
		               t->domain, t->partner);
	snprintf(what, sizeof(what), "the trust password of %s -> %s",
	         t->trust->trusting, t->trust->trusted);
	return model_secret_get(k->secrets, out, t->trust->password, what, err);
}

static int
kadm_tdo_create(struct prov *p, const struct model_tdo *t, const char *password,
                struct err *err)
{
	struct kadm_sess *s;
	char name[600];
	int rc;

	if ((rc = sess_get(&s, to_kadm(p), t->domain, err)) < 0)
		return rc;
	for (unsigned k = 0; k < 2; k++) {
		uint32_t kvno = t->princ[k].kvno ? t->princ[k].kvno : 1;

		if (!(t->direction & dir_bit(k)))
			continue;
		model_princ_name(name, sizeof(name), t, k);
		if ((rc = new_princ(s, name, err)) < 0 ||
		    (rc = set_keys(s, name, password, t->enctypes, kvno, err)) <
		            0)
			return rc;
	}
	return 0;
}

static int
kadm_tdo_set(struct prov *p, const struct model_tdo *t, unsigned what,
             struct err *err)
{
	struct prov_kadm *k = to_kadm(p);
	struct kadm_sess *s;
	struct model_tdo cur;
	char name[600], *pw = NULL;
	uint32_t base = 0;
	bool made[2] = {false, false};
	int rc;

	if ((rc = sess_get(&s, k, t->domain, err)) < 0)
		return rc;
	if ((rc = read_side(s, t->domain, t->partner, &cur, err)) < 0 &&
	    rc != ERR_NOTFOUND)
		goto out;
	for (unsigned i = 0; i < 2; i++)
		if (cur.princ[i].present && cur.princ[i].kvno > base)
			base = cur.princ[i].kvno;
	if ((rc = side_password(&pw, k, t, err)) < 0)
		goto out;
	for (unsigned i = 0; i < 2 && (what & PROV_SET_INFO); i++) {
		bool want = (t->direction & dir_bit(i)) != 0;

		model_princ_name(name, sizeof(name), t, i);
		if (want && !cur.princ[i].present) {
			/* a new direction: the keys of the other one */
			uint32_t kvno = (base ? base : 1) +
			                ((what & PROV_SET_SECRET) ? 1 : 0);

			if ((rc = new_princ(s, name, err)) < 0 ||
			    (rc = set_keys(s, name, pw, t->enctypes, kvno,
			                   err)) < 0)
				goto out;
			made[i] = true;
		} else if (!want && cur.princ[i].present) {
			if ((rc = del_princ(s, name, err)) < 0)
				goto out;
			cur.princ[i].present = false;
		}
	}
	for (unsigned i = 0; i < 2; i++) {
		const struct model_princ *c = &cur.princ[i];

		if (!c->present || made[i])
			continue;
		if (!(what & PROV_SET_SECRET) &&
		    !((what & PROV_SET_ENCTYPES) &&
		      (c->enctypes != t->enctypes || c->n_other > 0)))
			continue;
		model_princ_name(name, sizeof(name), t, i);
		if ((rc = set_keys(s, name, pw, t->enctypes,
		                   c->kvno + ((what & PROV_SET_SECRET) ? 1 : 0),
		                   err)) < 0)
			goto out;
	}
	rc = 0;
out:
	model_secret_free(pw);
	model_tdo_release(&cur);
	return rc;
}

static int
kadm_tdo_delete(struct prov *p, const char *domain, const char *partner,
                struct err *err)
{
	struct kadm_sess *s;
	struct model_tdo cur;
	char name[600];
	int rc;

	if ((rc = sess_get(&s, to_kadm(p), domain, err)) < 0)
		return rc;
	if ((rc = read_side(s, domain, partner, &cur, err)) < 0)
		goto out;
	for (unsigned i = 0; i < 2; i++) {
		if (!cur.princ[i].present)
			continue;
		model_princ_name(name, sizeof(name), &cur, i);
		if ((rc = del_princ(s, name, err)) < 0 && rc != ERR_NOTFOUND)
			goto out;
	}
	rc = 0;
out:
	model_tdo_release(&cur);
	return rc;
}

static int
kadm_fti_get(struct prov *p, const char *domain, const char *partner,
             bool from_partner, struct fti *out, struct err *err)
{
	(void)p;
	(void)from_partner;
	fti_init(out);
	return err_set(err, ERR_NOTFOUND,
	               "'%s/%s': an MIT realm holds no forest trust records",
	               domain, partner);
}

static int
kadm_fti_set(struct prov *p, const char *domain, const char *partner,
             const struct fti *records, struct err *err)
{
	(void)p;
	(void)records;
	return err_set(err, ERR_INVALID,
	               "'%s/%s': an MIT realm holds no forest trust records",
	               domain, partner);
}

/* Everything a realm side has changes in place. */
static const char *
kadm_replace_reason(const char *vendor, const struct model_tdo *before,
                    const struct model_tdo *after)
{
	(void)vendor;
	(void)before;
	(void)after;
	return NULL;
}

const struct prov_ops prov_kadm_ops = {
        .name = "kadm5",
        .caps = PROV_CAN_READ | PROV_CAN_WRITE,
        .open = kadm_open,
        .read = kadm_read,
        .close = kadm_close,
        .preflight = kadm_preflight,
        .tdo_get = kadm_tdo_get,
        .tdo_create = kadm_tdo_create,
        .tdo_set = kadm_tdo_set,
        .tdo_delete = kadm_tdo_delete,
        .fti_get = kadm_fti_get,
        .fti_set = kadm_fti_set,
        .sc_reset = NULL,
        .replace_reason = kadm_replace_reason,
};
