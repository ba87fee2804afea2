#ifndef ADT_MODEL_MODEL_H
#define ADT_MODEL_MODEL_H

/*
 * The desired state (what the YAML file says), its expansion into expected
 * trustedDomain objects (TDOs) per managed side, and the observed state that
 * providers read.  Plain data: libcyaml fills struct model, providers fill
 * struct model_state, tests build both by hand.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/fti.h"

struct err;
struct diags;

/* trustDirection (MS-ADTS 6.1.6.7.12), from the holding domain's view. */
#define TDO_DIR_DISABLED 0u
#define TDO_DIR_INBOUND 1u  /* the partner trusts us: our users go there */
#define TDO_DIR_OUTBOUND 2u /* we trust the partner: its users come here */
#define TDO_DIR_BOTH 3u

/* trustType (MS-ADTS 6.1.6.7.15). */
#define TDO_TYPE_DOWNLEVEL 1u
#define TDO_TYPE_UPLEVEL 2u
#define TDO_TYPE_MIT 3u
#define TDO_TYPE_DCE 4u
#define TDO_TYPE_AAD 5u /* Azure AD (MS-ADTS 6.1.6.7.15, newer versions) */

/* trustAttributes (MS-ADTS 6.1.6.7.9; spec section 2.3). */
#define TA_NON_TRANSITIVE 0x00000001u
#define TA_UPLEVEL_ONLY 0x00000002u
#define TA_QUARANTINED_DOMAIN 0x00000004u
#define TA_FOREST_TRANSITIVE 0x00000008u
#define TA_CROSS_ORGANIZATION 0x00000010u
#define TA_WITHIN_FOREST 0x00000020u
#define TA_TREAT_AS_EXTERNAL 0x00000040u
#define TA_USES_RC4_ENCRYPTION 0x00000080u
#define TA_USES_AES_KEYS 0x00000100u
#define TA_CROSS_ORG_NO_TGT_DELEGATION 0x00000200u
#define TA_PIM_TRUST 0x00000400u
#define TA_CROSS_ORG_ENABLE_TGT_DELEGATION 0x00000800u
#define TA_DISABLE_AUTH_TARGET_VALIDATION 0x00001000u

/* msDS-SupportedEncryptionTypes (MS-KILE 2.2.7). */
#define ENC_DES_CBC_CRC 0x01u
#define ENC_DES_CBC_MD5 0x02u
#define ENC_RC4_HMAC 0x04u
#define ENC_AES128 0x08u
#define ENC_AES256 0x10u
#define ENC_AES256_SK 0x20u

/*
 * The encryption types by their YAML names, in bit order: the one table
 * the schema, the renderers and export are made from.  X(name, bit).
 */
#define MODEL_ENCTYPES(X)                                                      \
	X("des-cbc-crc", ENC_DES_CBC_CRC)                                      \
	X("des-cbc-md5", ENC_DES_CBC_MD5)                                      \
	X("rc4", ENC_RC4_HMAC)                                                 \
	X("aes128", ENC_AES128)                                                \
	X("aes256", ENC_AES256)                                                \
	X("aes256-sk", ENC_AES256_SK)

struct model_enctype {
	const char *name;
	uint32_t bit;
};
extern const struct model_enctype model_enctypes[];
extern const size_t model_n_enctypes;

/* ---- desired state, version 1 (the YAML schema; see docs/schema.md) ---- */

enum model_domain_kind {
	MODEL_KIND_AD = 0,
	MODEL_KIND_MIT_REALM = 1,
};

enum model_cred_method {
	MODEL_CRED_KERBEROS = 0, /* the credential cache (kinit) */
	MODEL_CRED_PASSWORD = 1, /* user + password reference */
	MODEL_CRED_KEYTAB = 2,   /* user + keytab file (kadmin of MIT realms) */
};

enum model_direction {
	MODEL_DIR_ONE_WAY = 0, /* trusting trusts trusted */
	MODEL_DIR_TWO_WAY = 1,
};

enum model_trust_type {
	MODEL_TYPE_EXTERNAL = 0,
	MODEL_TYPE_FOREST = 1,
	MODEL_TYPE_REALM = 2,
	MODEL_TYPE_SHORTCUT = 3,
	MODEL_TYPE_DOWNLEVEL = 4, /* external, to a pre-AD (NT4) domain */
};

enum model_sides {
	MODEL_SIDES_BOTH = 0,
	MODEL_SIDES_TRUSTING = 1,
	MODEL_SIDES_TRUSTED = 2,
};

enum model_ensure {
	MODEL_PRESENT = 0,
	MODEL_ABSENT = 1,
};

enum model_unlisted {
	MODEL_UNLISTED_KEEP = 0,
	MODEL_UNLISTED_DISABLE = 1,
};

/* A reference to a secret; exactly one member is set.  Never a value. */
struct model_secret {
	char *env;    /* environment variable name */
	char *file;   /* path of a file holding the secret (first line) */
	char *prompt; /* text shown when asking on the terminal */
};

struct model_credential {
	char *name;
	enum model_cred_method method;
	char *user; /* method password: user@REALM */
	struct model_secret *password;
	char *ccache; /* method kerberos: optional KRB5CCNAME */
	char *keytab; /* method keytab: the keytab holding user's key */
};

struct model_domain {
	char *name;    /* DNS name (AD) or realm name (MIT): the key */
	char *netbios; /* flatName of the domain */
	char *sid;     /* domain SID; needed to create trusts on a partner */
	enum model_domain_kind kind;
	char *ldap;   /* read path, ldap:// or ldaps:// URI */
	char *rpc;    /* LSA write path (DC host); default: the ldap host */
	char *kadmin; /* MIT realms: kadmin server */
	char *credentials;
	bool *starttls; /* NULL: StartTLS for ldap:// with a password bind */
	/*
	 * verify: a service of the domain to ask a ticket for across a trust
	 * ("host/svc.athena.mit.edu", no realm); default cifs/<its DC> for
	 * AD domains, none for MIT realms.
	 */
	char *service;
};

/*
 * The boolean trust fields, one row each: the one list that the members of
 * struct model_trust and struct model_side_opts, the libcyaml schema,
 * model_fields, validation, expansion, the diff, ignore rules and
 * export are all made from (the kernel's netlink policy tables and
 * lsa_proto.c's spec table are the model).  Rows are in the order plans
 * list their changes.  The columns:
 *   name      YAML, plan, JSON and ignore-rule name
 *   where     TRUST: a member of model_trust; SIDE: of model_side_opts
 *             (the trust's own and each 'override' may set it)
 *   key       1: this row declares the YAML key; 0: another reading of a
 *             key declared by an earlier row (sid_filtering on a forest)
 *   bit       the trustAttributes bit
 *   pair      a bit set to the opposite of bit, or 0
 *   inverted  the field is true when bit is clear
 *   types     MODEL_T_* the row reads bit on
 *   outbound  only on sides that let partner users in
 *   dflt      NONE, FALSE or TRUE: its value on a create when left out
 *   only_set  export writes it only when bit or pair is set
 *   why       key rows whose rows do not cover every type: what
 *             validation says after "'name' " when it is set on another
 */
#define MODEL_T_EXT (1u << MODEL_TYPE_EXTERNAL)
#define MODEL_T_FOREST (1u << MODEL_TYPE_FOREST)
#define MODEL_T_REALM (1u << MODEL_TYPE_REALM)
#define MODEL_T_SHORTCUT (1u << MODEL_TYPE_SHORTCUT)
#define MODEL_T_DOWN (1u << MODEL_TYPE_DOWNLEVEL)
#define MODEL_T_AD                                                             \
	(MODEL_T_EXT | MODEL_T_FOREST | MODEL_T_SHORTCUT | MODEL_T_DOWN)
#define MODEL_T_ALL (MODEL_T_AD | MODEL_T_REALM)

/* clang-format off */
/* X(name, where, key, bit, pair, inverted, types, outbound, dflt, only_set, why) */
#define MODEL_BOOL_FIELDS(X)                                                   \
	X(transitive, TRUST, 1, TA_NON_TRANSITIVE, 0, true, MODEL_T_REALM,     \
	  false, FALSE, false, "applies to realm trusts only (external "       \
	  "trusts are never transitive, forest trusts always)")                \
	X(uplevel_only, TRUST, 1, TA_UPLEVEL_ONLY, 0, false, MODEL_T_ALL,      \
	  false, NONE, false, NULL)                                            \
	X(sid_filtering, SIDE, 1, TA_QUARANTINED_DOMAIN, 0, false,             \
	  MODEL_T_EXT | MODEL_T_SHORTCUT | MODEL_T_DOWN, true, TRUE, false,    \
	  "does not apply to a realm trust")                                   \
	X(sid_filtering, SIDE, 0, TA_TREAT_AS_EXTERNAL, 0, true,               \
	  MODEL_T_FOREST, true, NONE, false, NULL)                             \
	X(sid_history, SIDE, 1, TA_TREAT_AS_EXTERNAL, 0, false,                \
	  MODEL_T_FOREST, true, NONE, false,                                   \
	  "applies to forest trusts only")                                     \
	X(selective_authentication, SIDE, 1, TA_CROSS_ORGANIZATION, 0, false,  \
	  MODEL_T_AD, true, NONE, false, "does not apply to a realm trust")    \
	X(uses_rc4, TRUST, 1, TA_USES_RC4_ENCRYPTION, 0, false, MODEL_T_REALM, \
	  false, NONE, false, "applies to realm trusts only")                  \
	X(uses_aes, TRUST, 1, TA_USES_AES_KEYS, 0, false, MODEL_T_ALL, false,  \
	  NONE, false, NULL)                                                   \
	X(tgt_delegation, SIDE, 1, TA_CROSS_ORG_ENABLE_TGT_DELEGATION,         \
	  TA_CROSS_ORG_NO_TGT_DELEGATION, false, MODEL_T_AD, true, NONE, true, \
	  "does not apply to a realm trust")                                   \
	X(pim, TRUST, 1, TA_PIM_TRUST, 0, false, MODEL_T_FOREST, true, NONE,   \
	  false, "needs a forest trust (type: forest)")                        \
	X(auth_target_validation, SIDE, 1, TA_DISABLE_AUTH_TARGET_VALIDATION,  \
	  0, true, MODEL_T_ALL, true, NONE, false, NULL)

/* The members the key rows declare, in each of the two structs. */
#define MODEL_TRUST_MEMBER(name, where, key, ...) MODEL_TM_##where##key(name)
#define MODEL_TM_TRUST1(name) bool *name;
#define MODEL_TM_TRUST0(name)
#define MODEL_TM_SIDE1(name)
#define MODEL_TM_SIDE0(name)
#define MODEL_SIDE_MEMBER(name, where, key, ...) MODEL_SM_##where##key(name)
#define MODEL_SM_SIDE1(name) bool *name;
#define MODEL_SM_SIDE0(name)
#define MODEL_SM_TRUST1(name)
#define MODEL_SM_TRUST0(name)
/* clang-format on */

/* Per-side values of a two-way trust (override: {domain: {...}}). */
struct model_side_opts {
	/* sid_filtering, sid_history, selective_authentication, ... */
	MODEL_BOOL_FIELDS(MODEL_SIDE_MEMBER)
	uint32_t *encryption; /* msDS-SupportedEncryptionTypes bits */
};

struct model_override {
	char *domain;
	struct model_side_opts opts;
};

struct model_pos;   /* YAML positions, private to model/ */
struct model_index; /* name indexes, private to model/ */

struct model_suffixes {
	char **enable;
	unsigned n_enable;
	char **disable;
	unsigned n_disable;
	char **exclude;
	unsigned n_exclude;
	enum model_unlisted unlisted;
	bool exclude_set; /* not YAML: 'exclude' was given (then authoritative)
	                   */
};

struct model_ignore {
	char *field; /* a plan field name, e.g. "encryption", "name_suffixes" */
	char *until; /* YYYY-MM-DD, last day the rule is in force */
	char *reason;
	char *side; /* optional: only this domain's side */
};

struct model_trust {
	char *trusting; /* netdom's first argument: its resources are shared */
	char *trusted;  /* netdom /domain: its users get access */
	enum model_ensure ensure;
	enum model_direction direction;
	enum model_trust_type type;
	enum model_sides sides;
	struct model_secret *password;
	/* transitive, uplevel_only, uses_rc4, uses_aes, pim */
	MODEL_BOOL_FIELDS(MODEL_TRUST_MEMBER)
	struct model_side_opts opts;
	struct model_suffixes *name_suffixes;
	struct model_override *override;
	unsigned n_override;
	bool protect;
	struct model_ignore *ignore;
	unsigned n_ignore;
};

/*
 * policy: audit rules enforced on the desired state (plan/apply refuse a
 * trust that violates one), with waivers (like ignore rules: 'until' is
 * the last day in force).  Rule ids are checked by reconcile/audit.c.
 */
struct model_waiver {
	char *rule;  /* a rule id ("ADT001") or name */
	char *trust; /* "TRUSTING:TRUSTED" as declared */
	char *reason;
	char *until; /* YYYY-MM-DD */
};

struct model_policy {
	char **enforce; /* rule ids or names */
	unsigned n_enforce;
	char **allow_sid_history; /* migration domains: SID rules skip them */
	unsigned n_allow_sid_history;
	unsigned *max_secret_age_days;
	struct model_waiver *waivers;
	unsigned n_waivers;
};

struct model {
	unsigned version;
	struct model_domain *domains;
	unsigned n_domains;
	struct model_credential *credentials;
	unsigned n_credentials;
	struct model_trust *trusts;
	unsigned n_trusts;
	struct model_policy *policy; /* NULL: none */

	/* Not from YAML: filled by the loader. */
	char *path;            /* as given */
	char *text;            /* the file's bytes, NUL-terminated (no secrets:
	                          literal secrets are refused) */
	char sha256[65];       /* of the file's bytes */
	struct model_pos *pos; /* YAML positions by path, for diagnostics */
	struct model_index *index; /* by name; NULL (a model built by hand):
	                              lookups scan */
};

/*
 * Loads and validates a desired-state file.  Every problem found (syntax,
 * schema, semantics) is appended to *diags as "file:line:col: message";
 * returns ERR_INVALID if there was any, and then *out is NULL.  ERR_IO when
 * the file cannot be read.  On success the caller owns *out (model_free).
 */
int model_load_file(struct model **out, const char *path, struct diags *diags,
                    struct err *err);
/* The same from memory; name is used in messages. */
int model_load_buf(struct model **out, const char *name, const char *buf,
                   size_t len, struct diags *diags, struct err *err);
void model_free(struct model *m);

/* Semantic checks (called by the loaders; exposed for tests). */
void model_validate(const struct model *m, struct diags *out);

/* Looks up a domain by name (case-insensitive); borrowed or NULL. */
const struct model_domain *model_domain_find(const struct model *m,
                                             const char *name);
/*
 * The DC a domain is written through: 'rpc', else the host of its 'ldap'
 * URI; NULL when neither names one.  The caller frees it.
 */
char *model_domain_dc_host(const struct model_domain *d);
const struct model_credential *model_cred_find(const struct model *m,
                                               const char *name);

/* Where a YAML path ("trusts[2].direction") starts; 0/0 when unknown. */
void model_pos_lookup(const struct model *m, const char *path, unsigned *line,
                      unsigned *col);

/* ---- TDOs: expected (from expansion) and observed (from providers) ---- */

/* Which fields of an expected TDO the desired state manages. */
enum model_tdo_fields {
	TDO_F_DIRECTION = 1 << 0,
	TDO_F_TYPE = 1 << 1,
	TDO_F_ATTRIBUTES = 1 << 2, /* only the bits in attr_mask */
	TDO_F_ENCTYPES = 1 << 3,
	TDO_F_SUFFIXES = 1 << 4,
	TDO_F_FLATNAME = 1 << 5,
	TDO_F_SID = 1 << 6,
};

/*
 * A realm side (the MIT half of a realm trust) is the pair of cross-realm
 * principals in the realm's KDC, not a TDO.  From the realm's view (the
 * TDO directions): INBOUND, its users get tickets in the partner, is
 * krbtgt/PARTNER@REALM; OUTBOUND, the partner's users get tickets here, is
 * krbtgt/REALM@PARTNER (spec TRUST-DATA-MODEL 6.1).
 */
#define MODEL_PRINC_IN 0u  /* krbtgt/PARTNER@REALM */
#define MODEL_PRINC_OUT 1u /* krbtgt/REALM@PARTNER */

struct model_princ {
	bool present;
	uint32_t kvno;     /* of its newest keys */
	uint32_t enctypes; /* ENC_* bits of its newest keys */
	size_t n_other;    /* newest keys of enctypes without an ENC_ bit */
	uint32_t flags;    /* KDB attributes (KRB5_KDB_DISALLOW_ALL_TIX...) */
};

/* The enctypes value of a realm side whose principals disagree. */
#define MODEL_ENC_MIXED 0x80000000u

struct model_tdo {
	char *domain;    /* DNS name of the domain holding the TDO */
	char *partner;   /* trustPartner */
	char *flat_name; /* flatName, may be NULL */
	char *sid;       /* securityIdentifier as text, may be NULL */
	uint32_t direction;
	uint32_t type;
	uint32_t attributes;
	uint32_t attr_mask; /* expected: managed bits; observed: all ones */
	uint32_t enctypes;
	bool has_enctypes; /* msDS-SupportedEncryptionTypes present */
	unsigned fields;   /* expected: enum model_tdo_fields */

	/* Expected only: */
	const struct model_suffixes *suffixes; /* borrowed from the model */
	const struct model_trust *trust;       /* borrowed */
	size_t trust_index;

	/* Observed only: */
	bool has_fti;
	struct fti fti;
	uint8_t *fti_blob; /* raw msDS-TrustForestTrustInfo, kept for write-back
	                    */
	size_t fti_len;
	char guid[40];   /* objectGUID as text, "" if unknown */
	char digest[65]; /* sha256 of the attribute values read */
	char *dn;
	char *source; /* "file.ldif:12" or the LDAP URI */
	/*
	 * When each secret was last set: the originating change time of
	 * trustAuthOutgoing / trustAuthIncoming in the TDO's
	 * replPropertyMetaData (replicated: the same on every DC), Unix
	 * seconds; 0 when unknown.
	 */
	long long secret_out_set;
	long long secret_in_set;

	/* A realm side (see MODEL_PRINC_IN): plain data only. */
	bool realm_side;
	struct model_princ princ[2]; /* observed; expected: kvno wanted */
};

struct model_domain_state {
	char *name; /* DNS name, lower case */
	char *netbios;
	char *sid;
	char *dn;          /* DC=a,DC=test */
	char *forest_root; /* DNS name of the forest root domain */
	char *vendor;      /* rootDSE vendorName ("Samba Team (...)") or "" */
	int functional_level; /* domainFunctionality, -1 if unknown */
	struct model_tdo *tdos;
	size_t n_tdos;
	char *source; /* where it was read from */
	/*
	 * Not read, on purpose (an MIT realm in a snapshot: its principals
	 * are no LDIF): the diff plans nothing for it and says so.
	 */
	bool unread;
};

struct model_state {
	struct model_domain_state *domains;
	size_t n_domains;
};

void model_tdo_init(struct model_tdo *t);
void model_tdo_release(struct model_tdo *t);
void model_tdo_copy(struct model_tdo *dst, const struct model_tdo *src);
void model_domain_state_release(struct model_domain_state *d);
void model_state_init(struct model_state *s);
void model_state_release(struct model_state *s);
/* Appends an empty domain state and returns it (owned by s). */
struct model_domain_state *model_state_add(struct model_state *s);
/* Appends an empty TDO to a domain and returns it. */
struct model_tdo *model_domain_state_add_tdo(struct model_domain_state *d);
const struct model_domain_state *model_state_find(const struct model_state *s,
                                                  const char *name);

/*
 * Expands each present trust into the expected TDO on every managed side
 * (the trusting domain's side, the trusted domain's side, or both), and
 * each absent trust into "no TDO" markers.  Sorted by (domain, partner).
 * The caller releases *out with model_expected_release.
 */
struct model_expected {
	struct model_tdo *tdos; /* sides that must exist */
	size_t n_tdos;
	struct model_tdo
	        *absent; /* sides that must not exist (domain, partner) */
	size_t n_absent;
};

int model_expand(struct model_expected *out, const struct model *m,
                 struct err *err);
/*
 * Appends the realm sides (the MIT half of each realm trust whose realm
 * side is managed: realm_side set, type MIT, direction from the realm's
 * view, no attribute bits, encryption as for an AD side) to *out, and
 * sorts both lists again.  Call it after model_expand.
 */
int model_expand_realms(struct model_expected *out, const struct model *m,
                        struct err *err);
/* Whether the realm side of t held by MIT realm d is managed here. */
bool model_realm_side_managed(const struct model_trust *t,
                              const struct model_domain *d, bool trusting);
/*
 * The Kerberos realm of a domain name: an AD domain's is its DNS name upper
 * cased; an MIT realm (or a name the model does not know) is taken as
 * written, upper cased too (m may be NULL).  The caller frees it.
 */
char *model_realm_of(const struct model *m, const char *name);
/*
 * The name of principal k (MODEL_PRINC_IN/OUT) of realm side t:
 * "krbtgt/NA.TEST@ATHENA.TEST".
 */
void model_princ_name(char *buf, size_t len, const struct model_tdo *t,
                      unsigned k);
/*
 * Whether the side of t held by d (its trusting side, or its trusted
 * side) is one this desired state manages: the rule model_expand follows,
 * for callers that need the domains without the expansion.
 */
bool model_side_managed(const struct model_trust *t,
                        const struct model_domain *d, bool trusting);
void model_expected_release(struct model_expected *e);

/*
 * Name suffixes (model/suffixes.c).  model_fti_resolve: the forest trust
 * records a TDO must hold, the observed records (NULL: none) with the
 * suffix spec applied (enable/disable by name, exclusions as the complete
 * set when given, unlisted TLNs kept or disabled).  Conflict flags and
 * DOMAIN records are kept.  *f is released first.  The diff and apply both
 * call it, so what is planned is what is stored.
 */
void model_fti_resolve(struct fti *f, const struct fti *observed,
                       const struct model_suffixes *s);
/* A record of type and name (case-insensitive) in f; borrowed or NULL. */
struct fti_record *model_fti_find(struct fti *f, uint8_t type,
                                  const char *name);

/*
 * The fields a plan compares, one row each, in the order plans list their
 * changes: the name used in YAML, plans, JSON and ignore rules, the kind
 * of value (which decides how it is compared, rendered, exported and put
 * back by an ignore rule), the AD attribute that holds it, the
 * trustAttributes bits it manages, the trust types it applies to and
 * whether each side may have its own value.  The TDO fields come first;
 * then one row per boolean field, made from the key rows of
 * MODEL_BOOL_FIELDS (the bits are those of all rows of the name).
 */
enum model_field_kind {
	MODEL_FK_DIRECTION, /* trustDirection: inbound, outbound, two-way */
	MODEL_FK_TYPE,      /* the trust kind: trustType and two bits */
	MODEL_FK_STRING,    /* a string of the TDO, compared without case */
	MODEL_FK_ENCTYPES,  /* a bit set of MODEL_ENCTYPES names */
	MODEL_FK_SUFFIXES,  /* forest trust info: one change per name */
	MODEL_FK_BOOL,      /* a row of MODEL_BOOL_FIELDS */
};

/* clang-format off */
/* X(name, kind, attribute, bits, types, per_side, tdo_string) */
#define MODEL_TDO_FIELDS(X)                                                    \
	X(direction, DIRECTION, "trustDirection", 0, MODEL_T_ALL, false, NONE) \
	X(type, TYPE, "trustType", TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST,    \
	  MODEL_T_ALL, false, NONE)                                            \
	X(flat_name, STRING, "flatName", 0, MODEL_T_AD, false, flat_name)      \
	X(sid, STRING, "securityIdentifier", 0, MODEL_T_AD, false, sid)        \
	X(encryption, ENCTYPES, "msDS-SupportedEncryptionTypes", 0,            \
	  MODEL_T_ALL, true, NONE)                                             \
	X(name_suffixes, SUFFIXES, "msDS-TrustForestTrustInfo", 0,             \
	  MODEL_T_FOREST, false, NONE)
/* clang-format on */

/* Index of each row in model_fields: MODEL_F_direction, ... */
#define MODEL_F_ENUM_TDO(name, ...) MODEL_F_##name,
#define MODEL_F_ENUM_BOOL(name, where, key, ...) MODEL_F_ENUM_BOOL_##key(name)
#define MODEL_F_ENUM_BOOL_1(name) MODEL_F_##name,
#define MODEL_F_ENUM_BOOL_0(name)
enum model_field_id {
	MODEL_TDO_FIELDS(MODEL_F_ENUM_TDO) MODEL_BOOL_FIELDS(MODEL_F_ENUM_BOOL)
	        MODEL_N_FIELDS
};

struct model_field {
	const char *name; /* YAML, plan, JSON and ignore-rule name */
	enum model_field_kind kind;
	const char *attribute; /* the AD attribute that holds it */
	uint32_t bits;         /* the trustAttributes bits it manages; BOOL:
	                          see model_field_bits */
	unsigned types;        /* 1 << enum model_trust_type it applies to;
	                          BOOL: the key row's, see model_field_types */
	bool per_side;         /* each side may have its own value */
	size_t tdo_offset;     /* STRING: its char * in struct model_tdo */
};
extern const struct model_field model_fields[MODEL_N_FIELDS];
/* The name of a row: MODEL_FIELD(direction) is "direction". */
#define MODEL_FIELD(id) (model_fields[MODEL_F_##id].name)

/*
 * The row of a plan field: its name, or its name with a "[...]" part
 * ("encryption[krbtgt/A.TEST@B.TEST]", "name_suffixes[b.test]"); NULL.
 */
const struct model_field *model_field_find(const char *plan_field);
bool model_field_known(const char *name);
/* The trustAttributes bits a field manages (BOOL: of all rows of its name). */
uint32_t model_field_bits(const struct model_field *f);
/* The trust types a field applies to (BOOL: of all rows of its name). */
unsigned model_field_types(const struct model_field *f);
/* The field's value of a TDO, for a STRING row (else NULL). */
char **model_field_string(const struct model_field *f, struct model_tdo *t);
const char *model_field_string_of(const struct model_field *f,
                                  const struct model_tdo *t);

/*
 * The trustAttributes bits and their names.  For bits whose YAML field
 * reads inverted (sid_filtering on a forest trust is !TREAT_AS_EXTERNAL,
 * transitive is !NON_TRANSITIVE, auth_target_validation is
 * !DISABLE_AUTH_TARGET_VALIDATION) the name is the bit's own.
 */
struct model_attr_bit {
	uint32_t bit;
	const char *name;  /* "QUARANTINED_DOMAIN" */
	const char *field; /* the plan field that manages it, or NULL */
};
extern const struct model_attr_bit model_attr_bits[];
extern const size_t model_n_attr_bits;

/*
 * The trust kind a TDO expresses, as the YAML's 'type' names it:
 * "realm", "forest", "external", "downlevel" (trustType 1), "shortcut";
 * and for an observed TDO (holder given: the domain that holds it), the
 * kinds AD makes itself: "parent-child" (WITHIN_FOREST between a domain
 * and its DNS parent) and "tree-root" (WITHIN_FOREST between a tree's
 * root and the forest root).  The one derivation of it (diff, renderers,
 * export).
 */
const char *model_tdo_kind(const struct model_tdo *t,
                           const struct model_domain_state *holder);
/* A kind AD creates and removes itself (promotion): never planned. */
bool model_kind_is_system(const char *kind);

/* ---- the boolean trust fields: MODEL_BOOL_FIELDS as a table ---- */

enum model_default {
	MODEL_DEFAULT_NONE = 0, /* left out: the live or server value stays */
	MODEL_DEFAULT_FALSE,    /* left out: false on a create */
	MODEL_DEFAULT_TRUE,     /* left out: true on a create */
};

struct model_bool_field {
	const char *name; /* YAML, plan, JSON and ignore-rule name */
	uint32_t bit;     /* the trustAttributes bit */
	uint32_t pair;    /* a bit set to the opposite of bit, or 0 */
	bool inverted;    /* the field is true when bit is clear */
	unsigned types;   /* 1 << enum model_trust_type it applies to */
	bool outbound;    /* only on sides that let partner users in */
	size_t offset;    /* of its bool * in model_trust or model_side_opts */
	bool per_side;    /* in model_side_opts: 'override' may set it */
	enum model_default create_default;
	bool only_if_set; /* export writes it only when a bit is set */
	bool key;         /* declares the YAML key (the first row of name) */
	const char *why;  /* key rows: validation's "'name' why" */
};
extern const struct model_bool_field model_bool_fields[];
extern const size_t model_n_bool_fields;

bool model_bool_field_applies(const struct model_bool_field *f,
                              enum model_trust_type type);
/* The trust types the rows of f's name read a bit on, together. */
unsigned model_bool_field_types(const struct model_bool_field *f);
/* The value the file gives for side (a domain name, or NULL), or NULL. */
const bool *model_bool_field_get(const struct model_bool_field *f,
                                 const struct model_trust *t, const char *side);
/* The field's value in trustAttributes. */
bool model_bool_field_value(const struct model_bool_field *f,
                            uint32_t attributes);

/* Names of bits and values, for renderers and export. */
const char *model_dir_name(uint32_t direction); /* "inbound", ... */
const char *model_type_name(uint32_t type);     /* "uplevel", ... */
/* Writes "0x18 (aes128, aes256)" style text into buf. */
void model_enctypes_str(char *buf, size_t len, uint32_t enctypes);
void model_attrs_str(char *buf, size_t len, uint32_t attrs);

/*
 * Resolves a secret reference ({env:}, {file:} first line, {prompt:} on the
 * terminal).  *out is the caller's: release it with model_secret_free, which
 * wipes it.  Messages name 'what' and the reference, never the value.
 */
int model_secret_resolve(char **out, const struct model_secret *ref,
                         const char *what, struct err *err);
void model_secret_free(char *s);

/*
 * A run's secrets, so that one {prompt:} is asked once however many
 * connections need it.  model_secret_get is model_secret_resolve through the
 * cache (c may be NULL: no cache); *out is still the caller's copy.  The
 * cache wipes what it holds when freed.
 */
struct model_secret_cache;
struct model_secret_cache *model_secret_cache_new(void);
void model_secret_cache_free(struct model_secret_cache *c);
int model_secret_get(struct model_secret_cache *c, char **out,
                     const struct model_secret *ref, const char *what,
                     struct err *err);

#endif
