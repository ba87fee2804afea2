/*
 * MS-LSAD / MS-NRPC calls through Samba's public DCE/RPC client libraries.
 *
 * Facts this file depends on (notes/lsa-from-c.md, all verified there):
 * - trust writes need ncacn_np (OpenPolicy2 over ncacn_ip_tcp is refused)
 *   and no DCE/RPC-level sign/seal, because the auth blob is encrypted
 *   with the SMB session key; "client smb encrypt = required" protects the
 *   whole SMB3 session instead;
 * - Samba's Kerberos code runs nested event loops: without
 *   tevent_loop_allow_nesting() tevent abort()s;
 * - a loadparm context per session (loadparm_init), not the global one;
 * - the typed stubs are private, so calls go through
 *   dcerpc_binding_handle_call() with opnums looked up by name;
 * - dom_sid_parse/dom_sid_string are private: SIDs are converted here;
 * - Samba's own statuses for a failed connect mislead (a refused port is
 *   NT_STATUS_NO_MEMORY, an unknown host NT_STATUS_OBJECT_NAME_NOT_FOUND),
 *   so a failed connect asks the network why (probe.c) and says it in
 *   words, naming the DC and its domain.
 */
#include "providers/lsa_helper/helper.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/lsa_proto.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SID_TEXT 192
#define SMB_PORT 445
/*
 * The probe's TCP connect: three SYNs.  Samba's own connect to a host that
 * drops packets takes 60 s, longer than adtrust's default request timeout.
 */
#define PROBE_MS 5000

/* REDISCOVER's answer when the partner's DC refuses the new channel */
#define PARTNER_REFUSED                                                        \
	"the partner's DC refused the new secure channel: do both sides "      \
	"have the same trust password?"
/* a name no DC has a trust with, for the administrator check */
#define NO_SUCH_PARTNER "adtrust-admin-check.invalid"

/*
 * The rights a session that writes trusts needs on the LSA policy, as
 * samba-tool domain trust create/delete request them (netcmd/domain.py).
 * Samba's server does not check them per call: OpenPolicy2 checks them
 * against the policy's security descriptor, which grants them to
 * BUILTIN\Administrators only (source4/rpc_server/lsa/lsa_init.c,
 * DCESRV_LSA_POLICY_SD_SDDL), and the writes then run under the user's
 * directory ACLs.  A Windows DC wants POLICY_TRUST_ADMIN on the policy
 * handle to create a trust (MS-LSAD 3.1.4.7.10).
 */
#define WRITE_ACCESS                                                           \
	(LSA_POLICY_VIEW_LOCAL_INFORMATION | LSA_POLICY_TRUST_ADMIN |          \
	 LSA_POLICY_CREATE_SECRET)

/* ---- errors ---- */

static enum err_code
nt_code(NTSTATUS st)
{
	if (NT_STATUS_EQUAL(st, NT_STATUS_OBJECT_NAME_NOT_FOUND) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NO_SUCH_DOMAIN) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NOT_FOUND))
		return ERR_NOTFOUND;
	if (NT_STATUS_EQUAL(st, NT_STATUS_OBJECT_NAME_COLLISION))
		return ERR_CONFLICT;
	if (NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_DISCONNECTED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_RESET) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_IO_TIMEOUT) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_PIPE_BROKEN))
		return ERR_IO;
	return ERR_BACKEND;
}

/* What a status means for the user, for the few that need saying. */
static const char *
nt_words(NTSTATUS st)
{
	/* not static: NT_STATUS() is a compound literal */
	const struct {
		NTSTATUS st;
		const char *words;
	} w[] = {
	        {NT_STATUS_ACCESS_DENIED, "not allowed for this account"},
	        {NT_STATUS_LOGON_FAILURE, "wrong user name or password"},
	        {NT_STATUS_WRONG_PASSWORD, "wrong user name or password"},
	        {NT_STATUS_NO_SUCH_USER, "wrong user name or password"},
	        {NT_STATUS_ACCOUNT_LOCKED_OUT, "the account is locked out"},
	        {NT_STATUS_ACCOUNT_DISABLED, "the account is disabled"},
	        {NT_STATUS_ACCOUNT_EXPIRED, "the account has expired"},
	        {NT_STATUS_PASSWORD_EXPIRED, "the password has expired"},
	        {NT_STATUS_PASSWORD_MUST_CHANGE,
	         "the password must be changed"},
	        {NT_STATUS_NO_LOGON_SERVERS,
	         "no logon server for the account's domain"},
	        {NT_STATUS_TIME_DIFFERENCE_AT_DC,
	         "the clocks of this host and the DC differ"},
	        {NT_STATUS_IO_TIMEOUT, "the DC did not answer in time"},
	        {NT_STATUS_CONNECTION_DISCONNECTED,
	         "the DC closed the connection"},
	        {NT_STATUS_LOCAL_DISCONNECT, "the DC closed the connection"},
	        {NT_STATUS_REMOTE_DISCONNECT, "the DC closed the connection"},
	        {NT_STATUS_CONNECTION_RESET, "the DC reset the connection"},
	        {NT_STATUS_PIPE_BROKEN, "the connection to the DC broke"},
	        {NT_STATUS_PIPE_DISCONNECTED, "the connection to the DC broke"},
	        {NT_STATUS_END_OF_FILE, "the connection to the DC broke"},
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (NT_STATUS_EQUAL(st, w[i].st))
			return w[i].words;
	return NULL;
}

static void
set_status(struct lsa_msg *rep, uint32_t v, uint32_t kind, const char *name)
{
	rep->status = v;
	rep->status_kind = kind;
	free(rep->status_name);
	rep->status_name = xstrdup(name);
}

/*
 * Records st in the reply and sets "<what>: NT_STATUS_..." in err, with
 * what it means in parentheses when nt_words knows.
 */
static int __attribute__((format(printf, 4, 5)))
fail_nt(struct lsa_msg *rep, struct err *err, NTSTATUS st, const char *fmt, ...)
{
	const char *words = nt_words(st);
	char what[384];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_status(rep, NT_STATUS_V(st), LSA_STATUS_NTSTATUS, nt_errstr(st));
	rc = err_set(err, nt_code(st), "%s: %s%s%s%s", what, nt_errstr(st),
	             words ? " (" : "", words ? words : "", words ? ")" : "");
	err->sys = (int)NT_STATUS_V(st);
	return rc;
}

/* What a NETLOGON answer means, for the few that need saying. */
static const char *
wr_words(WERROR w, uint32_t function)
{
	if (W_ERROR_EQUAL(w, WERR_NO_SUCH_DOMAIN))
		return "the DC knows no trust by that name";
	if (W_ERROR_EQUAL(w, WERR_ACCESS_DENIED))
		return "needs an administrator of the DC's domain";
	if (W_ERROR_EQUAL(w, WERR_NO_LOGON_SERVERS))
		return "no DC of the partner answered";
	if (function == NETLOGON_CONTROL_REDISCOVER &&
	    (W_ERROR_EQUAL(w, WERR_ACCOUNT_DISABLED) ||
	     W_ERROR_EQUAL(w, WERR_TRUST_FAILURE) ||
	     W_ERROR_EQUAL(w, WERR_NO_TRUST_SAM_ACCOUNT) ||
	     W_ERROR_EQUAL(w, WERR_WRONG_PASSWORD)))
		return PARTNER_REFUSED;
	return NULL;
}

/* As fail_nt for a WERROR; words (may be NULL) say what it means. */
static int __attribute__((format(printf, 5, 6)))
fail_wr(struct lsa_msg *rep, struct err *err, WERROR w, const char *words,
        const char *fmt, ...)
{
	char what[384];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_status(rep, W_ERROR_V(w), LSA_STATUS_WERROR, win_errstr(w));
	rc = err_set(err, ERR_BACKEND, "%s: %s%s%s%s", what, win_errstr(w),
	             words ? " (" : "", words ? words : "", words ? ")" : "");
	err->sys = (int)W_ERROR_V(w);
	return rc;
}

/* ---- plumbing ---- */

/* Transport status first; the call's own status is in r->out.result. */
static NTSTATUS
call(struct dcerpc_pipe *p, const struct ndr_interface_table *t, const char *fn,
     TALLOC_CTX *mem, void *r)
{
	for (uint32_t i = 0; i < t->num_calls; i++)
		if (strcmp(t->calls[i].name, fn) == 0)
			return dcerpc_binding_handle_call(p->binding_handle,
			                                  NULL, t, i, mem, r);
	return NT_STATUS_PROCEDURE_NOT_FOUND;
}

#define RES(st, r) (NT_STATUS_IS_OK(st) ? (r).out.result : (st))

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Host names only: keeps option syntax ("[...]") out of the binding. */
static bool
valid_host(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 255)
		return false;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

static bool
sid_parse(const char *s, struct dom_sid *sid)
{
	unsigned long long v;
	const char *p;
	char *end;

	memset(sid, 0, sizeof(*sid));
	if (s == NULL || strncasecmp(s, "S-1-", 4) != 0)
		return false;
	sid->sid_rev_num = 1;
	p = s + 4;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno != 0 || v > 0xffffffffffffull)
		return false;
	for (int i = 0; i < 6; i++)
		sid->id_auth[5 - i] = (uint8_t)(v >> (8 * i));
	while (*end == '-') {
		p = end + 1;
		if (sid->num_auths >= 15 || *p < '0' || *p > '9')
			return false;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno != 0 || v > 0xffffffffull)
			return false;
		sid->sub_auths[sid->num_auths++] = (uint32_t)v;
	}
	return *end == '\0' && sid->num_auths > 0;
}

static char *
sid_text(const struct dom_sid *sid)
{
	char buf[SID_TEXT];
	unsigned long long ia = 0;
	size_t n;

	if (sid == NULL)
		return NULL;
	for (int i = 0; i < 6; i++)
		ia = ia << 8 | sid->id_auth[i];
	n = (size_t)snprintf(buf, sizeof(buf), "S-%u-%llu",
	                     (unsigned)sid->sid_rev_num, ia);
	for (int i = 0; i < sid->num_auths && i < 15 && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "-%" PRIu32,
		                      sid->sub_auths[i]);
	return xstrdup(buf);
}

static int
need(const char *v, const char *what, struct err *err)
{
	if (v == NULL || *v == '\0')
		return err_set(err, ERR_INVALID, "request lacks the %s", what);
	return 0;
}

/* ---- session ---- */

static int
make_creds(struct hsess *s, const struct lsa_msg *req, struct err *err)
{
	const char *errstr = NULL;
	const char *cc;

	s->creds = cli_credentials_init(s);
	if (s->creds == NULL)
		return err_set(err, ERR_FAIL, "out of memory");
	cli_credentials_set_conf(s->creds, s->lp);
	if (req->user == NULL) {
		cc = req->ccache != NULL ? req->ccache : getenv("KRB5CCNAME");
		s->ccache = talloc_strdup(s, cc ? cc : "(default)");
		cli_credentials_set_kerberos_state(
		        s->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
		if (cli_credentials_set_ccache(s->creds, s->lp, cc,
		                               CRED_SPECIFIED, &errstr) != 0)
			return err_set(err, ERR_BACKEND,
			               "cannot use Kerberos ccache '%s' for "
			               "'%s': %s",
			               cc ? cc : "(default)", req->server,
			               errstr ? errstr : "unknown error");
		return 0;
	}
	if (strchr(req->user, '%') != NULL || req->password == NULL)
		return err_set(err, ERR_INVALID,
		               "login for '%s': need a user name without '%%' "
		               "and a password",
		               req->server);
	cli_credentials_parse_string(s->creds, req->user, CRED_SPECIFIED);
	if (strchr(req->user, '@') == NULL && req->realm != NULL)
		cli_credentials_set_realm(s->creds, req->realm, CRED_SPECIFIED);
	cli_credentials_set_password(s->creds, req->password, CRED_SPECIFIED);
	cli_credentials_set_kerberos_state(s->creds, CRED_USE_KERBEROS_DESIRED,
	                                   CRED_SPECIFIED);
	return 0;
}

/* "'dcb.b.test' (DC of b.test)", or just the quoted DC when unknown. */
static const char *
dc_text(struct hsess *s)
{
	if (s->domain == NULL)
		return talloc_asprintf(s, "'%s'", s->server);
	return talloc_asprintf(s, "'%s' (DC of %s)", s->server, s->domain);
}

/* "cannot reach 'dcb.b.test' (DC of b.test): <why>", Samba's status kept. */
static int
unreachable(struct hsess *s, NTSTATUS st, const char *why, struct lsa_msg *rep,
            struct err *err)
{
	int rc;

	set_status(rep, NT_STATUS_V(st), LSA_STATUS_NTSTATUS, nt_errstr(st));
	rc = err_set(err, ERR_IO, "cannot reach %s: %s", dc_text(s), why);
	err->sys = (int)NT_STATUS_V(st);
	return rc;
}

/*
 * A failed connect in words: first whether the DC can be reached at all
 * (Samba's status does not say), then what the DC said about the login.
 */
static int
connect_failed(struct hsess *s, NTSTATUS st, struct lsa_msg *rep,
               struct err *err)
{
	const char *dc = dc_text(s), *who, *words;
	char why[200];
	int rc;

	if (h_unreachable(s->server, SMB_PORT, PROBE_MS, why, sizeof(why)))
		return unreachable(s, st, why, rep, err);
	who = cli_credentials_get_principal(s->creds, s);
	/* Samba's word for "no ticket" or a ccache without a principal */
	if (s->ccache != NULL &&
	    (who == NULL || NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER)))
		return fail_nt(
		        rep, err, st,
		        "cannot connect to %s with Kerberos ccache '%s': "
		        "no usable ticket (kinit?)",
		        dc, s->ccache);
	if (who == NULL)
		who = "?";
	/* the login's verdict first, the status after it */
	if ((words = nt_words(st)) != NULL) {
		set_status(rep, NT_STATUS_V(st), LSA_STATUS_NTSTATUS,
		           nt_errstr(st));
		rc = err_set(err, nt_code(st),
		             "cannot connect to %s as '%s': %s (%s)", dc, who,
		             words, nt_errstr(st));
		err->sys = (int)NT_STATUS_V(st);
		return rc;
	}
	return fail_nt(rep, err, st, "cannot connect to %s as '%s'", dc, who);
}

static int
connect_pipe(struct hsess *s, const struct ndr_interface_table *t,
             struct dcerpc_pipe **out, struct lsa_msg *rep, struct err *err)
{
	char *binding = talloc_asprintf(s, "ncacn_np:%s", s->server);
	NTSTATUS st;

	if (binding == NULL)
		return err_set(err, ERR_FAIL, "out of memory");
	st = dcerpc_pipe_connect(s, out, binding, t, s->creds, s->ev, s->lp);
	talloc_free(binding);
	if (!NT_STATUS_IS_OK(st)) {
		*out = NULL;
		return connect_failed(s, st, rep, err);
	}
	return 0;
}

static void
close_handle(struct hsess *s, TALLOC_CTX *mem, struct policy_handle *h)
{
	struct lsa_Close r;

	memset(&r, 0, sizeof(r));
	r.in.handle = h;
	r.out.handle = h;
	call(s->lsa, &ndr_table_lsarpc, "lsa_Close", mem, &r);
}

/* OpenPolicy2 with the given access; the handle goes to *pol. */
static NTSTATUS
open_policy(struct hsess *s, uint32_t access, struct policy_handle *pol)
{
	struct lsa_QosInfo qos = {.impersonation_level = 2, .context_mode = 1};
	struct lsa_ObjectAttribute attr = {.sec_qos = &qos};
	struct lsa_OpenPolicy2 r;
	NTSTATUS st;

	memset(&r, 0, sizeof(r));
	r.in.system_name = "\\";
	r.in.attr = &attr;
	r.in.access_mask = access;
	r.out.handle = pol;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_OpenPolicy2", s, &r);
	return RES(st, r);
}

/*
 * The policy handle of the session.  A session that writes asks for the
 * write rights on top of all it may have (MAXIMUM_ALLOWED | WRITE_ACCESS:
 * Samba's and Windows' access check then grants the maximum and fails
 * unless the write rights are in it), so an account that may only read is
 * refused here, before any write, and told so in one sentence.
 */
static int
open_session_policy(struct hsess *s, bool write, struct lsa_msg *rep,
                    struct err *err)
{
	struct policy_handle ro;
	const char *who;
	NTSTATUS st;
	int rc;

	if (!write) {
		st = open_policy(s, SEC_FLAG_MAXIMUM_ALLOWED, &s->pol);
		if (!NT_STATUS_IS_OK(st))
			return fail_nt(rep, err, st, "OpenPolicy2 on %s",
			               dc_text(s));
		return 0;
	}
	st = open_policy(s, SEC_FLAG_MAXIMUM_ALLOWED | WRITE_ACCESS, &s->pol);
	if (NT_STATUS_IS_OK(st))
		return 0;
	memset(&s->pol, 0, sizeof(s->pol));
	if (!NT_STATUS_EQUAL(st, NT_STATUS_ACCESS_DENIED))
		return fail_nt(rep, err, st, "OpenPolicy2 for writing on %s",
		               dc_text(s));
	who = cli_credentials_get_principal(s->creds, s);
	if (who == NULL)
		who = "?";
	memset(&ro, 0, sizeof(ro));
	if (!NT_STATUS_IS_OK(open_policy(s, SEC_FLAG_MAXIMUM_ALLOWED, &ro)))
		return fail_nt(rep, err, st,
		               "account '%s' on '%s' may neither read nor "
		               "write trusts",
		               who, s->server);
	close_handle(s, s, &ro);
	set_status(rep, NT_STATUS_V(st), LSA_STATUS_NTSTATUS, nt_errstr(st));
	rc = err_set(err, ERR_DENIED,
	             "account '%s' on '%s' may read but not write trusts "
	             "(needs POLICY_TRUST_ADMIN and POLICY_CREATE_SECRET on "
	             "the LSA policy, as BUILTIN\\Administrators have)",
	             who, s->server);
	err->sys = (int)NT_STATUS_V(st);
	return rc;
}

int
h_login(struct hsess **out, const struct lsa_msg *req, struct lsa_msg *rep,
        struct err *err)
{
	struct hsess *s = NULL;
	char why[200];
	NTSTATUS st;
	int rc;

	*out = NULL;
	if (!valid_host(req->server)) {
		rc = err_set(err, ERR_INVALID,
		             "login: the server must be a DNS host name");
		goto out;
	}
	if ((req->login_flags & ~(uint32_t)LSA_LOGIN_WRITE) != 0) {
		rc = err_set(err, ERR_INVALID, "login: unknown flags 0x%x",
		             (unsigned)req->login_flags);
		goto out;
	}
	if ((s = talloc_zero(NULL, struct hsess)) == NULL) {
		rc = err_set(err, ERR_FAIL, "out of memory");
		goto out;
	}
	s->mem = s;
	s->server = talloc_strdup(s, req->server);
	if (req->realm != NULL && req->realm[0] != '\0' &&
	    (s->domain = talloc_strdup(s, req->realm)) != NULL)
		for (char *p = s->domain; *p; p++) /* the realm's DNS name */
			*p = (char)tolower((unsigned char)*p);
	st = dcerpc_init();
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st, "dcerpc_init");
		goto out;
	}
	/* per session: the global loadparm grows with every connection */
	s->lp = loadparm_init(s);
	s->ev = tevent_context_init(s);
	if (s->server == NULL || s->lp == NULL || s->ev == NULL) {
		rc = err_set(err, ERR_FAIL, "out of memory");
		goto out;
	}
	lpcfg_set_cmdline(s->lp, "client smb encrypt", "required");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	tevent_loop_allow_nesting(s->ev);
#pragma GCC diagnostic pop
	if ((rc = make_creds(s, req, err)) < 0)
		goto out;
	/*
	 * One TCP connect first: an unknown name or a dead DC is said at
	 * once, where Samba takes 3 s to give up on a name and 60 s on a
	 * host that drops packets, and then reports a refused port as
	 * NT_STATUS_NO_MEMORY.
	 */
	if (h_unreachable(s->server, SMB_PORT, PROBE_MS, why, sizeof(why))) {
		rc = unreachable(s, NT_STATUS_HOST_UNREACHABLE, why, rep, err);
		goto out;
	}
	if ((rc = connect_pipe(s, &ndr_table_lsarpc, &s->lsa, rep, err)) < 0)
		goto out;
	if ((rc = open_session_policy(s, req->login_flags & LSA_LOGIN_WRITE,
	                              rep, err)) < 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	h_close(s);
	return rc;
}

void
h_close(struct hsess *s)
{
	struct lsa_Close r;

	if (s == NULL)
		return;
	if (s->lsa != NULL && !ndr_policy_handle_empty(&s->pol)) {
		memset(&r, 0, sizeof(r));
		r.in.handle = &s->pol;
		r.out.handle = &s->pol;
		call(s->lsa, &ndr_table_lsarpc, "lsa_Close", s, &r);
	}
	talloc_free(s);
}

/* ---- LSA helpers ---- */

static NTSTATUS
query_by_name(struct hsess *s, TALLOC_CTX *mem, const char *name,
              enum lsa_TrustDomInfoEnum level,
              union lsa_TrustedDomainInfo **out)
{
	struct lsa_String n = {.string = name};
	struct lsa_QueryTrustedDomainInfoByName r;
	NTSTATUS st;

	memset(&r, 0, sizeof(r));
	r.in.handle = &s->pol;
	r.in.trusted_domain = &n;
	r.in.level = level;
	r.out.info = out;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_QueryTrustedDomainInfoByName",
	          mem, &r);
	return RES(st, r);
}

static NTSTATUS
open_tdo(struct hsess *s, TALLOC_CTX *mem, const char *name, uint32_t access,
         struct policy_handle *tdo)
{
	struct lsa_OpenTrustedDomainByName r;
	NTSTATUS st;

	memset(&r, 0, sizeof(r));
	r.in.handle = &s->pol;
	r.in.name.string = name;
	r.in.access_mask = access;
	r.out.trustdom_handle = tdo;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_OpenTrustedDomainByName", mem,
	          &r);
	return RES(st, r);
}

static NTSTATUS
set_tdo(struct hsess *s, TALLOC_CTX *mem, struct policy_handle *tdo,
        enum lsa_TrustDomInfoEnum level, union lsa_TrustedDomainInfo *info)
{
	struct lsa_SetInformationTrustedDomain r;
	NTSTATUS st;

	memset(&r, 0, sizeof(r));
	r.in.trustdom_handle = tdo;
	r.in.level = level;
	r.in.info = info;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_SetInformationTrustedDomain",
	          mem, &r);
	return RES(st, r);
}

static NTSTATUS
delete_handle(struct hsess *s, TALLOC_CTX *mem, struct policy_handle *h)
{
	struct lsa_DeleteObject r;
	NTSTATUS st;

	memset(&r, 0, sizeof(r));
	r.in.handle = h;
	r.out.handle = h;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_DeleteObject", mem, &r);
	return RES(st, r);
}

/* Reply records from Samba's representation; timestamps as LE u64. */
static int
records_from_lsa(struct lsa_msg *rep,
                 const struct lsa_ForestTrustInformation *f, struct err *err)
{
	if (f == NULL || f->count == 0)
		return 0;
	if (f->count > FTI_MAX_RECORDS)
		return err_set(err, ERR_BACKEND,
		               "server returned %" PRIu32 " records", f->count);
	rep->rec = xcalloc(f->count, sizeof(*rep->rec));
	for (uint32_t i = 0; i < f->count; i++) {
		const struct lsa_ForestTrustRecord *e = f->entries[i];
		struct fti_record *x = &rep->rec[rep->nrec];

		if (e == NULL)
			continue;
		rep->nrec++;
		x->type = (uint8_t)e->type;
		x->flags = e->flags;
		for (int b = 0; b < 8; b++)
			x->ts[b] = (uint8_t)(e->time >> (8 * b));
		switch (e->type) {
		case LSA_FOREST_TRUST_TOP_LEVEL_NAME:
			x->name = dup_or_null(
			        e->forest_trust_data.top_level_name.string);
			break;
		case LSA_FOREST_TRUST_TOP_LEVEL_NAME_EX:
			x->name = dup_or_null(
			        e->forest_trust_data.top_level_name_ex.string);
			break;
		case LSA_FOREST_TRUST_DOMAIN_INFO: {
			const struct lsa_ForestTrustDomainInfo *d =
			        &e->forest_trust_data.domain_info;

			x->name = dup_or_null(d->dns_domain_name.string);
			x->netbios = dup_or_null(d->netbios_domain_name.string);
			x->sid = sid_text(d->domain_sid);
			break;
		}
		default:
			x->raw_len = e->forest_trust_data.data.length;
			if (x->raw_len > 0) {
				x->raw = xmalloc(x->raw_len);
				memcpy(x->raw, e->forest_trust_data.data.data,
				       x->raw_len);
			}
			break;
		}
	}
	return 0;
}

static int
records_to_lsa(TALLOC_CTX *mem, const struct lsa_msg *req,
               struct lsa_ForestTrustInformation *f, uint32_t *highest,
               struct err *err)
{
	*highest = LSA_FOREST_TRUST_DOMAIN_INFO;
	f->count = 0;
	f->entries = talloc_zero_array(mem, struct lsa_ForestTrustRecord *,
	                               req->nrec ? req->nrec : 1);
	if (f->entries == NULL)
		return err_set(err, ERR_FAIL, "out of memory");
	for (size_t i = 0; i < req->nrec; i++) {
		const struct fti_record *x = &req->rec[i];
		struct lsa_ForestTrustRecord *e =
		        talloc_zero(mem, struct lsa_ForestTrustRecord);
		struct lsa_ForestTrustDomainInfo *d;

		if (e == NULL)
			return err_set(err, ERR_FAIL, "out of memory");
		e->type = (enum lsa_ForestTrustRecordType)x->type;
		e->flags = x->flags;
		for (int b = 7; b >= 0; b--)
			e->time = e->time << 8 | x->ts[b];
		switch (x->type) {
		case FTI_TLN:
		case FTI_TLN_EX:
			if (need(x->name, "record name", err) < 0)
				return err_prefix(err, "record %zu", i);
			if (x->type == FTI_TLN)
				e->forest_trust_data.top_level_name.string =
				        x->name;
			else
				e->forest_trust_data.top_level_name_ex.string =
				        x->name;
			break;
		case FTI_DOMAIN:
			d = &e->forest_trust_data.domain_info;
			d->domain_sid = talloc_zero(mem, struct dom_sid);
			if (d->domain_sid == NULL ||
			    !sid_parse(x->sid, d->domain_sid))
				return err_set(err, ERR_INVALID,
				               "record %zu: bad domain SID", i);
			if (need(x->name, "record dns name", err) < 0 ||
			    need(x->netbios, "record netbios name", err) < 0)
				return err_prefix(err, "record %zu", i);
			d->dns_domain_name.string = x->name;
			d->netbios_domain_name.string = x->netbios;
			break;
		default:
			e->forest_trust_data.data.length = (uint32_t)x->raw_len;
			e->forest_trust_data.data.data = x->raw;
			if (x->type > *highest)
				*highest = x->type;
			break;
		}
		f->entries[f->count++] = e;
	}
	return 0;
}

/* ---- operations ---- */

int
h_info(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
       struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	union lsa_PolicyInformation *info = NULL;
	struct lsa_QueryInfoPolicy2 r;
	NTSTATUS st;
	int rc = 0;

	(void)req;
	memset(&r, 0, sizeof(r));
	r.in.handle = &s->pol;
	r.in.level = LSA_POLICY_INFO_DNS;
	r.out.info = &info;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_QueryInfoPolicy2", mem, &r);
	if (!NT_STATUS_IS_OK(RES(st, r)) || info == NULL) {
		rc = fail_nt(rep, err, RES(st, r), "QueryInfoPolicy2 on '%s'",
		             s->server);
		goto out;
	}
	rep->name = dup_or_null(info->dns.dns_domain.string);
	rep->netbios = dup_or_null(info->dns.name.string);
	rep->sid = sid_text(info->dns.sid);
	rep->forest = dup_or_null(info->dns.dns_forest.string);
out:
	talloc_free(mem);
	return rc;
}

int
h_query_tdo(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
            struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	union lsa_TrustedDomainInfo *ti = NULL, *et = NULL;
	const struct lsa_TrustDomainInfoInfoEx *x;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	st = query_by_name(s, mem, req->name, LSA_TRUSTED_DOMAIN_INFO_INFO_EX,
	                   &ti);
	if (!NT_STATUS_IS_OK(st) || ti == NULL) {
		rc = fail_nt(rep, err, st, "trust '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	st = query_by_name(s, mem, req->name,
	                   LSA_TRUSTED_DOMAIN_SUPPORTED_ENCRYPTION_TYPES, &et);
	if (!NT_STATUS_IS_OK(st) || et == NULL) {
		rc = fail_nt(rep, err, st,
		             "encryption types of trust '%s' on '%s'",
		             req->name, s->server);
		goto out;
	}
	x = &ti->info_ex;
	rep->name = dup_or_null(x->domain_name.string);
	rep->netbios = dup_or_null(x->netbios_name.string);
	rep->sid = sid_text(x->sid);
	rep->direction = x->trust_direction;
	rep->trust_type = (uint32_t)x->trust_type;
	rep->attributes = x->trust_attributes;
	rep->enctypes = et->enc_types.enc_types;
out:
	talloc_free(mem);
	return rc;
}

int
h_create_tdo(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
             struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	struct lsa_TrustDomainInfoInfoEx info;
	struct lsa_TrustDomainInfoAuthInfoInternal ai;
	struct lsa_CreateTrustedDomainEx2 r;
	union lsa_TrustedDomainInfo enc;
	struct policy_handle tdo;
	struct dom_sid sid;
	DATA_BLOB blob = data_blob_null;
	bool have_tdo = false;
	NTSTATUS st, st2;
	int rc;

	memset(&tdo, 0, sizeof(tdo));
	if ((rc = need(req->name, "trust name", err)) < 0 ||
	    (rc = need(req->netbios, "NetBIOS name", err)) < 0 ||
	    (rc = need(req->password, "trust password", err)) < 0)
		goto out;
	/* an MIT realm has no SID (MS-ADTS 6.1.6.7.8): the DC decides */
	if (req->sid != NULL && req->sid[0] != '\0' &&
	    !sid_parse(req->sid, &sid)) {
		rc = err_set(err, ERR_INVALID, "create '%s': bad domain SID",
		             req->name);
		goto out;
	}
	if ((rc = h_auth_blob(mem, s->lsa, req->direction, req->password, &blob,
	                      err)) < 0) {
		err_prefix(err, "create '%s' on '%s'", req->name, s->server);
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.domain_name.string = req->name;
	info.netbios_name.string = req->netbios;
	info.sid = req->sid != NULL && req->sid[0] != '\0' ? &sid : NULL;
	info.trust_direction = req->direction;
	info.trust_type = (enum lsa_TrustType)req->trust_type;
	info.trust_attributes = req->attributes;
	memset(&ai, 0, sizeof(ai));
	ai.auth_blob.size = (uint32_t)blob.length;
	ai.auth_blob.data = blob.data;
	memset(&r, 0, sizeof(r));
	r.in.policy_handle = &s->pol;
	r.in.info = &info;
	r.in.auth_info_internal = &ai;
	r.in.access_mask = LSA_TRUSTED_DOMAIN_ALL_ACCESS;
	r.out.trustdom_handle = &tdo;
	st = call(s->lsa, &ndr_table_lsarpc, "lsa_CreateTrustedDomainEx2", mem,
	          &r);
	if (!NT_STATUS_IS_OK(RES(st, r))) {
		rc = fail_nt(rep, err, RES(st, r),
		             "CreateTrustedDomainEx2 '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	have_tdo = true;
	if (req->enctypes != 0) {
		memset(&enc, 0, sizeof(enc));
		enc.enc_types.enc_types = req->enctypes;
		st = set_tdo(s, mem, &tdo,
		             LSA_TRUSTED_DOMAIN_SUPPORTED_ENCRYPTION_TYPES,
		             &enc);
		if (!NT_STATUS_IS_OK(st)) {
			/* no half-made trust: undo the create (samba-tool too)
			 */
			st2 = delete_handle(s, mem, &tdo);
			have_tdo = !NT_STATUS_IS_OK(st2);
			rc = fail_nt(rep, err, st,
			             "set encryption types 0x%x of new trust "
			             "'%s' on '%s' (%s)",
			             req->enctypes, req->name, s->server,
			             NT_STATUS_IS_OK(st2) ? "create undone"
			                                  : "undo failed too");
			goto out;
		}
	}
	rc = 0;
out:
	if (have_tdo)
		close_handle(s, mem, &tdo);
	if (blob.data != NULL)
		explicit_bzero(blob.data, blob.length);
	talloc_free(mem);
	return rc;
}

int
h_set_info_ex(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
              struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	union lsa_TrustedDomainInfo *cur = NULL, ti;
	struct policy_handle tdo;
	bool open = false;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	st = query_by_name(s, mem, req->name, LSA_TRUSTED_DOMAIN_INFO_INFO_EX,
	                   &cur);
	if (!NT_STATUS_IS_OK(st) || cur == NULL) {
		rc = fail_nt(rep, err, st, "trust '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	st = open_tdo(s, mem, req->name, SEC_FLAG_MAXIMUM_ALLOWED, &tdo);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st, "open trust '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	open = true;
	memset(&ti, 0, sizeof(ti));
	ti.info_ex = cur->info_ex;
	ti.info_ex.trust_direction = req->direction;
	ti.info_ex.trust_type = (enum lsa_TrustType)req->trust_type;
	ti.info_ex.trust_attributes = req->attributes;
	st = set_tdo(s, mem, &tdo, LSA_TRUSTED_DOMAIN_INFO_INFO_EX, &ti);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st,
		             "set direction 0x%x type %u attributes 0x%x of "
		             "trust '%s' on '%s'",
		             req->direction, req->trust_type, req->attributes,
		             req->name, s->server);
		goto out;
	}
	rc = 0;
out:
	if (open)
		close_handle(s, mem, &tdo);
	talloc_free(mem);
	return rc;
}

int
h_set_enctypes(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
               struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	union lsa_TrustedDomainInfo ti;
	struct policy_handle tdo;
	bool open = false;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	st = open_tdo(s, mem, req->name, SEC_FLAG_MAXIMUM_ALLOWED, &tdo);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st, "open trust '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	open = true;
	memset(&ti, 0, sizeof(ti));
	ti.enc_types.enc_types = req->enctypes;
	st = set_tdo(s, mem, &tdo,
	             LSA_TRUSTED_DOMAIN_SUPPORTED_ENCRYPTION_TYPES, &ti);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st,
		             "set encryption types 0x%x of trust '%s' on '%s'",
		             req->enctypes, req->name, s->server);
		goto out;
	}
	rc = 0;
out:
	if (open)
		close_handle(s, mem, &tdo);
	talloc_free(mem);
	return rc;
}

int
h_set_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
          struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	struct lsa_ForestTrustInformation fti;
	struct lsa_ForestTrustCollisionInfo *coll = NULL;
	struct lsa_lsaRSetForestTrustInformation r;
	struct lsa_StringLarge n = {.string = NULL};
	uint32_t highest;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	if ((rc = records_to_lsa(mem, req, &fti, &highest, err)) < 0) {
		err_prefix(err, "forest trust info for '%s'", req->name);
		goto out;
	}
	n.string = req->name;
	memset(&r, 0, sizeof(r));
	r.in.handle = &s->pol;
	r.in.trusted_domain_name = &n;
	r.in.highest_record_type = (enum lsa_ForestTrustRecordType)highest;
	r.in.forest_trust_info = &fti;
	r.in.check_only = req->check_only ? 1 : 0;
	r.out.collision_info = &coll;
	st = call(s->lsa, &ndr_table_lsarpc,
	          "lsa_lsaRSetForestTrustInformation", mem, &r);
	if (!NT_STATUS_IS_OK(RES(st, r))) {
		rc = fail_nt(rep, err, RES(st, r),
		             "%s forest trust info of '%s' on '%s'",
		             req->check_only ? "check" : "set", req->name,
		             s->server);
		goto out;
	}
	if (coll != NULL && coll->count > 0) {
		rep->coll = xcalloc(coll->count, sizeof(*rep->coll));
		for (uint32_t i = 0; i < coll->count; i++) {
			const struct lsa_ForestTrustCollisionRecord *c =
			        coll->entries[i];
			struct lsa_collision *o = &rep->coll[rep->ncoll];

			if (c == NULL)
				continue;
			rep->ncoll++;
			o->index = c->index;
			o->type = (uint32_t)c->type;
			o->flags = c->flags;
			o->name = dup_or_null(c->name.string);
		}
	}
	rc = 0;
out:
	talloc_free(mem);
	return rc;
}

int
h_query_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
            struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	struct lsa_ForestTrustInformation *f = NULL;
	struct lsa_lsaRQueryForestTrustInformation r;
	struct lsa_String n = {.string = NULL};
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	n.string = req->name;
	memset(&r, 0, sizeof(r));
	r.in.handle = &s->pol;
	r.in.trusted_domain_name = &n;
	r.in.highest_record_type = LSA_FOREST_TRUST_DOMAIN_INFO;
	r.out.forest_trust_info = &f;
	st = call(s->lsa, &ndr_table_lsarpc,
	          "lsa_lsaRQueryForestTrustInformation", mem, &r);
	if (!NT_STATUS_IS_OK(RES(st, r))) {
		rc = fail_nt(rep, err, RES(st, r),
		             "forest trust info of '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	rc = records_from_lsa(rep, f, err);
out:
	talloc_free(mem);
	return rc;
}

static int
netr_pipe(struct hsess *s, struct lsa_msg *rep, struct err *err)
{
	if (s->netr != NULL)
		return 0;
	return connect_pipe(s, &ndr_table_netlogon, &s->netr, rep, err);
}

int
h_fetch_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
            struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	struct lsa_ForestTrustInformation *f = NULL;
	struct netr_DsRGetForestTrustInformation r;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "partner name", err)) < 0 ||
	    (rc = netr_pipe(s, rep, err)) < 0)
		goto out;
	memset(&r, 0, sizeof(r));
	r.in.server_name = talloc_asprintf(mem, "\\\\%s", s->server);
	r.in.trusted_domain_name = req->name;
	r.in.flags = 0; /* fetch only, do not update the TDO */
	r.out.forest_trust_info = &f;
	st = call(s->netr, &ndr_table_netlogon,
	          "netr_DsRGetForestTrustInformation", mem, &r);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st,
		             "DsRGetForestTrustInformation '%s' via '%s'",
		             req->name, s->server);
		goto out;
	}
	if (!W_ERROR_IS_OK(r.out.result)) {
		rc = fail_wr(rep, err, r.out.result, wr_words(r.out.result, 0),
		             "DsRGetForestTrustInformation '%s' via '%s'",
		             req->name, s->server);
		goto out;
	}
	rc = records_from_lsa(rep, f, err);
out:
	talloc_free(mem);
	return rc;
}

int
h_delete_tdo(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
             struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	struct policy_handle tdo;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "trust name", err)) < 0)
		goto out;
	st = open_tdo(s, mem, req->name, SEC_STD_DELETE, &tdo);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st, "open trust '%s' on '%s'", req->name,
		             s->server);
		goto out;
	}
	st = delete_handle(s, mem, &tdo);
	if (!NT_STATUS_IS_OK(st)) {
		close_handle(s, mem, &tdo);
		rc = fail_nt(rep, err, st, "delete trust '%s' on '%s'",
		             req->name, s->server);
		goto out;
	}
	rc = 0;
out:
	talloc_free(mem);
	return rc;
}

/* LogonControl2Ex(function, level 2, domain): transport status, *result. */
static NTSTATUS
control2(struct hsess *s, TALLOC_CTX *mem, uint32_t function,
         const char *domain, union netr_CONTROL_QUERY_INFORMATION *q,
         WERROR *result)
{
	union netr_CONTROL_DATA_INFORMATION d;
	struct netr_LogonControl2Ex r;
	NTSTATUS st;

	memset(&d, 0, sizeof(d));
	memset(q, 0, sizeof(*q));
	d.domain = domain;
	memset(&r, 0, sizeof(r));
	r.in.logon_server = talloc_asprintf(mem, "\\\\%s", s->server);
	r.in.function_code = function;
	r.in.level = 2;
	r.in.data = &d;
	r.out.query = q;
	st = call(s->netr, &ndr_table_netlogon, "netr_LogonControl2Ex", mem,
	          &r);
	*result = NT_STATUS_IS_OK(st) ? r.out.result : WERR_OK;
	return st;
}

/*
 * REDISCOVER answers WERR_ACCESS_DENIED both when the caller is no
 * administrator (the NETLOGON server's check) and when the partner's DC
 * refuses the new channel (ServerAuthenticate with another password).
 * A TC_QUERY for a partner no DC has tells them apart: an administrator
 * gets WERR_NO_SUCH_DOMAIN, anyone else WERR_ACCESS_DENIED again.
 */
static const char *
rediscover_denied(struct hsess *s, TALLOC_CTX *mem)
{
	union netr_CONTROL_QUERY_INFORMATION q;
	WERROR w;

	if (!NT_STATUS_IS_OK(control2(s, mem, NETLOGON_CONTROL_TC_QUERY,
	                              NO_SUCH_PARTNER, &q, &w)) ||
	    W_ERROR_EQUAL(w, WERR_ACCESS_DENIED))
		return wr_words(WERR_ACCESS_DENIED, 0);
	return PARTNER_REFUSED;
}

/*
 * NETLOGON LogonControl2Ex at level 2 for the partner (TC_VERIFY or
 * REDISCOVER): Samba's NETLOGON server checks that the caller is an
 * administrator and hands both to winbindd
 * (source4/rpc_server/netlogon/dcerpc_netlogon.c), which needs the
 * partner's name, NetBIOS or DNS, and ignores a "\\dcname" suffix
 * (winbindd_dual_srv.c: "TODO: take care of the optional '\dcname'").
 */
static int
logon_control(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
              uint32_t function, const char *what, struct err *err)
{
	TALLOC_CTX *mem = talloc_new(s);
	union netr_CONTROL_QUERY_INFORMATION q;
	const struct netr_NETLOGON_INFO_2 *i2;
	const char *words;
	WERROR w;
	NTSTATUS st;
	int rc;

	if ((rc = need(req->name, "partner name", err)) < 0 ||
	    (rc = netr_pipe(s, rep, err)) < 0)
		goto out;
	st = control2(s, mem, function, req->name, &q, &w);
	if (!NT_STATUS_IS_OK(st)) {
		rc = fail_nt(rep, err, st, "%s '%s' on '%s'", what, req->name,
		             s->server);
		goto out;
	}
	if (!W_ERROR_IS_OK(w)) {
		words = function == NETLOGON_CONTROL_REDISCOVER &&
		                        W_ERROR_EQUAL(w, WERR_ACCESS_DENIED)
		                ? rediscover_denied(s, mem)
		                : wr_words(w, function);
		rc = fail_wr(rep, err, w, words, "%s '%s' on '%s'", what,
		             req->name, s->server);
		goto out;
	}
	if ((i2 = q.info2) == NULL) {
		rc = err_set(err, ERR_BACKEND,
		             "%s '%s' on '%s': no level 2 answer", what,
		             req->name, s->server);
		goto out;
	}
	rep->tc_flags = i2->flags;
	rep->dc_name = dup_or_null(i2->trusted_dc_name);
	rep->pdc_status = W_ERROR_V(i2->pdc_connection_status);
	rep->pdc_text = xstrdup(win_errstr(i2->pdc_connection_status));
	rep->tc_status = W_ERROR_V(i2->tc_connection_status);
	rep->tc_text = xstrdup(win_errstr(i2->tc_connection_status));
	rc = 0;
out:
	talloc_free(mem);
	return rc;
}

int
h_validate(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
           struct err *err)
{
	return logon_control(s, req, rep, NETLOGON_CONTROL_TC_VERIFY,
	                     "TC_VERIFY", err);
}

/*
 * netdom trust /reset, nltest /sc_reset:PARTNER: winbindd drops its
 * cached secure channel to the partner and builds a new one with the
 * current trust secret (_winbind_LogonControl_REDISCOVER), which a
 * re-keyed trust needs before NETLOGON validates it again.  A failure to
 * build it is the call's own result, not a field of the answer.
 */
int
h_sc_reset(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
           struct err *err)
{
	return logon_control(s, req, rep, NETLOGON_CONTROL_REDISCOVER,
	                     "secure channel reset (REDISCOVER)", err);
}
