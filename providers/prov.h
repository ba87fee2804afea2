#ifndef ADT_PROVIDERS_PROV_H
#define ADT_PROVIDERS_PROV_H

/*
 * Live-state providers.  Each backend embeds struct prov first and ends with
 * a const struct prov_ops built from designated initialisers.  A backend
 * that cannot write leaves the write slots NULL and PROV_CAN_WRITE out;
 * rec_apply checks caps before it starts, never halfway through.
 *
 *   snapshot  LDIF files (ldapsearch -LLL / ldifde output); read-only
 *   ldap      OpenLDAP libldap against the DCs; read-only
 *   lsa       the adtrust-lsa helper (MS-LSAD over SMB); write-only, with
 *             the in-place capabilities of each server kind
 *   fake      in memory, with fault injection (providers/fake.h): the
 *             test double for everything above providers/
 *
 * The write slots are the steps of an apply: one call is one write on one
 * domain's DC (git's ref_storage_be: the transaction code above never names
 * a backend).  Each returns 0 or a negative err_code with the domain, the
 * DC and the partner named in err; ERR_IO means the outcome is unknown (the
 * request may have reached the DC), which the caller resolves by reading
 * back.  No slot ever puts a secret into err.
 */

#include <stdbool.h>
#include <stddef.h>

struct err;
struct fti;
struct model;
struct model_tdo;
struct model_state;
struct model_secret_cache;
struct trace;

enum prov_caps {
	PROV_CAN_READ = 1 << 0,
	PROV_CAN_WRITE = 1 << 1,
};

struct prov_cfg {
	const struct model *model; /* domains and credentials (borrowed) */
	const char *snapshot_dir;  /* snapshot: the directory of .ldif files */
	struct model_secret_cache *secrets; /* may be NULL */
	unsigned timeout_ms;     /* per network operation; 0 = default */
	const char *helper_path; /* lsa: NULL = lsa_helper_path() */
	/*
	 * -v: one line per LDAP search, LSA call, kadm5 call or snapshot
	 * file, with the server, the domain and the duration (util/trace.h);
	 * NULL logs nothing.  Borrowed; never given a secret.
	 */
	const struct trace *trace;
};

/* What prov_ops.tdo_set writes. */
enum prov_set {
	PROV_SET_INFO = 1 << 0,     /* direction, type, attributes */
	PROV_SET_ENCTYPES = 1 << 1, /* msDS-SupportedEncryptionTypes */
	/*
	 * A new trust password in place (kadm5: the realm side's keys made
	 * again from the trust's password at kvno + 1).  Only writers whose
	 * replace_reason never asks for a replace get it.
	 */
	PROV_SET_SECRET = 1 << 2,
};

struct prov {
	const struct prov_ops *ops; /* each backend embeds this first */
};

struct prov_ops {
	const char *name;
	unsigned caps;
	/* Opens a provider; the caller owns *out (close). */
	int (*open)(struct prov **out, const struct prov_cfg *cfg,
	            struct err *err);
	/*
	 * Reads the identity and every trustedDomain object of each named
	 * domain into *out (appended, in the order given).  A domain that
	 * cannot be read fails the whole read with an error naming it.
	 * snapshot: n == 0 reads every domain the snapshot holds.
	 */
	int (*read)(struct prov *p, const char *const *domains, size_t n,
	            struct model_state *out, struct err *err);
	void (*close)(struct prov *p); /* NULL-safe */

	/* ---- write slots (PROV_CAN_WRITE) ---- */

	/*
	 * Before the first write: the DC of 'domain' is resolved, reached,
	 * logged in to, and grants what the writes need.  Writes nothing.
	 */
	int (*preflight)(struct prov *p, const char *domain, struct err *err);
	/*
	 * Reads back the TDO for 'partner' held by 'domain' (direction,
	 * type, attributes, enctypes, flat_name, sid; *out is initialised
	 * here, release it).  ERR_NOTFOUND when there is none.
	 */
	int (*tdo_get)(struct prov *p, const char *domain, const char *partner,
	               struct model_tdo *out, struct err *err);
	/*
	 * Creates t->partner's TDO on t->domain with the trust password
	 * (both directions' secrets; a secret, never stored or logged).
	 */
	int (*tdo_create)(struct prov *p, const struct model_tdo *t,
	                  const char *password, struct err *err);
	/* Changes an existing TDO in place: what is enum prov_set bits. */
	int (*tdo_set)(struct prov *p, const struct model_tdo *t, unsigned what,
	               struct err *err);
	int (*tdo_delete)(struct prov *p, const char *domain,
	                  const char *partner, struct err *err);
	/*
	 * The forest trust records the TDO stores (ERR_NOTFOUND: none), or
	 * with from_partner the partner forest's namespaces as the DC
	 * fetches them (for a new forest trust).  *out is initialised here.
	 */
	int (*fti_get)(struct prov *p, const char *domain, const char *partner,
	               bool from_partner, struct fti *out, struct err *err);
	/*
	 * Stores forest trust records: checked first (a collision is
	 * ERR_CONFLICT naming both names, and nothing is stored), then
	 * stored.
	 */
	int (*fti_set)(struct prov *p, const char *domain, const char *partner,
	               const struct fti *records, struct err *err);
	/*
	 * After a trust's secret changed: drops the DC's cached secure
	 * channel to the partner (netdom /reset, NETLOGON REDISCOVER) and
	 * checks it (TC_VERIFY).  NULL if the backend has no such thing.
	 */
	int (*sc_reset)(struct prov *p, const char *domain, const char *partner,
	                struct err *err);
	/*
	 * The backend's in-place capabilities: NULL when 'before' can become
	 * 'after' in place on a server of this kind (vendor: the domain's
	 * rootDSE vendorName, "" if unknown), else why a replace is needed.
	 * Needs no open provider (the diff asks it offline).
	 */
	const char *(*replace_reason)(const char *vendor,
	                              const struct model_tdo *before,
	                              const struct model_tdo *after);
};

extern const struct prov_ops prov_snapshot_ops;
extern const struct prov_ops prov_ldap_ops;
extern const struct prov_ops prov_lsa_ops;
/* MIT realms (providers/kadm.h): realm sides through kadmind. */
extern const struct prov_ops prov_kadm_ops;

/* True for a Samba DC (its rootDSE vendorName). */
bool prov_vendor_is_samba(const char *vendor);

/* Convenience wrappers over the ops table. */
int prov_open(struct prov **out, const struct prov_ops *ops,
              const struct prov_cfg *cfg, struct err *err);
int prov_read(struct prov *p, const char *const *domains, size_t n,
              struct model_state *out, struct err *err);
void prov_close(struct prov *p);

#endif
