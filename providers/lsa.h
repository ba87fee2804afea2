#ifndef ADT_PROVIDERS_LSA_H
#define ADT_PROVIDERS_LSA_H

/*
 * The MS-LSAD write path: a client for the adtrust-lsa helper process
 * (providers/lsa_helper/, protocol in providers/lsa_proto.h).  One session
 * is one helper bound to one DC.  Requests run one at a time, each with the
 * session's deadline; a helper that times out is killed (by its PID) and
 * reaped, and a helper that dies becomes an error naming the DC, e.g.
 * "adtrust-lsa for 'dcb.b.test' died: signal 6".  After that every call on
 * the session fails with ERR_IO; close it.
 *
 * Errors: 0 or a negative enum err_code.  Failures reported by the server
 * keep the NTSTATUS or WERROR value in err->sys and its name in the message
 * ("CreateTrustedDomainEx2 'b.test' on 'dca.a.test':
 * NT_STATUS_OBJECT_NAME_COLLISION"); ERR_NOTFOUND for a missing trust,
 * ERR_CONFLICT for a name collision, ERR_BACKEND for other server refusals,
 * ERR_IO for a dead, hung or misbehaving helper or a DC that cannot be
 * reached, ERR_DENIED for a write session the account may not have,
 * ERR_INVALID for bad input.  No message ever contains a password.
 *
 * A DC that cannot be reached is said in words, naming the DC and its
 * domain (the login's realm): "cannot reach 'dcb.b.test' (DC of b.test):
 * name not resolved", "...: connection refused on port 445 (is the DC
 * down?)", "...: connection to port 445 timed out after 5 s (DC down or
 * a firewall?)", checked with one TCP connect before each login; a rejected
 * login says what the DC said: "cannot connect to 'dcb.b.test' (DC of b.test)
 * as 'administrator@B.TEST': wrong user name or password
 * (NT_STATUS_LOGON_FAILURE)".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/lsa_proto.h" /* struct lsa_collision */

struct err;
struct fti;
struct trace;

struct lsa_session; /* one adtrust-lsa process bound to one DC */

struct lsa_login {
	const char *server;   /* DC host name (FQDN), e.g. "dca.a.test" */
	const char *realm;    /* the DC's realm, e.g. "A.TEST": completes a
	                         user without '@' and names the DC's domain
	                         in messages */
	const char *user;     /* NULL: Kerberos from the ccache */
	const char *password; /* secret, with user; never stored */
	const char *ccache;   /* NULL: $KRB5CCNAME (a FILE: ccache) */
	bool write;           /* the session will write trusts: see below */
	/*
	 * Optional (-v): one line per request of the session, the login
	 * included, with the DC, its domain, the RPC call, the trust it
	 * names and the duration ("lsa dcb.b.test (b.test):
	 * CreateTrustedDomainEx2 a.test: 41 ms").  Borrowed: it must
	 * outlive the session.  Never given the password.
	 */
	const struct trace *trace;
};

/*
 * Starts the helper (helper_path, or NULL for lsa_helper_path()), logs in
 * to l->server over ncacn_np with SMB encryption required and opens the
 * LSA policy.  timeout_ms bounds every request including this login (0:
 * none).  The helper gets the socket as fd 3, /dev/null as stdin, our
 * stderr as stdout and stderr, and only the KRB5*, locale, TZ, PATH, HOME,
 * TMPDIR and sanitizer variables of our environment; the password goes
 * over the socket.  On failure *out is NULL and the helper is gone.
 *
 * l->write: the LSA policy is opened with POLICY_VIEW_LOCAL_INFORMATION,
 * POLICY_TRUST_ADMIN and POLICY_CREATE_SECRET on top of the maximum
 * allowed (what samba-tool domain trust create/delete ask for), so an
 * account that cannot create, change or delete trusts fails here, before
 * the first write, with ERR_DENIED: "account 'audit@B.TEST' on
 * 'dcb.b.test' may read but not write trusts (needs POLICY_TRUST_ADMIN
 * and POLICY_CREATE_SECRET on the LSA policy, as BUILTIN\Administrators
 * have)".  Without it (reads, verify) the policy is opened with the
 * maximum allowed and any account that may log on gets a session.
 */
int lsa_session_open(struct lsa_session **out, const char *helper_path,
                     const struct lsa_login *l, unsigned timeout_ms,
                     struct err *err);
/* Ends the helper (end of stream, then SIGKILL after 2 s); NULL-safe. */
void lsa_session_close(struct lsa_session *s);
/*
 * False once the helper died, hung or misbehaved: every call would fail
 * with ERR_IO; close the session and open a new one.
 */
bool lsa_session_alive(const struct lsa_session *s);
/* Borrowed: the DC name of the session. */
const char *lsa_session_server(const struct lsa_session *s);

/*
 * Where the helper lives: $ADTRUST_LSA if set, else "adtrust-lsa" next to
 * the running executable if it is there, else ADT_LIBEXECDIR.  *out is
 * malloc()ed.
 */
int lsa_helper_path(char **out, struct err *err);

/* The DC's own domain (QueryInfoPolicy2, DNS level). */
struct lsa_domain_info {
	char *dns_domain, *netbios, *sid, *forest;
};
int lsa_info(struct lsa_session *s, struct lsa_domain_info *out,
             struct err *err);
void lsa_domain_info_release(struct lsa_domain_info *d);

/* A trusted domain object as LSA reports it. */
struct lsa_tdo {
	char *name; /* DNS name of the partner */
	char *netbios;
	char *sid; /* NULL for an MIT realm */
	uint32_t direction, type, attributes;
	uint32_t enctypes; /* msDS-SupportedEncryptionTypes */
};
/* ERR_NOTFOUND if there is no trust called name (DNS or NetBIOS). */
int lsa_query_tdo(struct lsa_session *s, const char *name, struct lsa_tdo *out,
                  struct err *err);
void lsa_tdo_release(struct lsa_tdo *t);

struct lsa_create {
	const char *name, *netbios, *sid; /* the partner domain */
	uint32_t direction;               /* 1 inbound, 2 outbound, 3 both */
	uint32_t type;                    /* 2 uplevel */
	uint32_t attributes;              /* e.g. 0x8 forest, 0x4 quarantined */
	uint32_t enctypes;                /* 0: leave unset, e.g. 0x18 AES */
	const char *password;             /* trust password (UTF-8), secret */
};
/*
 * CreateTrustedDomainEx2 with the password as CLEAR auth info for the
 * directions present, then the enctypes.  If setting the enctypes fails
 * the new TDO is deleted again.
 */
int lsa_create_tdo(struct lsa_session *s, const struct lsa_create *c,
                   struct err *err);
/*
 * SetInformationTrustedDomain(INFO_EX).  Note: Samba 4.17 returns OK for
 * some changes it does not make (adding a direction); read back.
 */
int lsa_set_info_ex(struct lsa_session *s, const char *name, uint32_t direction,
                    uint32_t type, uint32_t attributes, struct err *err);
int lsa_set_enctypes(struct lsa_session *s, const char *name, uint32_t enctypes,
                     struct err *err);
/* OpenTrustedDomainByName + DeleteObject (also removes FLAT$). */
int lsa_delete_tdo(struct lsa_session *s, const char *name, struct err *err);

/* Forest trust information.  Record types TLN, TLN_EX and DOMAIN. */
struct lsa_collisions {
	struct lsa_collision *v;
	size_t n;
};
/*
 * lsaRSetForestTrustInformation on the TDO partner.  check_only: a dry run.
 * *out (may be NULL) gets the collision records; release it.
 */
int lsa_set_fti(struct lsa_session *s, const char *partner,
                const struct fti *records, bool check_only,
                struct lsa_collisions *out, struct err *err);
void lsa_collisions_release(struct lsa_collisions *c);
/*
 * lsaRQueryForestTrustInformation: what the TDO stores.  *out is
 * initialised here; release it with fti_release.  ERR_NOTFOUND when the
 * TDO has none.
 */
int lsa_query_fti(struct lsa_session *s, const char *partner, struct fti *out,
                  struct err *err);
/*
 * NETLOGON DsRGetForestTrustInformation: the partner forest's current
 * namespaces, fetched by the DC (does not update the TDO).
 */
int lsa_fetch_partner_fti(struct lsa_session *s, const char *partner,
                          struct fti *out, struct err *err);

/* NETLOGON LogonControl2Ex(TC_VERIFY) on the session's DC. */
struct lsa_validation {
	uint32_t flags;      /* NETLOGON_VERIFY_STATUS_RETURNED 0x80, ... */
	char *dc_name;       /* partner DC used, or NULL */
	uint32_t pdc_status; /* WERROR: trust secret */
	uint32_t tc_status;  /* WERROR: secure channel */
	char *pdc_text, *tc_text; /* "WERR_OK", ... */
};
/*
 * 0 when both statuses are WERR_OK; ERR_BACKEND (with *out filled) when
 * either is not, or when the call itself failed.  Release *out always.
 */
int lsa_validate(struct lsa_session *s, const char *partner,
                 struct lsa_validation *out, struct err *err);
void lsa_validation_release(struct lsa_validation *v);

/*
 * Secure-channel reset, what `netdom trust /reset` and `nltest
 * /sc_reset:PARTNER` do: NETLOGON LogonControl2Ex(REDISCOVER, level 2) on
 * the session's DC for partner (its DNS or NetBIOS name).  The DC drops
 * its cached secure channel to the partner and builds a new one with the
 * trust secret it has now.  Call it on each side after the secret changed
 * (a replace or re-key of both sides): until then TC_VERIFY and NETLOGON
 * logons through the trust fail, with WERR_ACCOUNT_DISABLED on Samba, for
 * as long as the DC keeps its old channel.  On Samba the call is answered
 * by winbindd, as TC_VERIFY is; it needs an administrator of the DC's
 * domain.
 *
 * 0 when the new channel is up.  ERR_BACKEND with the DC's answer in
 * err->sys and the message when it could not be built, e.g.
 * "secure channel reset (REDISCOVER) 'b.test' on 'dca.a.test':
 * WERR_NO_SUCH_DOMAIN (the DC knows no trust by that name)", or when the
 * answer carries a failed connection status; ERR_IO as for every call.
 */
int lsa_sc_reset(struct lsa_session *s, const char *partner, struct err *err);

#endif
