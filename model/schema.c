/*
 * Desired state, version 1: the libcyaml schema.  docs/schema.md describes
 * the same thing for people; keep them together.
 */
#include "model/schema_int.h"

#include "model/model.h"

#define OPT CYAML_FLAG_OPTIONAL
#define ENUMF (CYAML_FLAG_STRICT | CYAML_FLAG_CASE_INSENSITIVE)

static const cyaml_strval_t kind_strings[] = {
        {"ad", MODEL_KIND_AD},
        {"mit-realm", MODEL_KIND_MIT_REALM},
};

static const cyaml_strval_t method_strings[] = {
        {"kerberos", MODEL_CRED_KERBEROS},
        {"password", MODEL_CRED_PASSWORD},
        {"keytab", MODEL_CRED_KEYTAB},
};

static const cyaml_strval_t direction_strings[] = {
        {"one-way", MODEL_DIR_ONE_WAY},
        {"two-way", MODEL_DIR_TWO_WAY},
};

static const cyaml_strval_t type_strings[] = {
        {"external", MODEL_TYPE_EXTERNAL},   {"forest", MODEL_TYPE_FOREST},
        {"realm", MODEL_TYPE_REALM},         {"shortcut", MODEL_TYPE_SHORTCUT},
        {"downlevel", MODEL_TYPE_DOWNLEVEL},
};

static const cyaml_strval_t sides_strings[] = {
        {"both", MODEL_SIDES_BOTH},
        {"trusting", MODEL_SIDES_TRUSTING},
        {"trusted", MODEL_SIDES_TRUSTED},
};

static const cyaml_strval_t ensure_strings[] = {
        {"present", MODEL_PRESENT},
        {"absent", MODEL_ABSENT},
};

static const cyaml_strval_t unlisted_strings[] = {
        {"keep", MODEL_UNLISTED_KEEP},
        {"disable", MODEL_UNLISTED_DISABLE},
};

#define ENCTYPE_STRVAL(name, bit) {name, bit},
static const cyaml_strval_t enctype_strings[] = {
        MODEL_ENCTYPES(ENCTYPE_STRVAL)};
#undef ENCTYPE_STRVAL

const cyaml_schema_field_t model_schema_secret_fields[] = {
        CYAML_FIELD_STRING_PTR("env", CYAML_FLAG_POINTER | OPT,
                               struct model_secret, env, 1, 255),
        CYAML_FIELD_STRING_PTR("file", CYAML_FLAG_POINTER | OPT,
                               struct model_secret, file, 1, 4095),
        CYAML_FIELD_STRING_PTR("prompt", CYAML_FLAG_POINTER | OPT,
                               struct model_secret, prompt, 1, 255),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t string_entry = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 255),
};

static const cyaml_schema_field_t domain_fields[] = {
        CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct model_domain,
                               name, 1, 255),
        CYAML_FIELD_STRING_PTR("netbios", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, netbios, 1, 15),
        CYAML_FIELD_STRING_PTR("sid", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, sid, 1, 191),
        CYAML_FIELD_ENUM("kind", ENUMF | OPT, struct model_domain, kind,
                         kind_strings, CYAML_ARRAY_LEN(kind_strings)),
        CYAML_FIELD_STRING_PTR("ldap", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, ldap, 1, 1024),
        CYAML_FIELD_STRING_PTR("rpc", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, rpc, 1, 255),
        CYAML_FIELD_STRING_PTR("kadmin", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, kadmin, 1, 255),
        CYAML_FIELD_STRING_PTR("credentials", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, credentials, 1, 255),
        CYAML_FIELD_BOOL_PTR("starttls", OPT, struct model_domain, starttls),
        CYAML_FIELD_STRING_PTR("service", CYAML_FLAG_POINTER | OPT,
                               struct model_domain, service, 1, 255),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t domain_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_domain,
                            domain_fields),
};

static const cyaml_schema_field_t credential_fields[] = {
        CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER,
                               struct model_credential, name, 1, 255),
        CYAML_FIELD_ENUM("method", ENUMF, struct model_credential, method,
                         method_strings, CYAML_ARRAY_LEN(method_strings)),
        CYAML_FIELD_STRING_PTR("user", CYAML_FLAG_POINTER | OPT,
                               struct model_credential, user, 1, 255),
        CYAML_FIELD_MAPPING_PTR("password", CYAML_FLAG_POINTER | OPT,
                                struct model_credential, password,
                                model_schema_secret_fields),
        CYAML_FIELD_STRING_PTR("ccache", CYAML_FLAG_POINTER | OPT,
                               struct model_credential, ccache, 1, 4095),
        CYAML_FIELD_STRING_PTR("keytab", CYAML_FLAG_POINTER | OPT,
                               struct model_credential, keytab, 1, 4095),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t credential_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_credential,
                            credential_fields),
};

/*
 * The boolean fields' keys come from their rows (MODEL_BOOL_FIELDS): a key
 * row of where TRUST is a key of a trust, of where SIDE a key of a trust
 * and of its overrides.
 */
#define TRUST_KEY(name, where, key, ...) TRUST_KEY_##where##key(name)
#define TRUST_KEY_TRUST1(name)                                                 \
	CYAML_FIELD_BOOL_PTR(#name, OPT, struct model_trust, name),
#define TRUST_KEY_TRUST0(name)
#define TRUST_KEY_SIDE1(name)
#define TRUST_KEY_SIDE0(name)
#define SIDE_KEY_T(name, where, key, ...) SIDE_KEY_T_##where##key(name)
#define SIDE_KEY_T_SIDE1(name)                                                 \
	CYAML_FIELD_BOOL_PTR(#name, OPT, struct model_trust, opts.name),
#define SIDE_KEY_T_SIDE0(name)
#define SIDE_KEY_T_TRUST1(name)
#define SIDE_KEY_T_TRUST0(name)
#define SIDE_KEY_O(name, where, key, ...) SIDE_KEY_O_##where##key(name)
#define SIDE_KEY_O_SIDE1(name)                                                 \
	CYAML_FIELD_BOOL_PTR(#name, OPT, struct model_override, opts.name),
#define SIDE_KEY_O_SIDE0(name)
#define SIDE_KEY_O_TRUST1(name)
#define SIDE_KEY_O_TRUST0(name)

/* Per-side options appear both in a trust and in its overrides. */
#define ENCRYPTION_FIELD(S)                                                    \
	CYAML_FIELD_FLAGS_PTR("encryption", ENUMF | OPT, S, opts.encryption,   \
	                      enctype_strings,                                 \
	                      CYAML_ARRAY_LEN(enctype_strings))

static const cyaml_schema_field_t override_fields[] = {
        CYAML_FIELD_STRING_PTR("domain", CYAML_FLAG_POINTER,
                               struct model_override, domain, 1, 255),
        MODEL_BOOL_FIELDS(SIDE_KEY_O) ENCRYPTION_FIELD(struct model_override),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t override_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_override,
                            override_fields),
};

static const cyaml_schema_field_t suffixes_fields[] = {
        CYAML_FIELD_SEQUENCE_COUNT("enable", CYAML_FLAG_POINTER | OPT,
                                   struct model_suffixes, enable, n_enable,
                                   &string_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT("disable", CYAML_FLAG_POINTER | OPT,
                                   struct model_suffixes, disable, n_disable,
                                   &string_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT("exclude", CYAML_FLAG_POINTER | OPT,
                                   struct model_suffixes, exclude, n_exclude,
                                   &string_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_ENUM("unlisted", ENUMF | OPT, struct model_suffixes,
                         unlisted, unlisted_strings,
                         CYAML_ARRAY_LEN(unlisted_strings)),
        CYAML_FIELD_END,
};

static const cyaml_schema_field_t ignore_fields[] = {
        CYAML_FIELD_STRING_PTR("field", CYAML_FLAG_POINTER, struct model_ignore,
                               field, 1, 64),
        CYAML_FIELD_STRING_PTR("until", CYAML_FLAG_POINTER, struct model_ignore,
                               until, 10, 10),
        CYAML_FIELD_STRING_PTR("reason", CYAML_FLAG_POINTER,
                               struct model_ignore, reason, 1, 1024),
        CYAML_FIELD_STRING_PTR("side", CYAML_FLAG_POINTER | OPT,
                               struct model_ignore, side, 1, 255),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t ignore_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_ignore,
                            ignore_fields),
};

static const cyaml_schema_field_t trust_fields[] = {
        CYAML_FIELD_STRING_PTR("trusting", CYAML_FLAG_POINTER,
                               struct model_trust, trusting, 1, 255),
        CYAML_FIELD_STRING_PTR("trusted", CYAML_FLAG_POINTER,
                               struct model_trust, trusted, 1, 255),
        CYAML_FIELD_ENUM("ensure", ENUMF | OPT, struct model_trust, ensure,
                         ensure_strings, CYAML_ARRAY_LEN(ensure_strings)),
        CYAML_FIELD_ENUM("direction", ENUMF | OPT, struct model_trust,
                         direction, direction_strings,
                         CYAML_ARRAY_LEN(direction_strings)),
        CYAML_FIELD_ENUM("type", ENUMF, struct model_trust, type, type_strings,
                         CYAML_ARRAY_LEN(type_strings)),
        CYAML_FIELD_ENUM("sides", ENUMF | OPT, struct model_trust, sides,
                         sides_strings, CYAML_ARRAY_LEN(sides_strings)),
        CYAML_FIELD_MAPPING_PTR("password", CYAML_FLAG_POINTER | OPT,
                                struct model_trust, password,
                                model_schema_secret_fields),
        MODEL_BOOL_FIELDS(TRUST_KEY) MODEL_BOOL_FIELDS(SIDE_KEY_T)
                ENCRYPTION_FIELD(struct model_trust),
        CYAML_FIELD_MAPPING_PTR("name_suffixes", CYAML_FLAG_POINTER | OPT,
                                struct model_trust, name_suffixes,
                                suffixes_fields),
        CYAML_FIELD_SEQUENCE_COUNT("override", CYAML_FLAG_POINTER | OPT,
                                   struct model_trust, override, n_override,
                                   &override_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_BOOL("protect", OPT, struct model_trust, protect),
        CYAML_FIELD_SEQUENCE_COUNT("ignore", CYAML_FLAG_POINTER | OPT,
                                   struct model_trust, ignore, n_ignore,
                                   &ignore_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t trust_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_trust,
                            trust_fields),
};

static const cyaml_schema_field_t waiver_fields[] = {
        CYAML_FIELD_STRING_PTR("rule", CYAML_FLAG_POINTER, struct model_waiver,
                               rule, 1, 64),
        CYAML_FIELD_STRING_PTR("trust", CYAML_FLAG_POINTER, struct model_waiver,
                               trust, 3, 511),
        CYAML_FIELD_STRING_PTR("reason", CYAML_FLAG_POINTER,
                               struct model_waiver, reason, 1, 1024),
        CYAML_FIELD_STRING_PTR("until", CYAML_FLAG_POINTER, struct model_waiver,
                               until, 10, 10),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t waiver_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct model_waiver,
                            waiver_fields),
};

static const cyaml_schema_field_t policy_fields[] = {
        CYAML_FIELD_SEQUENCE_COUNT("enforce", CYAML_FLAG_POINTER | OPT,
                                   struct model_policy, enforce, n_enforce,
                                   &string_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT(
                "allow_sid_history", CYAML_FLAG_POINTER | OPT,
                struct model_policy, allow_sid_history, n_allow_sid_history,
                &string_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_UINT_PTR("max_secret_age_days", CYAML_FLAG_POINTER | OPT,
                             struct model_policy, max_secret_age_days),
        CYAML_FIELD_SEQUENCE_COUNT("waivers", CYAML_FLAG_POINTER | OPT,
                                   struct model_policy, waivers, n_waivers,
                                   &waiver_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_END,
};

static const cyaml_schema_field_t top_fields[] = {
        CYAML_FIELD_UINT("version", CYAML_FLAG_DEFAULT, struct model, version),
        CYAML_FIELD_SEQUENCE_COUNT("domains", CYAML_FLAG_POINTER | OPT,
                                   struct model, domains, n_domains,
                                   &domain_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT("credentials", CYAML_FLAG_POINTER | OPT,
                                   struct model, credentials, n_credentials,
                                   &credential_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT("trusts", CYAML_FLAG_POINTER | OPT,
                                   struct model, trusts, n_trusts, &trust_entry,
                                   0, CYAML_UNLIMITED),
        CYAML_FIELD_MAPPING_PTR("policy", CYAML_FLAG_POINTER | OPT,
                                struct model, policy, policy_fields),
        CYAML_FIELD_END,
};

const cyaml_schema_value_t model_schema_top = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct model, top_fields),
};
