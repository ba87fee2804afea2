#ifndef ADT_PROVIDERS_PROV_INT_H
#define ADT_PROVIDERS_PROV_INT_H

/*
 * Shared by the read providers (snapshot.c, ldap.c): mapping of directory
 * attribute values into struct model_tdo / model_domain_state (tdo.c) and the
 * LDAP bind policy (ldap.c).  Secrets come from model_secret_resolve
 * (providers/prov.h).
 */

#include <stdbool.h>
#include <stddef.h>

struct err;
struct model_credential;
struct model_domain;
struct model_domain_state;
struct model_tdo;

/*
 * A trustedDomain entry being mapped.  Set tdo->dn, tdo->source and
 * tdo->domain first, feed every value with prov_tdo_value, then call
 * prov_tdo_finish.
 */
struct prov_tdo_map {
	struct model_tdo *tdo; /* borrowed */
	unsigned seen;         /* single-valued attributes already set */
};

void prov_tdo_map_init(struct prov_tdo_map *m, struct model_tdo *tdo);

/*
 * Maps one value of attribute attr (case-insensitive; ";options" are
 * ignored) into the TDO.  Attributes the model does not use are ignored.
 * ERR_INVALID ("'DN': attribute 'X': ...") for a malformed value or a
 * second value of a single-valued attribute; the caller adds where.
 */
int prov_tdo_value(struct prov_tdo_map *m, const char *attr, const void *val,
                   size_t len, struct err *err);

/*
 * Checks that trustPartner, trustDirection and trustType were present
 * (trustAttributes defaults to 0), sets attr_mask to all ones and computes
 * the digest.  ERR_INVALID naming the DN and the missing attribute.
 */
int prov_tdo_finish(struct prov_tdo_map *m, struct err *err);

/* The attributes prov_tdo_value uses (NULL-terminated), for searches. */
const char *const *prov_tdo_attrs(void);

/* What kind of record a domain identity value comes from. */
enum prov_ident_kind {
	PROV_IDENT_DOMAIN = 0,   /* the domain object (domainDNS) */
	PROV_IDENT_CROSSREF = 1, /* its crossRef in CN=Partitions */
	PROV_IDENT_ROOTDSE = 2,  /* the rootDSE of one of its DCs */
};

/*
 * Maps one identity value into d:
 *   domain object: objectSid -> sid, msDS-Behavior-Version ->
 *                  functional_level (unless the rootDSE gave it)
 *   crossRef:      nETBIOSName -> netbios (the only source of the NetBIOS
 *                  name: AD keeps it on the crossRef, not the domain object)
 *   rootDSE:       rootDomainNamingContext -> forest_root,
 *                  domainFunctionality -> functional_level,
 *                  vendorName -> vendor
 * Anything else is ignored.  ERR_INVALID ("attribute 'X': ...") for a
 * malformed value.
 */
int prov_ident_value(struct model_domain_state *d, enum prov_ident_kind kind,
                     const char *attr, const void *val, size_t len,
                     struct err *err);

/*
 * The DNS name (lower case) of the domain a DN sits in: the trailing run of
 * DC= RDNs ("CN=x,CN=System,DC=A,DC=test" -> "a.test").  If whole is set,
 * the DN must consist of DC= RDNs only.  *dn_out (optional) receives the
 * domain's DN in canonical "DC=a,DC=test" form.  ERR_NOTFOUND if there is
 * no such run (or whole is set and other RDNs precede it), ERR_INVALID if
 * the DN does not parse.  The caller frees both strings.
 */
int prov_dn_domain(char **dns_out, char **dn_out, const char *dn, bool whole,
                   struct err *err);

/* "DC=a,DC=test" for "A.test" (new string). */
char *prov_dns_to_dn(const char *dns);

/* Sorts a domain's TDOs by DN (case-insensitive), for stable output. */
void prov_sort_tdos(struct model_domain_state *d);
/*
 * Two TDOs of one domain for the same trustPartner would make the plan
 * compare one of them and leave the other unseen: ERR_INVALID naming both,
 * *bad the index of the second.
 */
int prov_check_tdos(size_t *bad, const struct model_domain_state *d,
                    struct err *err);

/* How ldap.c binds to a domain. */
enum prov_bind {
	PROV_BIND_ANONYMOUS = 0,      /* no credentials configured */
	PROV_BIND_GSSAPI = 1,         /* SASL/GSSAPI, sign+seal, ldap:// */
	PROV_BIND_SIMPLE_LDAPS = 2,   /* simple bind inside ldaps:// */
	PROV_BIND_SIMPLE_STARTTLS = 3 /* StartTLS, then simple bind */
};

/*
 * Decides the bind for domain d with credential c (NULL: anonymous).
 * Refuses (ERR_DENIED, one line naming the domain and URI) a clear-text
 * simple bind (password over ldap:// with starttls: false) and GSSAPI
 * inside TLS (ldaps://, or starttls: true), which AD and Samba reject;
 * ERR_INVALID for a URI that is not ldap:// or ldaps://.  Pure.
 */
int prov_ldap_bind_policy(enum prov_bind *out, const struct model_domain *d,
                          const struct model_credential *c, struct err *err);

#endif
