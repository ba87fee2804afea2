#ifndef ADT_PROVIDERS_PROV_H
#define ADT_PROVIDERS_PROV_H

/*
 * Live-state providers.  Each backend embeds struct prov first and ends with
 * a const struct prov_ops built from designated initialisers.  A read-only
 * backend has apply == NULL and no PROV_CAN_WRITE.
 *
 *   snapshot  LDIF files (ldapsearch -LLL / ldifde output); read-only
 *   ldap      OpenLDAP libldap against the DCs; read-only
 *   lsa       the adtrust-lsa helper (MS-LSAD over SMB); write path
 */

#include <stdbool.h>
#include <stddef.h>

struct err;
struct model;
struct model_state;
struct model_secret_cache;

enum prov_caps {
	PROV_CAN_READ = 1 << 0,
	PROV_CAN_WRITE = 1 << 1,
};

struct prov_cfg {
	const struct model *model; /* domains and credentials (borrowed) */
	const char *snapshot_dir;  /* snapshot: the directory of .ldif files */
	struct model_secret_cache *secrets; /* may be NULL */
	unsigned timeout_ms; /* per network operation; 0 = default */
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
	 */
	int (*read)(struct prov *p, const char *const *domains, size_t n,
	            struct model_state *out, struct err *err);
	void (*close)(struct prov *p); /* NULL-safe */
};

extern const struct prov_ops prov_snapshot_ops;
extern const struct prov_ops prov_ldap_ops;

/*
 * What a server can change in place, by server kind (the rootDSE vendorName
 * of the domain, "" if unknown).  Samba 4.17 changes encryption types,
 * removes a direction and toggles FOREST_TRANSITIVE in place and refuses
 * every other trustAttributes change and answers OK to adding a direction
 * without doing it (notes/lsa-from-c.md section 3); Windows changes
 * attributes and direction through LsarSetInformationTrustedDomain.
 * Returns NULL when the change can be made in place, else the reason a
 * replace is needed.
 */
struct model_tdo;
const char *prov_replace_reason(const char *vendor,
                                const struct model_tdo *before,
                                const struct model_tdo *after);
bool prov_vendor_is_samba(const char *vendor);

/* Convenience wrappers over the ops table. */
int prov_open(struct prov **out, const struct prov_ops *ops,
              const struct prov_cfg *cfg, struct err *err);
int prov_read(struct prov *p, const char *const *domains, size_t n,
              struct model_state *out, struct err *err);
void prov_close(struct prov *p);

#endif
