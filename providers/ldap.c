/*
 * ldap: the observed state read from the domain controllers with OpenLDAP
 * libldap.  Per domain: bind (see prov_ldap_bind_policy), the rootDSE, the
 * domain object, its crossRef (NetBIOS name), then one paged search for
 * (objectClass=trustedDomain) one level under CN=System,<domain DN>.
 * Several domains are read concurrently, one thread and one LDAP handle per
 * domain; secrets are resolved first, in the calling thread, because
 * resolving may prompt on the terminal.  libldap says "Can't contact LDAP
 * server" for an unknown name, a refused or silent port and a failed TLS
 * handshake alike, so after it a TCP probe of the server tells which.
 */
#include "providers/prov.h"

#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include "model/model.h"
#include "providers/kadm.h"
#include "providers/prov_int.h"
#include "util/err.h"
#include "util/trace.h"
#include "util/xalloc.h"

#define DEFAULT_TIMEOUT_MS 15000u
#define PROBE_MS 3000u /* the TCP connect of the probe after a failure */
#define PAGE_SIZE 500

struct prov_ldap {
	struct prov base; /* must stay first */
	const struct model *model;
	struct model_secret_cache *secrets; /* borrowed, may be NULL */
	unsigned timeout_ms;
	const struct trace *trace; /* borrowed, may be NULL */
};

/* One domain being read, by its own thread. */
struct job {
	char *name; /* lower case */
	const char *uri;
	enum prov_bind bind;
	const char *user;   /* simple binds */
	const char *ccache; /* GSSAPI, optional */
	char *password;     /* simple binds; wiped */
	unsigned timeout_ms;
	const struct trace *trace; /* -v */
	char *host;                /* the URI's host, for -v */
	LDAP *ld;
	struct model_domain_state st;
	struct err err;
	int rc;
	bool realm; /* an MIT realm: read through kadmind (providers/kadm.h) */
};

static struct prov_ldap *
to_ldap(struct prov *p)
{
	assert(p->ops == &prov_ldap_ops);
	return (struct prov_ldap *)p;
}

static bool
has_scheme(const char *uri, const char *scheme)
{
	return strncasecmp(uri, scheme, strlen(scheme)) == 0;
}

int
prov_ldap_bind_policy(enum prov_bind *out, const struct model_domain *d,
                      const struct model_credential *c, struct err *err)
{
	const char *uri = d->ldap != NULL ? d->ldap : "";
	bool ldaps = has_scheme(uri, "ldaps://");

	*out = PROV_BIND_ANONYMOUS;
	if (!ldaps && !has_scheme(uri, "ldap://"))
		return err_set(err, ERR_INVALID,
		               "domain '%s': ldap URI '%s' is not ldap:// or "
		               "ldaps://",
		               d->name, uri);
	if (c == NULL)
		return 0;
	if (c->method == MODEL_CRED_KERBEROS) {
		if (ldaps || (d->starttls != NULL && *d->starttls))
			return err_set(err, ERR_DENIED,
			               "domain '%s': kerberos over TLS to '%s' "
			               "is refused: AD and Samba reject GSSAPI "
			               "sign+seal inside TLS; use ldap:// "
			               "without StartTLS (GSSAPI encrypts)",
			               d->name, uri);
		*out = PROV_BIND_GSSAPI;
		return 0;
	}
	if (ldaps) {
		*out = PROV_BIND_SIMPLE_LDAPS;
		return 0;
	}
	if (d->starttls != NULL && !*d->starttls)
		return err_set(
		        err, ERR_DENIED,
		        "domain '%s': refusing a clear-text simple bind "
		        "to '%s' (starttls: false would send the "
		        "password unencrypted); use ldaps:// or StartTLS",
		        d->name, uri);
	*out = PROV_BIND_SIMPLE_STARTTLS;
	return 0;
}

static int
ldap_open(struct prov **out, const struct prov_cfg *cfg, struct err *err)
{
	struct prov_ldap *p;

	*out = NULL;
	if (cfg->model == NULL)
		return err_set(err, ERR_INVALID,
		               "the ldap provider needs a model");
	p = xcalloc(1, sizeof(*p));
	p->base.ops = &prov_ldap_ops;
	p->model = cfg->model;
	p->secrets = cfg->secrets;
	p->timeout_ms =
	        cfg->timeout_ms != 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	p->trace = cfg->trace;
	*out = &p->base;
	return 0;
}

static void
ldap_close(struct prov *p)
{
	if (p != NULL)
		free(to_ldap(p));
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0 connected, else an errno (ETIMEDOUT when the deadline passed). */
static int
try_connect(const struct addrinfo *ai, int64_t deadline)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, e = 0, r;
	int64_t left;

	fd = socket(ai->ai_family,
	            ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto out;
	if (errno != EINPROGRESS) {
		e = errno;
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			e = ETIMEDOUT;
			goto out;
		}
		if ((r = poll(&pfd, 1, (int)left)) > 0)
			break;
		if (r < 0 && errno != EINTR) {
			e = errno;
			goto out;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
out:
	close(fd);
	return e;
}

/*
 * After libldap's "Can't contact LDAP server", which it says for a name
 * that does not resolve, a refused or silent port and a failed TLS
 * handshake alike: resolve the URI's host and try one TCP connect to its
 * port.  True, with why set, when the server cannot be reached; false
 * when it can (then TLS, or the server, is the problem).
 */
static bool
unreachable(const struct job *j, char *why, size_t len)
{
	struct addrinfo hints, *res = NULL;
	LDAPURLDesc *u = NULL;
	unsigned t = j->timeout_ms < PROBE_MS ? j->timeout_ms : PROBE_MS;
	int64_t deadline = now_ms() + t;
	char serv[16];
	int g, e = 0, port;

	why[0] = '\0';
	if (ldap_url_parse(j->uri, &u) != LDAP_URL_SUCCESS ||
	    u->lud_host == NULL || u->lud_host[0] == '\0') {
		ldap_free_urldesc(u);
		return false;
	}
	port = u->lud_port != 0                          ? u->lud_port
	       : strcasecmp(u->lud_scheme, "ldaps") == 0 ? 636
	                                                 : 389;
	snprintf(serv, sizeof(serv), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	g = getaddrinfo(u->lud_host, serv, &hints, &res);
	ldap_free_urldesc(u);
	if (g != 0) {
		snprintf(why, len, "name not resolved%s",
		         g == EAI_AGAIN ? " (no answer from DNS)" : "");
		return true;
	}
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		if ((e = try_connect(ai, deadline)) == 0)
			break;
	freeaddrinfo(res);
	switch (e) {
	case 0:
		return false;
	case ECONNREFUSED:
		snprintf(why, len,
		         "connection refused on port %d (is the DC down?)",
		         port);
		break;
	case ETIMEDOUT:
		snprintf(why, len,
		         "connection to port %d timed out after %u %s (DC down "
		         "or a firewall?)",
		         port, t % 1000 == 0 ? t / 1000 : t,
		         t % 1000 == 0 ? "s" : "ms");
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
		snprintf(why, len, "host unreachable");
		break;
	default:
		snprintf(why, len, "cannot connect to port %d (errno %d)", port,
		         e);
		break;
	}
	return true;
}

/*
 * Sets j->err from an LDAP result code plus the server's diagnostic.  A
 * server that cannot be reached is said so in words; the TLS hint comes
 * only when the TCP connection works, i.e. when TLS itself failed.
 */
static int __attribute__((format(printf, 3, 4)))
fail(struct job *j, int rc, const char *fmt, ...)
{
	char what[256], why[128], *diag = NULL;
	va_list ap;
	bool down, tls;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	down = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR;
	if ((down || rc == LDAP_TIMEOUT) && unreachable(j, why, sizeof(why))) {
		err_set(&j->err, ERR_BACKEND,
		        "domain '%s': cannot reach LDAP server '%s': %s",
		        j->name, j->uri, why);
		j->err.sys = rc;
		return ERR_BACKEND;
	}
	if (j->ld != NULL)
		ldap_get_option(j->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	/* libldap says only "Can't contact LDAP server" for a bad cert */
	tls = down && (j->bind == PROV_BIND_SIMPLE_LDAPS ||
	               j->bind == PROV_BIND_SIMPLE_STARTTLS);
	err_set(&j->err, ERR_BACKEND, "domain '%s' (%s): %s: %s (%d)%s%s%s",
	        j->name, j->uri, what, ldap_err2string(rc), rc,
	        diag != NULL && diag[0] != '\0' ? ": " : "",
	        diag != NULL ? diag : "",
	        tls ? " (TLS: is the server certificate trusted? see "
	              "LDAPTLS_CACERT, LDAPTLS_REQCERT)"
	            : "");
	j->err.sys = rc;
	ldap_memfree(diag);
	return ERR_BACKEND;
}

/* Adds the domain and URI to an error set by the mappers. */
static int
context(struct job *j)
{
	return err_prefix(&j->err, "domain '%s' (%s)", j->name, j->uri);
}

/*
 * -v: one line for the LDAP operation started at t0, with its result or
 * the number of entries in res (NULL: none to tell).  The entries are
 * counted here, only when the line is logged.
 */
static void __attribute__((format(printf, 5, 6)))
step(const struct job *j, int64_t t0, int rc, LDAPMessage *res, const char *fmt,
     ...)
{
	char what[300], tail[96] = "";
	va_list ap;
	long entries;

	if (!trace_on(j->trace))
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc != LDAP_SUCCESS)
		snprintf(tail, sizeof(tail), ", failed: %s (%d)",
		         ldap_err2string(rc), rc);
	else if (res != NULL && (entries = ldap_count_entries(j->ld, res)) >= 0)
		snprintf(tail, sizeof(tail), ", %ld entr%s", entries,
		         entries == 1 ? "y" : "ies");
	trace_log(j->trace, "ldap %s (%s): %s: %lld ms%s",
	          j->host != NULL ? j->host : j->uri, j->name, what,
	          (long long)(trace_now_ms() - t0), tail);
}

static int
sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	for (sasl_interact_t *i = in; i->id != SASL_CB_LIST_END; i++) {
		i->result = i->defresult != NULL ? i->defresult : "";
		i->len = (unsigned)strlen(i->result);
	}
	return LDAP_SUCCESS;
}

static int
set_options(struct job *j)
{
	struct timeval tv;
	int v3 = LDAP_VERSION3;

	tv.tv_sec = (time_t)(j->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(j->timeout_ms % 1000) * 1000;
	if (ldap_set_option(j->ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != 0 ||
	    ldap_set_option(j->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != 0 ||
	    ldap_set_option(j->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != 0 ||
	    ldap_set_option(j->ld, LDAP_OPT_TIMEOUT, &tv) != 0 ||
	    ldap_set_option(j->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != 0)
		return err_set(&j->err, ERR_BACKEND,
		               "domain '%s' (%s): cannot set LDAP options",
		               j->name, j->uri);
	return 0;
}

static int
do_bind(struct job *j)
{
	struct berval cred;
	OM_uint32 minor;
	ber_len_t ssf = 0;
	int rc;

	int64_t t0 = trace_now_ms();

	if (j->bind == PROV_BIND_SIMPLE_STARTTLS) {
		rc = ldap_start_tls_s(j->ld, NULL, NULL);
		step(j, t0, rc, NULL, "StartTLS");
		if (rc != LDAP_SUCCESS)
			return fail(j, rc, "StartTLS failed");
		t0 = trace_now_ms();
	}
	switch (j->bind) {
	case PROV_BIND_ANONYMOUS:
		return 0;
	case PROV_BIND_SIMPLE_LDAPS:
	case PROV_BIND_SIMPLE_STARTTLS:
		cred.bv_val = j->password;
		cred.bv_len = strlen(j->password);
		rc = ldap_sasl_bind_s(j->ld, j->user, LDAP_SASL_SIMPLE, &cred,
		                      NULL, NULL, NULL);
		/* the user's name, never the password */
		step(j, t0, rc, NULL, "simple bind as %s", j->user);
		if (rc != LDAP_SUCCESS)
			return fail(j, rc, "cannot bind as '%s'", j->user);
		return 0;
	case PROV_BIND_GSSAPI:
		/* per thread in MIT krb5: each domain may use its own cache */
		if (j->ccache != NULL &&
		    gss_krb5_ccache_name(&minor, j->ccache, NULL) !=
		            GSS_S_COMPLETE)
			return err_set(&j->err, ERR_BACKEND,
			               "domain '%s': cannot use credential "
			               "cache '%s'",
			               j->name, j->ccache);
		rc = ldap_sasl_interactive_bind_s(j->ld, NULL, "GSSAPI", NULL,
		                                  NULL, LDAP_SASL_QUIET,
		                                  sasl_interact, NULL);
		step(j, t0, rc, NULL, "GSSAPI bind");
		if (rc != LDAP_SUCCESS)
			return fail(j, rc, "GSSAPI bind failed");
		/* sign+seal: never read over a session without a layer */
		if (ldap_get_option(j->ld, LDAP_OPT_X_SASL_SSF, &ssf) != 0 ||
		    ssf == 0)
			return err_set(&j->err, ERR_DENIED,
			               "domain '%s' (%s): GSSAPI bind gave no "
			               "SASL security layer",
			               j->name, j->uri);
		return 0;
	}
	return 0;
}

static char **
attrs_dup(const char *const *in)
{
	size_t n = 0;
	char **v;

	while (in[n] != NULL)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(in[i]);
	return v;
}

static void
attrs_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

typedef int (*value_fn)(void *ctx, const char *attr, const void *val,
                        size_t len, struct err *err);

/*
 * Calls fn for every value of every attribute of entry e; *dn_out
 * (optional) receives the entry's DN as a new string.
 */
static int
each_value(struct job *j, LDAPMessage *e, value_fn fn, void *ctx, char **dn_out)
{
	BerElement *ber = NULL;
	struct berval dn, attr;
	BerVarray vals = NULL;
	int rc;

	/*
	 * One pass over the entry: each attribute with its values, never
	 * re-found by name (ldap_get_values_len scans the entry per call).
	 */
	if ((rc = ldap_get_dn_ber(j->ld, e, &ber, &dn)) != LDAP_SUCCESS) {
		ber_free(ber, 0);
		return fail(j, rc, "cannot decode an entry");
	}
	if (dn_out != NULL)
		*dn_out = dn.bv_val != NULL ? xstrndup(dn.bv_val, dn.bv_len)
		                            : xstrdup("");
	for (rc = 0; rc == 0;) {
		char name[128];

		if ((rc = ldap_get_attribute_ber(j->ld, e, ber, &attr,
		                                 &vals)) != LDAP_SUCCESS) {
			rc = fail(j, rc, "cannot decode an entry");
			break;
		}
		if (attr.bv_val == NULL)
			break;
		if (attr.bv_len < sizeof(name)) {
			memcpy(name, attr.bv_val, attr.bv_len);
			name[attr.bv_len] = '\0';
			for (size_t i = 0;
			     vals != NULL && vals[i].bv_val != NULL && rc == 0;
			     i++)
				rc = fn(ctx, name, vals[i].bv_val,
				        vals[i].bv_len, &j->err);
		}
		ber_memfree(vals);
		vals = NULL;
	}
	ber_free(ber, 0);
	return rc;
}

struct ident_ctx {
	struct model_domain_state *d;
	enum prov_ident_kind kind;
};

static int
ident_fn(void *ctx, const char *attr, const void *val, size_t len,
         struct err *err)
{
	struct ident_ctx *c = ctx;

	return prov_ident_value(c->d, c->kind, attr, val, len, err);
}

static int
tdo_fn(void *ctx, const char *attr, const void *val, size_t len,
       struct err *err)
{
	return prov_tdo_value(ctx, attr, val, len, err);
}

/* A search whose entries all go to prov_ident_value. */
static int
search_ident(struct job *j, const char *base, int scope, const char *filter,
             const char *const *attrs, enum prov_ident_kind kind, size_t *n_out)
{
	struct ident_ctx ctx = {&j->st, kind};
	LDAPMessage *res = NULL, *e;
	char **av = attrs_dup(attrs), *f = xstrdup(filter);
	struct timeval tv;
	int64_t t0 = trace_now_ms();
	int rc;

	*n_out = 0;
	tv.tv_sec = (time_t)(j->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(j->timeout_ms % 1000) * 1000;
	rc = ldap_search_ext_s(j->ld, base, scope, f, av, 0, NULL, NULL, &tv,
	                       LDAP_NO_LIMIT, &res);
	step(j, t0, rc, res, "search %s %s", base, filter);
	if (rc != LDAP_SUCCESS) {
		rc = fail(j, rc, "cannot read '%s'", base);
		goto out;
	}
	for (e = ldap_first_entry(j->ld, res); e != NULL;
	     e = ldap_next_entry(j->ld, e)) {
		(*n_out)++;
		if ((rc = each_value(j, e, ident_fn, &ctx, NULL)) < 0) {
			rc = context(j);
			goto out;
		}
	}
	rc = 0;
out:
	ldap_msgfree(res);
	attrs_free(av);
	free(f);
	return rc;
}

/* Reads the rootDSE; *default_nc and *config_nc are new strings or NULL. */
static int
read_rootdse(struct job *j, char **default_nc, char **config_nc)
{
	static const char *const attrs[] = {
	        "defaultNamingContext",
	        "rootDomainNamingContext",
	        "configurationNamingContext",
	        "domainFunctionality",
	        "vendorName",
	        "dnsHostName",
	        NULL,
	};
	LDAPMessage *res = NULL, *e;
	char **av = attrs_dup(attrs), *f = xstrdup("(objectClass=*)");
	struct ident_ctx ctx = {&j->st, PROV_IDENT_ROOTDSE};
	struct timeval tv;
	int64_t t0 = trace_now_ms();
	int rc;

	*default_nc = *config_nc = NULL;
	tv.tv_sec = (time_t)(j->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(j->timeout_ms % 1000) * 1000;
	rc = ldap_search_ext_s(j->ld, "", LDAP_SCOPE_BASE, f, av, 0, NULL, NULL,
	                       &tv, LDAP_NO_LIMIT, &res);
	step(j, t0, rc, res, "search rootDSE");
	if (rc != LDAP_SUCCESS) {
		rc = fail(j, rc, "cannot read the rootDSE");
		goto out;
	}
	if ((e = ldap_first_entry(j->ld, res)) != NULL) {
		struct berval **v;

		if ((rc = each_value(j, e, ident_fn, &ctx, NULL)) < 0) {
			rc = context(j);
			goto out;
		}
		v = ldap_get_values_len(j->ld, e, "defaultNamingContext");
		if (v != NULL && v[0] != NULL)
			*default_nc = xstrndup(v[0]->bv_val, v[0]->bv_len);
		ldap_value_free_len(v);
		v = ldap_get_values_len(j->ld, e, "configurationNamingContext");
		if (v != NULL && v[0] != NULL)
			*config_nc = xstrndup(v[0]->bv_val, v[0]->bv_len);
		ldap_value_free_len(v);
	}
	rc = 0;
out:
	ldap_msgfree(res);
	attrs_free(av);
	free(f);
	return rc;
}

static int
map_tdo(struct job *j, LDAPMessage *e)
{
	struct model_tdo *t = model_domain_state_add_tdo(&j->st);
	struct prov_tdo_map m;

	t->domain = xstrdup(j->st.name);
	t->source = xstrdup(j->uri);
	prov_tdo_map_init(&m, t);
	if (each_value(j, e, tdo_fn, &m, &t->dn) < 0 ||
	    prov_tdo_finish(&m, &j->err) < 0)
		return context(j);
	return 0;
}

/* One paged search (RFC 2696) for the TDOs under base. */
static int
read_tdos(struct job *j, const char *base)
{
	LDAPControl *page = NULL, *sctrls[2] = {NULL, NULL}, **rctrls = NULL;
	char **av = attrs_dup(prov_tdo_attrs());
	char *f = xstrdup("(objectClass=trustedDomain)");
	struct berval *cookie = NULL;
	LDAPMessage *res = NULL, *e;
	struct timeval tv;
	int64_t t0;
	int rc, code, page_no = 0;

	tv.tv_sec = (time_t)(j->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(j->timeout_ms % 1000) * 1000;
	do {
		LDAPControl *pr;
		struct berval next = {0, NULL};
		ber_int_t estimate;

		if ((rc = ldap_create_page_control(j->ld, PAGE_SIZE, cookie, 1,
		                                   &page)) != LDAP_SUCCESS) {
			rc = fail(j, rc, "cannot create the paging control");
			goto out;
		}
		sctrls[0] = page;
		t0 = trace_now_ms();
		rc = ldap_search_ext_s(j->ld, base, LDAP_SCOPE_ONELEVEL, f, av,
		                       0, sctrls, NULL, &tv, LDAP_NO_LIMIT,
		                       &res);
		page_no++;
		if (page_no == 1)
			step(j, t0, rc, res, "search %s", base);
		else
			step(j, t0, rc, res, "search %s (page %d)", base,
			     page_no);
		ldap_control_free(page);
		page = NULL;
		if (rc != LDAP_SUCCESS) {
			rc = fail(j, rc, "cannot search '%s'", base);
			goto out;
		}
		for (e = ldap_first_entry(j->ld, res); e != NULL;
		     e = ldap_next_entry(j->ld, e))
			if ((rc = map_tdo(j, e)) < 0)
				goto out;
		rc = ldap_parse_result(j->ld, res, &code, NULL, NULL, NULL,
		                       &rctrls, 0);
		if (rc != LDAP_SUCCESS || code != LDAP_SUCCESS) {
			rc = fail(j, rc != LDAP_SUCCESS ? rc : code,
			          "cannot search '%s'", base);
			goto out;
		}
		ber_bvfree(cookie);
		cookie = NULL;
		pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
		if (pr != NULL &&
		    ldap_parse_pageresponse_control(j->ld, pr, &estimate,
		                                    &next) == LDAP_SUCCESS &&
		    next.bv_len > 0)
			cookie = ber_bvdup(&next);
		ber_memfree(next.bv_val);
		ldap_controls_free(rctrls);
		rctrls = NULL;
		ldap_msgfree(res);
		res = NULL;
	} while (cookie != NULL);
	rc = 0;
out:
	ldap_controls_free(rctrls);
	ldap_msgfree(res);
	ber_bvfree(cookie);
	attrs_free(av);
	free(f);
	return rc;
}

/*
 * libldap reads each message with two read(2)s, its header then its body,
 * and polls before each: three system calls per trusted domain object.
 * A readahead layer under it (and under TLS or SASL, which sit above)
 * reads what the socket holds at once.  Added once the connection has
 * answered, so connecting and its errors stay libldap's own; if it cannot
 * be added, the reads are only slower.
 */
static void
read_ahead(struct job *j)
{
	Sockbuf *sb = NULL;

	if (ldap_get_option(j->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb != NULL)
		(void)ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead,
		                         LBER_SBIOD_LEVEL_PROVIDER, NULL);
}

static int
read_domain(struct job *j)
{
	static const char *const dom_attrs[] = {"objectSid",
	                                        "msDS-Behavior-Version", NULL};
	static const char *const xref_attrs[] = {"nETBIOSName", "dnsRoot",
	                                         NULL};
	char *default_nc = NULL, *config_nc = NULL, *dns = NULL;
	char *base = NULL, *filter = NULL;
	struct berval in, esc = {0, NULL};
	size_t n;
	int rc;

	j->st.name = xstrdup(j->name);
	j->st.source = xstrdup(j->uri);
	if ((rc = set_options(j)) < 0 || (rc = do_bind(j)) < 0 ||
	    (rc = read_rootdse(j, &default_nc, &config_nc)) < 0)
		goto out;
	read_ahead(j);
	if (default_nc != NULL) {
		if (prov_dn_domain(&dns, &j->st.dn, default_nc, true, &j->err) <
		            0 ||
		    strcmp(dns, j->name) != 0) {
			rc = err_set(&j->err, ERR_INVALID,
			             "domain '%s' (%s): the server's default "
			             "naming context is '%s'",
			             j->name, j->uri, default_nc);
			goto out;
		}
	} else {
		/* not AD (slapd in tests): the DN follows from the name */
		j->st.dn = prov_dns_to_dn(j->name);
	}
	if ((rc = search_ident(j, j->st.dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	                       dom_attrs, PROV_IDENT_DOMAIN, &n)) < 0)
		goto out;
	if (config_nc != NULL) {
		in.bv_val = j->st.dn;
		in.bv_len = strlen(j->st.dn);
		if (ldap_bv2escaped_filter_value(&in, &esc) != 0) {
			rc = err_set(&j->err, ERR_FAIL, "out of memory");
			goto out;
		}
		base = xasprintf("CN=Partitions,%s", config_nc);
		filter = xasprintf("(&(objectClass=crossRef)(nCName=%s))",
		                   esc.bv_val);
		if ((rc = search_ident(j, base, LDAP_SCOPE_ONELEVEL, filter,
		                       xref_attrs, PROV_IDENT_CROSSREF, &n)) <
		    0)
			goto out;
		free(base);
	}
	base = xasprintf("CN=System,%s", j->st.dn);
	if ((rc = read_tdos(j, base)) < 0)
		goto out;
	prov_sort_tdos(&j->st);
	if ((rc = prov_check_tdos(&n, &j->st, &j->err)) < 0)
		goto out;
	if (j->st.vendor == NULL)
		j->st.vendor = xstrdup(""); /* Windows has no vendorName */
	rc = 0;
out:
	ber_memfree(esc.bv_val);
	free(default_nc);
	free(config_nc);
	free(dns);
	free(base);
	free(filter);
	return rc;
}

static void *
job_main(void *arg)
{
	struct job *j = arg;
	int64_t t0 = trace_now_ms();

	j->rc = read_domain(j);
	/* done with the server: close here, in parallel with the others */
	if (j->ld != NULL) {
		ldap_unbind_ext_s(j->ld, NULL, NULL);
		j->ld = NULL;
	}
	if (j->rc == 0)
		trace_log(j->trace,
		          "ldap %s (%s): domain read: %lld ms, %zu "
		          "trust object%s",
		          j->host != NULL ? j->host : j->uri, j->name,
		          (long long)(trace_now_ms() - t0), j->st.n_tdos,
		          j->st.n_tdos == 1 ? "" : "s");
	return NULL;
}

static void
job_release(struct job *j)
{
	model_secret_free(j->password); /* wipes */
	if (j->ld != NULL)
		ldap_unbind_ext_s(j->ld, NULL, NULL);
	model_domain_state_release(&j->st);
	free(j->name);
	free(j->host);
}

/* Everything that needs no network, in the calling thread. */
static int
job_prepare(struct job *j, const struct prov_ldap *p, const char *name,
            struct err *err)
{
	const struct model_domain *d = model_domain_find(p->model, name);
	const struct model_credential *c = NULL;
	char what[300];
	int rc;

	j->name = xstrdup(name);
	for (char *s = j->name; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	j->timeout_ms = p->timeout_ms;
	j->trace = p->trace;
	j->st.functional_level = -1;
	if (d == NULL)
		return err_set(err, ERR_NOTFOUND, "domain '%s' is not declared",
		               name);
	if (d->ldap == NULL)
		return err_set(err, ERR_INVALID, "domain '%s' has no ldap URI",
		               name);
	j->uri = d->ldap;
	{
		LDAPURLDesc *u = NULL;

		if (ldap_url_parse(j->uri, &u) == LDAP_URL_SUCCESS &&
		    u->lud_host != NULL && u->lud_host[0] != '\0')
			j->host = xstrdup(u->lud_host);
		ldap_free_urldesc(u);
	}
	if (d->credentials != NULL &&
	    (c = model_cred_find(p->model, d->credentials)) == NULL)
		return err_set(err, ERR_NOTFOUND,
		               "domain '%s': unknown credentials '%s'", name,
		               d->credentials);
	if ((rc = prov_ldap_bind_policy(&j->bind, d, c, err)) < 0)
		return rc;
	if (j->bind == PROV_BIND_GSSAPI)
		j->ccache = c->ccache;
	if (j->bind == PROV_BIND_SIMPLE_LDAPS ||
	    j->bind == PROV_BIND_SIMPLE_STARTTLS) {
		if (c->user == NULL || c->password == NULL)
			return err_set(err, ERR_INVALID,
			               "domain '%s': credentials '%s' need a "
			               "user and a password",
			               name, c->name);
		j->user = c->user;
		snprintf(what, sizeof(what), "password of '%s'", c->user);
		if ((rc = model_secret_get(p->secrets, &j->password,
		                           c->password, what, err)) < 0)
			return err_prefix(err, "domain '%s'", name);
	}
	if ((rc = ldap_initialize(&j->ld, j->uri)) != LDAP_SUCCESS) {
		j->ld = NULL;
		err_set(err, ERR_INVALID, "domain '%s': bad ldap URI '%s': %s",
		        name, j->uri, ldap_err2string(rc));
		err->sys = rc;
		return ERR_INVALID;
	}
	return 0;
}

static int
ldap_read(struct prov *prov, const char *const *domains, size_t n,
          struct model_state *out, struct err *err)
{
	struct prov_ldap *p = to_ldap(prov);
	struct job *jobs = xcalloc(n > 0 ? n : 1, sizeof(*jobs));
	pthread_t *th = xcalloc(n > 0 ? n : 1, sizeof(*th));
	bool *started = xcalloc(n > 0 ? n : 1, sizeof(*started));
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct model_domain *d =
		        model_domain_find(p->model, domains[i]);

		if (d != NULL && d->kind == MODEL_KIND_MIT_REALM) {
			jobs[i].realm = true;
			jobs[i].name = xstrdup(domains[i]);
			continue;
		}
		if ((rc = job_prepare(&jobs[i], p, domains[i], err)) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		started[i] =
		        !jobs[i].realm &&
		        pthread_create(&th[i], NULL, job_main, &jobs[i]) == 0;
	for (size_t i = 0; i < n; i++) {
		struct prov_cfg kc = {.model = p->model,
		                      .secrets = p->secrets,
		                      .trace = p->trace};

		if (started[i])
			pthread_join(th[i], NULL);
		else if (jobs[i].realm) /* the MIT half: its kadmind */
			jobs[i].rc = prov_kadm_read_realm(
			        &jobs[i].st, &kc, jobs[i].name, &jobs[i].err);
		else
			job_main(&jobs[i]); /* no thread: read it here */
	}
	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc < 0) {
			*err = jobs[i].err;
			rc = jobs[i].rc;
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		*model_state_add(out) = jobs[i].st;
		memset(&jobs[i].st, 0, sizeof(jobs[i].st));
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		job_release(&jobs[i]);
	free(jobs);
	free(th);
	free(started);
	return rc;
}

const struct prov_ops prov_ldap_ops = {
        .name = "ldap",
        .caps = PROV_CAN_READ,
        .open = ldap_open,
        .read = ldap_read,
        .close = ldap_close,
};
