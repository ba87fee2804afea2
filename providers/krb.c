/*
 * Kerberos trust checks with MIT krb5 (see krb.h).  Everything happens in a
 * private krb5_context and a MEMORY: ccache destroyed at the end; the
 * tickets are decoded only for their enctype and kvno, copied into our
 * struct, and freed here.
 */
#include "providers/krb.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <krb5/krb5.h>

#include "util/err.h"

static const char *const step_names[PROV_KRB_N_STEPS] = {
        [PROV_KRB_INITIAL] = "initial ticket",
        [PROV_KRB_CROSS] = "cross-realm ticket",
        [PROV_KRB_SERVICE] = "service ticket",
};

const char *
prov_krb_step_name(enum prov_krb_step s)
{
	return (unsigned)s < PROV_KRB_N_STEPS ? step_names[s] : "?";
}

const char *
prov_krb_realm_of(const char *principal)
{
	for (const char *p = principal; p != NULL && *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '@')
			return p[1] != '\0' ? p + 1 : NULL;
	}
	return NULL;
}

/* A copy that always terminates and never overflows. */
static void
copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

static void
set_krb_error(struct prov_krb_ticket *t, krb5_context ctx, krb5_error_code code)
{
	const char *m = krb5_get_error_message(ctx, code);

	t->done = true;
	t->ok = false;
	t->code = code;
	copy(t->error, sizeof(t->error), m);
	krb5_free_error_message(ctx, m);
}

static void
unparse(char *buf, size_t len, krb5_context ctx, krb5_const_principal p)
{
	char *s = NULL;

	buf[0] = '\0';
	if (p != NULL && krb5_unparse_name(ctx, p, &s) == 0) {
		copy(buf, len, s);
		krb5_free_unparsed_name(ctx, s);
	}
}

/* Records a ticket: its server, and the enctype and kvno of its sealing. */
static void
set_ticket(struct prov_krb_ticket *t, krb5_context ctx, const krb5_creds *c)
{
	krb5_ticket *tkt = NULL;

	t->done = true;
	t->ok = true;
	t->code = 0;
	t->error[0] = '\0';
	unparse(t->server, sizeof(t->server), ctx, c->server);
	if (krb5_decode_ticket(&c->ticket, &tkt) == 0) {
		t->enctype = tkt->enc_part.enctype;
		t->kvno = tkt->enc_part.kvno;
		if (krb5_enctype_to_name(tkt->enc_part.enctype, FALSE,
		                         t->enctype_name,
		                         sizeof(t->enctype_name)) != 0)
			snprintf(t->enctype_name, sizeof(t->enctype_name),
			         "enctype %d", (int)tkt->enc_part.enctype);
		krb5_free_ticket(ctx, tkt);
	}
}

/* What a failure usually means, for the signatures a trust produces. */
static void
hint(char *buf, size_t len, enum prov_krb_step s, krb5_error_code code,
     const char *from, const char *target)
{
	buf[0] = '\0';
	if (code == KRB5KDC_ERR_ETYPE_NOSUPP)
		snprintf(buf, len,
		         " (no encryption type both %.100s and %.100s "
		         "accept for the trust)",
		         from, target);
	else if (s == PROV_KRB_CROSS && code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN)
		snprintf(buf, len,
		         " (%.100s knows no trust that lets its users "
		         "into %.100s)",
		         from, target);
	else if (s == PROV_KRB_SERVICE &&
	         (code == KRB5KRB_AP_ERR_NOT_US ||
	          code == KRB5KRB_AP_ERR_BAD_INTEGRITY ||
	          code == KRB5KRB_AP_ERR_NOKEY ||
	          code == KRB5KRB_AP_ERR_BADKEYVER ||
	          code == KRB5KRB_AP_ERR_MODIFIED))
		snprintf(buf, len,
		         " (%.100s cannot decrypt the cross-realm "
		         "ticket from %.100s: its side of the trust is "
		         "missing or has another password)",
		         target, from);
}

/*
 * The step's one-line error: both realms, the step, and krb5's text.  The
 * subject named is a principal, never anything secret.
 */
static int
step_failed(struct err *err, const struct prov_krb_result *r,
            enum prov_krb_step s, const char *target)
{
	const struct prov_krb_ticket *t = &r->step[s];
	const char *from = r->user_realm[0] ? r->user_realm : "?";
	char why[400];
	int rc = ERR_BACKEND;

	if (s == PROV_KRB_INITIAL && r->from_ccache &&
	    (t->code == KRB5_FCC_NOFILE || t->code == KRB5_CC_NOTFOUND))
		rc = ERR_NOTFOUND;
	hint(why, sizeof(why), s, t->code, from, target);
	switch (s) {
	case PROV_KRB_INITIAL:
		err_set(err, rc, "%s -> %s: no initial ticket for '%s'%s: %s",
		        from, target, r->client[0] ? r->client : "?",
		        r->from_ccache ? " in the ccache" : "", t->error);
		break;
	case PROV_KRB_CROSS:
		err_set(err, rc, "%s -> %s: no cross-realm ticket: %s%s", from,
		        target, t->error, why);
		break;
	default:
		err_set(err, rc, "%s -> %s: no service ticket for '%s': %s%s",
		        from, target, t->server, t->error, why);
		break;
	}
	err->sys = t->code;
	return rc;
}

/* The TGT krbtgt/R@R of the ccache's principal, copied into mem. */
static krb5_error_code
tgt_from_ccache(krb5_context ctx, struct prov_krb_result *r, const char *ccache,
                const char *want, krb5_ccache mem, krb5_principal *client,
                krb5_creds *tgt, bool *mismatch)
{
	krb5_ccache in = NULL;
	krb5_principal tgs = NULL, wantp = NULL;
	krb5_creds match;
	krb5_timestamp now;
	krb5_error_code kc;

	memset(&match, 0, sizeof(match));
	kc = ccache != NULL ? krb5_cc_resolve(ctx, ccache, &in)
	                    : krb5_cc_default(ctx, &in);
	if (kc != 0)
		goto out;
	if ((kc = krb5_cc_get_principal(ctx, in, client)) != 0)
		goto out;
	unparse(r->client, sizeof(r->client), ctx, *client);
	copy(r->user_realm, sizeof(r->user_realm),
	     prov_krb_realm_of(r->client));
	if (want != NULL) {
		if ((kc = krb5_parse_name(ctx, want, &wantp)) != 0)
			goto out;
		if (!krb5_principal_compare(ctx, wantp, *client)) {
			kc = KRB5_CC_NOTFOUND;
			*mismatch = true;
			goto out;
		}
	}
	kc = krb5_build_principal_ext(ctx, &tgs, (*client)->realm.length,
	                              (*client)->realm.data, KRB5_TGS_NAME_SIZE,
	                              KRB5_TGS_NAME, (*client)->realm.length,
	                              (*client)->realm.data, 0);
	if (kc != 0)
		goto out;
	match.client = *client;
	match.server = tgs;
	if ((kc = krb5_cc_retrieve_cred(ctx, in, 0, &match, tgt)) != 0)
		goto out;
	if ((kc = krb5_timeofday(ctx, &now)) != 0)
		goto out;
	if ((uint32_t)tgt->times.endtime <= (uint32_t)now) {
		kc = KRB5KRB_AP_ERR_TKT_EXPIRED;
		goto out;
	}
	if ((kc = krb5_cc_initialize(ctx, mem, *client)) != 0)
		goto out;
	kc = krb5_cc_store_cred(ctx, mem, tgt);
out:
	krb5_free_principal(ctx, tgs);
	krb5_free_principal(ctx, wantp);
	if (in != NULL)
		krb5_cc_close(ctx, in);
	return kc;
}

/* An AS exchange with the password; the TGT goes into mem only. */
static krb5_error_code
tgt_from_password(krb5_context ctx, struct prov_krb_result *r, const char *user,
                  const char *password, krb5_ccache mem, krb5_principal *client,
                  krb5_creds *tgt)
{
	krb5_get_init_creds_opt *opt = NULL;
	krb5_error_code kc;

	if ((kc = krb5_parse_name(ctx, user, client)) != 0)
		return kc;
	unparse(r->client, sizeof(r->client), ctx, *client);
	copy(r->user_realm, sizeof(r->user_realm),
	     prov_krb_realm_of(r->client));
	if ((kc = krb5_get_init_creds_opt_alloc(ctx, &opt)) != 0)
		return kc;
	krb5_get_init_creds_opt_set_forwardable(opt, 0);
	krb5_get_init_creds_opt_set_proxiable(opt, 0);
	kc = krb5_get_init_creds_password(ctx, tgt, *client, password, NULL,
	                                  NULL, 0, NULL, opt);
	krb5_get_init_creds_opt_free(ctx, opt);
	if (kc != 0)
		return kc;
	if ((kc = krb5_cc_initialize(ctx, mem, *client)) != 0)
		return kc;
	return krb5_cc_store_cred(ctx, mem, tgt);
}

/* A TGS exchange for server, through the tickets in mem. */
static krb5_error_code
get_ticket(krb5_context ctx, krb5_ccache mem, krb5_principal client,
           krb5_principal server, struct prov_krb_ticket *t)
{
	krb5_creds in, *got = NULL;
	krb5_error_code kc;

	memset(&in, 0, sizeof(in));
	in.client = client;
	in.server = server;
	unparse(t->server, sizeof(t->server), ctx, server);
	if ((kc = krb5_get_credentials(ctx, 0, mem, &in, &got)) != 0) {
		set_krb_error(t, ctx, kc);
		return kc;
	}
	set_ticket(t, ctx, got);
	krb5_free_creds(ctx, got);
	return 0;
}

static int
check_args(const char *user, const char *password, const char *target,
           const char *service, struct err *err)
{
	if (target == NULL || *target == '\0')
		return err_set(err, ERR_INVALID, "no target realm to check");
	if (password != NULL && (user == NULL || *user == '\0'))
		return err_set(err, ERR_INVALID,
		               "a password needs a user principal");
	if (password != NULL && *password == '\0')
		return err_set(err, ERR_INVALID,
		               "the password of '%s' is empty", user);
	if (service != NULL && (*service == '\0' || strchr(service, '@')))
		return err_set(err, ERR_INVALID,
		               "service '%s' must be a principal without a "
		               "realm, e.g. 'cifs/dc.example.com'",
		               service);
	return 0;
}

/* A krb5 context of our own (never a process-wide one). */
static int
start_krb5(krb5_context *ctx, struct err *err)
{
	krb5_error_code kc = krb5_init_context(ctx);
	const char *m;
	int rc;

	if (kc == 0)
		return 0;
	m = krb5_get_error_message(NULL, kc);
	rc = err_set(err, ERR_BACKEND, "cannot start krb5: %s", m);
	krb5_free_error_message(NULL, m);
	err->sys = kc;
	return rc;
}

int
prov_krb_check_trust(struct prov_krb_result *out, const char *user,
                     const char *password, const char *ccache,
                     const char *target, const char *service, struct err *err)
{
	krb5_context ctx = NULL;
	krb5_ccache mem = NULL;
	krb5_principal client = NULL, cross = NULL, svc = NULL;
	krb5_creds tgt;
	krb5_error_code kc;
	bool mismatch = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&tgt, 0, sizeof(tgt));
	if ((rc = check_args(user, password, target, service, err)) < 0)
		return rc;
	if ((rc = start_krb5(&ctx, err)) < 0)
		return rc;
	if ((kc = krb5_cc_new_unique(ctx, "MEMORY", NULL, &mem)) != 0) {
		set_krb_error(&out->step[PROV_KRB_INITIAL], ctx, kc);
		rc = step_failed(err, out, PROV_KRB_INITIAL, target);
		goto out;
	}

	/* 1. the user's TGT */
	out->from_ccache = password == NULL;
	kc = password != NULL ? tgt_from_password(ctx, out, user, password, mem,
	                                          &client, &tgt)
	                      : tgt_from_ccache(ctx, out, ccache, user, mem,
	                                        &client, &tgt, &mismatch);
	if (mismatch) {
		rc = err_set(err, ERR_INVALID,
		             "the ccache holds '%s', not '%s'", out->client,
		             user);
		goto out;
	}
	if (kc != 0) {
		set_krb_error(&out->step[PROV_KRB_INITIAL], ctx, kc);
		if (out->user_realm[0] != '\0')
			snprintf(out->step[PROV_KRB_INITIAL].server,
			         sizeof(out->step[0].server),
			         "krbtgt/%.100s@%.100s", out->user_realm,
			         out->user_realm);
		rc = step_failed(err, out, PROV_KRB_INITIAL, target);
		goto out;
	}
	set_ticket(&out->step[PROV_KRB_INITIAL], ctx, &tgt);
	if (strcmp(out->user_realm, target) == 0) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' is in %s itself: not a cross-realm check",
		             out->client, target);
		goto out;
	}

	/* 2. the cross-realm TGT krbtgt/TARGET@USERREALM */
	kc = krb5_build_principal_ext(ctx, &cross, client->realm.length,
	                              client->realm.data, KRB5_TGS_NAME_SIZE,
	                              KRB5_TGS_NAME, (unsigned)strlen(target),
	                              target, 0);
	if (kc == 0)
		kc = get_ticket(ctx, mem, client, cross,
		                &out->step[PROV_KRB_CROSS]);
	else
		set_krb_error(&out->step[PROV_KRB_CROSS], ctx, kc);
	if (kc != 0) {
		rc = step_failed(err, out, PROV_KRB_CROSS, target);
		goto out;
	}

	/* 3. a service ticket in the target realm */
	if (service != NULL) {
		kc = krb5_parse_name_flags(ctx, service,
		                           KRB5_PRINCIPAL_PARSE_NO_REALM, &svc);
		if (kc == 0)
			kc = krb5_set_principal_realm(ctx, svc, target);
		if (kc == 0)
			kc = get_ticket(ctx, mem, client, svc,
			                &out->step[PROV_KRB_SERVICE]);
		else
			set_krb_error(&out->step[PROV_KRB_SERVICE], ctx, kc);
		if (kc != 0) {
			if (out->step[PROV_KRB_SERVICE].server[0] == '\0')
				snprintf(out->step[PROV_KRB_SERVICE].server,
				         sizeof(out->step[0].server), "%s@%s",
				         service, target);
			rc = step_failed(err, out, PROV_KRB_SERVICE, target);
			goto out;
		}
	}
	rc = 0;
out:
	krb5_free_cred_contents(ctx, &tgt);
	krb5_free_principal(ctx, client);
	krb5_free_principal(ctx, cross);
	krb5_free_principal(ctx, svc);
	if (mem != NULL)
		krb5_cc_destroy(ctx, mem);
	krb5_free_context(ctx);
	return rc;
}

int
prov_krb_ccache_principal(char *buf, size_t len, const char *ccache,
                          struct err *err)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal p = NULL;
	krb5_error_code kc;
	int rc = 0;

	if (len > 0)
		buf[0] = '\0';
	if ((rc = start_krb5(&ctx, err)) < 0)
		return rc;
	kc = ccache != NULL ? krb5_cc_resolve(ctx, ccache, &cc)
	                    : krb5_cc_default(ctx, &cc);
	if (kc == 0)
		kc = krb5_cc_get_principal(ctx, cc, &p);
	if (kc != 0) {
		const char *m = krb5_get_error_message(ctx, kc);

		rc = err_set(err, ERR_NOTFOUND,
		             "no principal in ccache '%s': %s",
		             ccache != NULL ? ccache : "(default)", m);
		krb5_free_error_message(ctx, m);
		err->sys = kc;
	} else {
		unparse(buf, len, ctx, p);
	}
	krb5_free_principal(ctx, p);
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
	return rc;
}
