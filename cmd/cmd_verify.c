/*
 * adtrust verify [-f FILE] [--trust TRUSTING:TRUSTED] [--json] [--timeout SEC]
 * netdom trust /verify and /verify /kerberos: proves that each declared
 * trust works, without changing anything.
 *  - NETLOGON: LogonControl2Ex(TC_VERIFY) on the DC of each managed AD side
 *    that trusts its partner (its TDO is OUTBOUND or both ways), through the
 *    adtrust-lsa helper: the trust secret and the secure channel.  An
 *    inbound-only side has no secure channel to check (netdom too verifies
 *    from the trusting side).
 *  - Kerberos, in each direction the trust lets users through: a user of
 *    the trusted domain gets its TGT, the cross-realm TGT krbtgt/TRUSTING@
 *    TRUSTED and a ticket for cifs/<DC of the trusting domain> (two-way
 *    trusts: also the reverse), with the trusted domain's password
 *    credentials or a ccache whose principal is in that realm.  Only the
 *    service ticket proves the trust: the user's own KDC issues the
 *    cross-realm TGT from its own copy of the trust key, whatever the
 *    partner has.  So when the file names no DC of the target domain (a
 *    one-side file) or the target is an MIT realm, there is no service to
 *    ask for and the check is a SKIP that says why.  A domain's 'service'
 *    (any kind; an MIT realm has no DC to derive one from) names the
 *    service to ask a ticket for instead.
 * Every check prints one line (OK, FAIL or SKIP); exit 0 when none failed,
 * 1 when one failed or on error.  Secrets are resolved through the
 * credentials' references and never printed.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "model/model.h"
#include "providers/krb.h"
#include "providers/lsa.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/esc.h"
#include "util/xalloc.h"

enum vstatus { V_OK, V_FAIL, V_SKIP };

static const char *const vstatus_name[] = {"OK", "FAIL", "SKIP"};
static const char *const vstatus_json[] = {"ok", "fail", "skip"};
static const char *const vstatus_colour[] = {"\033[32m", "\033[31m",
                                             "\033[33m"};

/* One LSA session per domain, opened on first use; a failure is kept. */
struct dom_sess {
	char *domain;
	struct lsa_session *s; /* NULL when opening failed */
	struct err err;
};

/* Resolved secrets, by credential name, so a prompt comes once. */
struct secret {
	char *cred;
	char *pw; /* wiped by model_secret_free */
};

struct verify {
	const struct model *m;
	unsigned timeout_ms;
	bool json;
	bool kerberos_only;               /* cmd_check_trusts: see cmd.h */
	bool selective_is_skip;           /* cmd_check_trusts: see cmd.h */
	const char *indent;               /* before each text line */
	struct model_secret_cache *cache; /* the caller's, or NULL */
	json_t *out;                      /* --json: the array of checks */
	int wtrust, wwhere;
	char *helper;
	struct dom_sess *sess;
	size_t n_sess;
	struct secret *sec;
	size_t n_sec;
	size_t n_ok, n_fail, n_skip;
};

static void
help(void)
{
	printf("usage: adtrust verify [-f FILE] [--trust TRUSTING:TRUSTED] "
	       "[--json] [--timeout SEC]\n\n"
	       "Proves that each trust FILE (default trusts.yaml) declares "
	       "present works, as\n'netdom trust /verify [/kerberos]' does; "
	       "it changes nothing.\n"
	       "  NETLOGON  TC_VERIFY on the DC of each managed AD side that "
	       "trusts its partner\n"
	       "            (trust secret and secure channel), through the "
	       "adtrust-lsa helper\n"
	       "  Kerberos  for each direction users may cross: the user's "
	       "TGT, the cross-realm\n"
	       "            TGT and a ticket for cifs/<DC of the other "
	       "domain>, using the user\n"
	       "            domain's password credentials or a ccache whose "
	       "principal is in it;\n"
	       "            SKIP when FILE names no DC of the other domain "
	       "(a one-side file):\n"
	       "            a cross-realm TGT alone proves nothing\n\n"
	       "  -f FILE                   desired state, or "
	       "git:REPO@REV:PATH\n"
	       "  --trust TRUSTING:TRUSTED  only this trust\n"
	       "  --json                    print the checks as JSON (an "
	       "object "
	       "with checks\n"
	       "                            and a summary)\n"
	       "  --timeout SEC             per LSA request (default 60)\n\n"
	       "One line per check: OK, FAIL or SKIP (nothing usable to check "
	       "with; proves\nnothing).  Exit 0 when no check failed, 1 when "
	       "one did or on error.\n");
}

/* AD realms are the upper-cased DNS name; an MIT realm's name is its own. */
static char *
realm_of(const struct model_domain *d)
{
	char *r = xstrdup(d->name);

	if (d->kind == MODEL_KIND_AD)
		for (char *q = r; *q; q++)
			if (*q >= 'a' && *q <= 'z')
				*q = (char)(*q - 'a' + 'A');
	return r;
}

static int
iwidth(size_t n)
{
	return n > 60 ? 60 : (int)n;
}

/*
 * Prints (or, with --json, appends) one check.  extra (may be NULL) holds
 * the check's own JSON members; it is consumed.
 */
static void report(struct verify *v, enum vstatus st,
                   const struct model_trust *t, const char *check,
                   const char *where, json_t *extra, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));

static void
report(struct verify *v, enum vstatus st, const struct model_trust *t,
       const char *check, const char *where, json_t *extra, const char *fmt,
       ...)
{
	char detail[1024], trust[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(trust, sizeof(trust), "%s:%s", t->trusting, t->trusted);
	if (st == V_OK)
		v->n_ok++;
	else if (st == V_FAIL)
		v->n_fail++;
	else
		v->n_skip++;
	if (v->json) {
		json_t *o = json_object();

		json_object_set_new(o, "status", json_string(vstatus_json[st]));
		json_object_set_new(o, "trust", json_string(trust));
		json_object_set_new(o, "trusting", json_string(t->trusting));
		json_object_set_new(o, "trusted", json_string(t->trusted));
		json_object_set_new(o, "check", json_string(check));
		json_object_set_new(o, "where", json_string(where));
		if (extra != NULL)
			json_object_update(o, extra);
		json_object_set_new(o, "detail", json_string(detail));
		json_array_append_new(v->out, o);
		json_decref(extra);
		return;
	}
	json_decref(extra);
	/* names and the DCs' words come from outside: escaped */
	{
		char *et = esc_str(trust), *ew = esc_str(where),
		     *ed = esc_str(detail);

		printf("%s%s%-4s%s  %-*s  %-8s  %-*s  %s\n",
		       v->indent ? v->indent : "",
		       cmd_g.colour ? vstatus_colour[st] : "", vstatus_name[st],
		       cmd_g.colour ? "\033[0m" : "", v->wtrust, et, check,
		       v->wwhere, ew, ed);
		free(et);
		free(ew);
		free(ed);
	}
	fflush(stdout);
}

/* The password of a credential, resolved once per run; borrowed. */
static int
secret(const char **out, struct verify *v, const struct model_credential *c,
       struct err *err)
{
	char what[300], *pw = NULL;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < v->n_sec; i++)
		if (strcmp(v->sec[i].cred, c->name) == 0) {
			*out = v->sec[i].pw;
			return 0;
		}
	snprintf(what, sizeof(what), "the password of '%s'",
	         c->user ? c->user : c->name);
	/* the caller's cache: a {prompt:} apply already asked is not asked
	 * again */
	if ((rc = v->cache != NULL ? model_secret_get(v->cache, &pw,
	                                              c->password, what, err)
	                           : model_secret_resolve(&pw, c->password,
	                                                  what, err)) < 0)
		return rc;
	v->sec = xreallocarray(v->sec, v->n_sec + 1, sizeof(*v->sec));
	v->sec[v->n_sec].cred = xstrdup(c->name);
	v->sec[v->n_sec].pw = pw;
	v->n_sec++;
	*out = pw;
	return 0;
}

static const struct model_credential *
cred_of(const struct verify *v, const struct model_domain *d)
{
	return d->credentials ? model_cred_find(v->m, d->credentials) : NULL;
}

/* The LSA session to a domain's DC, opened once; a failure is kept. */
static int
session(struct lsa_session **out, struct verify *v,
        const struct model_domain *d, struct err *err)
{
	const struct model_credential *c = cred_of(v, d);
	struct lsa_login l = {0};
	struct dom_sess *ds;
	char *host = NULL, *realm = NULL;
	const char *pw = NULL;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < v->n_sess; i++) {
		ds = &v->sess[i];
		if (strcasecmp(ds->domain, d->name) != 0)
			continue;
		if (ds->s == NULL) {
			*err = ds->err;
			return err->code;
		}
		*out = ds->s;
		return 0;
	}
	if ((host = model_domain_dc_host(d)) == NULL) {
		rc = err_set(err, ERR_INVALID,
		             "domain '%s' has no 'rpc' or 'ldap' naming its DC",
		             d->name);
		goto out;
	}
	if (v->helper == NULL && (rc = lsa_helper_path(&v->helper, err)) < 0)
		goto out;
	realm = realm_of(d);
	l.server = host;
	l.realm = realm;
	l.trace = cmd_trace();
	if (c != NULL && c->method == MODEL_CRED_PASSWORD) {
		if ((rc = secret(&pw, v, c, err)) < 0)
			goto out;
		l.user = c->user;
		l.password = pw;
	} else if (c != NULL) {
		l.ccache = c->ccache;
	}
	/* the helper's messages name the DC and its domain (l.realm) */
	rc = lsa_session_open(out, v->helper, &l, v->timeout_ms, err);
out:
	v->sess = xreallocarray(v->sess, v->n_sess + 1, sizeof(*v->sess));
	ds = &v->sess[v->n_sess++];
	ds->domain = xstrdup(d->name);
	ds->s = *out;
	ds->err = *err;
	free(host);
	free(realm);
	return rc;
}

/* NETLOGON TC_VERIFY on self's DC for its trust with partner. */
static void
check_netlogon(struct verify *v, const struct model_trust *t,
               const struct model_domain *self,
               const struct model_domain *partner)
{
	bool trusting = strcasecmp(self->name, t->trusting) == 0;
	struct lsa_validation val = {0};
	struct lsa_session *s = NULL;
	json_t *x = json_object();
	struct err err;
	int rc;

	err_init(&err);
	json_object_set_new(x, "side", json_string(self->name));
	json_object_set_new(x, "partner", json_string(partner->name));
	if (!trusting && t->direction != MODEL_DIR_TWO_WAY) {
		report(v, V_SKIP, t, "netlogon", self->name, x,
		       "inbound-only side: no secure channel to '%s' to verify "
		       "(checked from the trusting side)",
		       partner->name);
		return;
	}
	if (partner->kind == MODEL_KIND_MIT_REALM) {
		report(v, V_SKIP, t, "netlogon", self->name, x,
		       "'%s' is an MIT realm: it has no NETLOGON; see the "
		       "Kerberos checks",
		       partner->name);
		return;
	}
	if ((rc = session(&s, v, self, &err)) == 0)
		rc = lsa_validate(s, partner->name, &val, &err);
	if (val.dc_name != NULL)
		json_object_set_new(x, "partner_dc", json_string(val.dc_name));
	if (val.pdc_text != NULL)
		json_object_set_new(x, "trust_status",
		                    json_string(val.pdc_text));
	if (val.tc_text != NULL)
		json_object_set_new(x, "connection_status",
		                    json_string(val.tc_text));
	if (s != NULL)
		json_object_set_new(x, "dc",
		                    json_string(lsa_session_server(s)));
	if (rc == 0)
		report(v, V_OK, t, "netlogon", self->name, x,
		       "%s: trust %s, connection %s%s%s", lsa_session_server(s),
		       val.pdc_text ? val.pdc_text : "?",
		       val.tc_text ? val.tc_text : "?",
		       val.dc_name ? ", partner DC " : "",
		       val.dc_name ? val.dc_name : "");
	else
		report(v, V_FAIL, t, "netlogon", self->name, x, "%s", err.msg);
	lsa_validation_release(&val);
}

static json_t *
tickets_json(const struct prov_krb_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < PROV_KRB_N_STEPS; i++) {
		const struct prov_krb_ticket *k = &r->step[i];
		json_t *o;

		if (!k->done)
			continue;
		o = json_object();
		json_object_set_new(
		        o, "step",
		        json_string(prov_krb_step_name((enum prov_krb_step)i)));
		json_object_set_new(o, "server", json_string(k->server));
		json_object_set_new(o, "ok", json_boolean(k->ok));
		if (k->ok) {
			json_object_set_new(o, "enctype",
			                    json_string(k->enctype_name));
			json_object_set_new(o, "kvno", json_integer(k->kvno));
		} else {
			json_object_set_new(o, "error", json_string(k->error));
			json_object_set_new(o, "code", json_integer(k->code));
		}
		json_array_append_new(a, o);
	}
	return a;
}

/*
 * Who can log on as a user of domain u: its password credential, else a
 * ccache (the credential's, or the default) whose principal is in u's
 * realm.  Returns false with *why set when there is nothing usable.
 */
static bool
kerberos_user(struct verify *v, const struct model_domain *u,
              const char *urealm, char **user, const char **pw,
              const char **ccache, char *why, size_t len)
{
	const struct model_credential *c = cred_of(v, u);
	char princ[256];
	const char *r;
	struct err err;

	*user = NULL;
	*pw = NULL;
	*ccache = NULL;
	err_init(&err);
	if (c != NULL && c->method == MODEL_CRED_PASSWORD) {
		if (c->user == NULL) {
			snprintf(why, len, "credential '%s' names no user",
			         c->name);
			return false;
		}
		r = prov_krb_realm_of(c->user);
		if (r != NULL && strcmp(r, urealm) != 0) {
			snprintf(why, len,
			         "credential '%s' is '%s', not a user of %s",
			         c->name, c->user, urealm);
			return false;
		}
		if (secret(pw, v, c, &err) < 0) {
			snprintf(why, len, "%s", err.msg);
			return false;
		}
		*user = r != NULL ? xstrdup(c->user)
		                  : xasprintf("%s@%s", c->user, urealm);
		return true;
	}
	*ccache = c != NULL ? c->ccache : NULL;
	if (prov_krb_ccache_principal(princ, sizeof(princ), *ccache, &err) <
	    0) {
		snprintf(why, len,
		         "no credentials for a user of %s: %s has no password "
		         "and %s",
		         urealm, c != NULL ? "its credential" : "the domain",
		         err.msg);
		return false;
	}
	r = prov_krb_realm_of(princ);
	if (r == NULL || strcmp(r, urealm) != 0) {
		snprintf(why, len,
		         "no credentials for a user of %s: %s has no password "
		         "and the ccache holds '%s' (kinit as a %s user, or "
		         "give the domain password credentials)",
		         urealm, c != NULL ? "its credential" : "the domain",
		         princ, urealm);
		return false;
	}
	*user = xstrdup(princ);
	return true;
}

/* A user of u gets a ticket for a service of target, across the trust. */
static void
check_kerberos(struct verify *v, const struct model_trust *t,
               const struct model_domain *u, const struct model_domain *target)
{
	char *urealm = realm_of(u), *trealm = realm_of(target);
	char *host = target->kind == MODEL_KIND_AD
	                     ? model_domain_dc_host(target)
	                     : NULL;
	/* the domain's own 'service', else cifs/ on its DC (AD) */
	char *svc = target->service != NULL ? xstrdup(target->service)
	            : host != NULL          ? xasprintf("cifs/%s", host)
	                                    : NULL;
	char *where = xasprintf("%s->%s", urealm, trealm), *user = NULL;
	const char *pw = NULL, *ccache = NULL;
	struct prov_krb_result r;
	char why[768], got[700] = "";
	json_t *x = json_object();
	struct err err;
	size_t n = 0;

	err_init(&err);
	json_object_set_new(x, "from", json_string(urealm));
	json_object_set_new(x, "to", json_string(trealm));
	if (svc == NULL) {
		/* a cross-realm TGT alone is signed by the user's own KDC */
		if (target->kind == MODEL_KIND_AD)
			report(v, V_SKIP, t, "kerberos", where, x,
			       "'%s' names no DC (no 'ldap' or 'rpc' in this "
			       "file): no %s service to ask a ticket for, and "
			       "a cross-realm TGT alone comes from %s's own "
			       "KDC, which proves nothing about %s",
			       target->name, trealm, urealm, trealm);
		else
			report(v, V_SKIP, t, "kerberos", where, x,
			       "%s is an MIT realm and names no 'service' to "
			       "ask a ticket for, and a cross-realm TGT "
			       "alone comes from %s's own KDC, which proves "
			       "nothing about %s",
			       trealm, urealm, trealm);
		goto out;
	}
	if (!kerberos_user(v, u, urealm, &user, &pw, &ccache, why,
	                   sizeof(why))) {
		report(v, V_SKIP, t, "kerberos", where, x, "%s", why);
		goto out;
	}
	json_object_set_new(x, "client", json_string(user));
	json_object_set_new(x, "service", json_string(svc));
	if (prov_krb_check_trust(&r, user, pw, ccache, trealm, svc, &err) < 0) {
		enum prov_krb_step failed = PROV_KRB_INITIAL;

		for (size_t i = 0; i < PROV_KRB_N_STEPS; i++)
			if (r.step[i].done && !r.step[i].ok)
				failed = (enum prov_krb_step)i;
		json_object_set_new(x, "failed_step",
		                    json_string(prov_krb_step_name(failed)));
		json_object_set_new(x, "tickets", tickets_json(&r));
		if (failed != PROV_KRB_INITIAL &&
		    t->opts.selective_authentication &&
		    *t->opts.selective_authentication) {
			report(v, v->selective_is_skip ? V_SKIP : V_FAIL, t,
			       "kerberos", where, x,
			       "%s (selective authentication is on: the user "
			       "needs Allowed-to-Authenticate on the target)",
			       err.msg);
			goto out;
		}
		report(v, V_FAIL, t, "kerberos", where, x, "%s", err.msg);
		goto out;
	}
	json_object_set_new(x, "failed_step", json_null());
	json_object_set_new(x, "tickets", tickets_json(&r));
	for (size_t i = PROV_KRB_CROSS; i < PROV_KRB_N_STEPS; i++) {
		if (!r.step[i].done)
			continue;
		n += (size_t)snprintf(got + n, sizeof(got) - n,
		                      "%s%s %s kvno %u", n ? ", " : "",
		                      r.step[i].server, r.step[i].enctype_name,
		                      r.step[i].kvno);
		if (n >= sizeof(got))
			break;
	}
	report(v, V_OK, t, "kerberos", where, x, "%s%s: %s", r.client,
	       r.from_ccache ? " (ccache)" : "", got);
out:
	free(urealm);
	free(trealm);
	free(host);
	free(svc);
	free(where);
	free(user);
}

static void
verify_trust(struct verify *v, const struct model_trust *t)
{
	const struct model_domain *dt = model_domain_find(v->m, t->trusting);
	const struct model_domain *dd = model_domain_find(v->m, t->trusted);

	/* NETLOGON on each managed AD side */
	if (!v->kerberos_only && t->sides != MODEL_SIDES_TRUSTED &&
	    dt->kind == MODEL_KIND_AD)
		check_netlogon(v, t, dt, dd);
	if (!v->kerberos_only && t->sides != MODEL_SIDES_TRUSTING &&
	    dd->kind == MODEL_KIND_AD)
		check_netlogon(v, t, dd, dt);
	/* Kerberos: the trusted domain's users reach the trusting domain */
	check_kerberos(v, t, dd, dt);
	if (t->direction == MODEL_DIR_TWO_WAY)
		check_kerberos(v, t, dt, dd);
}

/* Column widths for the text lines, from the trusts to verify. */
static void
widths(struct verify *v, const struct model_trust *const *ts, size_t n)
{
	size_t wt = 5, ww = 5;

	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(ts[i]->trusting), b = strlen(ts[i]->trusted);

		wt = a + b + 1 > wt ? a + b + 1 : wt;
		ww = a + b + 2 > ww ? a + b + 2 : ww;
	}
	v->wtrust = iwidth(wt);
	v->wwhere = iwidth(ww);
}

/* The trusts to verify: every present one, or the one --trust names. */
static int
select_trusts(const struct model_trust ***out, size_t *n, const struct model *m,
              const char *only, const char *file, struct err *err)
{
	const struct model_trust **v = NULL;
	const char *colon = only ? strchr(only, ':') : NULL;
	size_t k = 0, la = colon ? (size_t)(colon - only) : 0;

	*out = NULL;
	*n = 0;
	for (unsigned i = 0; i < m->n_trusts; i++) {
		const struct model_trust *t = &m->trusts[i];

		if (only != NULL && (strlen(t->trusting) != la ||
		                     strncasecmp(t->trusting, only, la) != 0 ||
		                     strcasecmp(t->trusted, colon + 1) != 0))
			continue;
		if (only != NULL && t->ensure != MODEL_PRESENT) {
			free(v);
			return err_set(err, ERR_INVALID,
			               "trust '%s' is declared absent in '%s': "
			               "nothing to verify",
			               only, file);
		}
		if (t->ensure != MODEL_PRESENT)
			continue;
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k++] = t;
	}
	if (only != NULL && k == 0)
		return err_set(err, ERR_NOTFOUND,
		               "'%s' declares no trust '%s' (TRUSTING:TRUSTED, "
		               "as in its 'trusting' and 'trusted')",
		               file, only);
	*out = v;
	*n = k;
	return 0;
}

static void
verify_release(struct verify *v)
{
	for (size_t i = 0; i < v->n_sess; i++) {
		lsa_session_close(v->sess[i].s);
		free(v->sess[i].domain);
	}
	free(v->sess);
	for (size_t i = 0; i < v->n_sec; i++) {
		model_secret_free(v->sec[i].pw);
		free(v->sec[i].cred);
	}
	free(v->sec);
	free(v->helper);
	json_decref(v->out);
}

void
cmd_check_trusts(const struct model *m, const struct model_trust *const *ts,
                 size_t n, const struct cmd_check_opts *o, json_t *out,
                 struct cmd_check_counts *c)
{
	struct verify v = {
	        .m = m,
	        .timeout_ms = o->timeout_ms ? o->timeout_ms : 60000,
	        .json = out != NULL,
	        .kerberos_only = o->kerberos_only,
	        .selective_is_skip = o->selective_is_skip,
	        .indent = o->indent,
	        .cache = o->secrets,
	};

	v.out = out != NULL ? json_incref(out) : NULL;
	widths(&v, ts, n);
	for (size_t i = 0; i < n; i++)
		verify_trust(&v, ts[i]);
	c->ok = v.n_ok;
	c->fail = v.n_fail;
	c->skip = v.n_skip;
	verify_release(&v);
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"trust", required_argument, NULL, 't'},
	        {"json", no_argument, NULL, 'j'},
	        {"timeout", required_argument, NULL, 'T'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct verify v = {.timeout_ms = 60000};
	const struct model_trust **ts = NULL;
	const char *file = "trusts.yaml", *only = NULL;
	struct cmd_desired info;
	struct model *m = NULL;
	size_t n = 0;
	struct err err;
	char *end;
	long sec;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 't':
			only = optarg;
			break;
		case 'j':
			v.json = true;
			break;
		case 'T':
			sec = strtol(optarg, &end, 10);
			if (*end != '\0' || sec <= 0 || sec > 3600)
				return cmd_usage("verify", "--timeout takes "
				                           "seconds (1..3600)");
			v.timeout_ms = (unsigned)sec * 1000u;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cmd_usage("verify", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage("verify", "unexpected argument '%s'",
		                 argv[optind]);
	if (only != NULL && (strchr(only, ':') == NULL || only[0] == ':' ||
	                     strchr(only, ':')[1] == '\0'))
		return cmd_usage("verify",
		                 "--trust takes TRUSTING:TRUSTED, e.g. "
		                 "a.test:b.test");
	err_init(&err);
	if (cmd_load_desired(&m, &info, file, &err) < 0) {
		cmd_desired_release(&info);
		cmd_error(&err);
		return 1;
	}
	cmd_desired_release(&info);
	if (select_trusts(&ts, &n, m, only, file, &err) < 0) {
		cmd_error(&err);
		goto out;
	}
	v.m = m;
	v.out = v.json ? json_array() : NULL;
	widths(&v, ts, n);
	for (size_t i = 0; i < n; i++)
		verify_trust(&v, ts[i]);
	if (v.json) {
		json_t *root = cmd_json_new(), *sum = json_object();

		json_object_set(root, "checks", v.out);
		json_object_set_new(sum, "ok",
		                    json_integer((json_int_t)v.n_ok));
		json_object_set_new(sum, "failed",
		                    json_integer((json_int_t)v.n_fail));
		json_object_set_new(sum, "skipped",
		                    json_integer((json_int_t)v.n_skip));
		json_object_set_new(root, "summary", sum);
		if (cmd_json_print(root, &err) < 0) {
			cmd_error(&err);
			goto out;
		}
	} else if (!cmd_g.quiet) {
		printf("\nVerify: %zu ok, %zu failed, %zu skipped\n", v.n_ok,
		       v.n_fail, v.n_skip);
	}
	if (n == 0)
		fprintf(stderr,
		        "adtrust: '%s' declares no present trust: "
		        "nothing to verify\n",
		        file);
	if (v.n_skip > 0 && (v.json || !cmd_g.quiet))
		fprintf(stderr,
		        "adtrust: note: %zu check%s skipped (no usable "
		        "credentials, or nothing to check there): %s "
		        "nothing\n",
		        v.n_skip, v.n_skip == 1 ? " was" : "s were",
		        v.n_skip == 1 ? "it proves" : "they prove");
	rc = v.n_fail > 0 ? 1 : 0;
out:
	verify_release(&v);
	free(ts);
	model_free(m);
	return rc;
}
