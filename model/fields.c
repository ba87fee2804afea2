/*
 * The boolean trust fields, one row each (the kernel's netlink policy
 * tables and lsa_proto.c's spec table are the model): the YAML name, the
 * trustAttributes bit it stands for (inverted or not, and the bit of a
 * pair set to the opposite), the trust types and sides it applies to,
 * where the model holds it and its value on a create when the file leaves
 * it out.  Expansion, the diff and export read this table; adding such a
 * field is one row here, one member in model.h and schema.c, and tests.
 */
#include "model/model.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define T_EXT (1u << MODEL_TYPE_EXTERNAL)
#define T_FOREST (1u << MODEL_TYPE_FOREST)
#define T_REALM (1u << MODEL_TYPE_REALM)
#define T_SHORTCUT (1u << MODEL_TYPE_SHORTCUT)
#define T_DOWN (1u << MODEL_TYPE_DOWNLEVEL)
#define T_AD (T_EXT | T_FOREST | T_SHORTCUT | T_DOWN)
#define T_ALL (T_AD | T_REALM)

#define TRUST(m) offsetof(struct model_trust, m), false
#define SIDE(m) offsetof(struct model_side_opts, m), true

/* In the order plans list their changes. */
const struct model_bool_field model_bool_fields[] = {
        {"transitive", TA_NON_TRANSITIVE, 0, true, T_REALM, false,
         TRUST(transitive), MODEL_DEFAULT_FALSE, false},
        {"uplevel_only", TA_UPLEVEL_ONLY, 0, false, T_ALL, false,
         TRUST(uplevel_only), MODEL_DEFAULT_NONE, false},
        {"sid_filtering", TA_QUARANTINED_DOMAIN, 0, false,
         T_EXT | T_SHORTCUT | T_DOWN, true, SIDE(sid_filtering),
         MODEL_DEFAULT_TRUE, false},
        {"sid_filtering", TA_TREAT_AS_EXTERNAL, 0, true, T_FOREST, true,
         SIDE(sid_filtering), MODEL_DEFAULT_NONE, false},
        {"sid_history", TA_TREAT_AS_EXTERNAL, 0, false, T_FOREST, true,
         SIDE(sid_history), MODEL_DEFAULT_NONE, false},
        {"selective_authentication", TA_CROSS_ORGANIZATION, 0, false, T_ALL,
         true, SIDE(selective_authentication), MODEL_DEFAULT_NONE, false},
        {"uses_rc4", TA_USES_RC4_ENCRYPTION, 0, false, T_REALM, false,
         TRUST(uses_rc4), MODEL_DEFAULT_NONE, false},
        {"uses_aes", TA_USES_AES_KEYS, 0, false, T_ALL, false, TRUST(uses_aes),
         MODEL_DEFAULT_NONE, false},
        {"tgt_delegation", TA_CROSS_ORG_ENABLE_TGT_DELEGATION,
         TA_CROSS_ORG_NO_TGT_DELEGATION, false, T_ALL, true,
         SIDE(tgt_delegation), MODEL_DEFAULT_NONE, true},
        {"pim", TA_PIM_TRUST, 0, false, T_FOREST, true, TRUST(pim),
         MODEL_DEFAULT_NONE, false},
        {"auth_target_validation", TA_DISABLE_AUTH_TARGET_VALIDATION, 0, true,
         T_ALL, true, SIDE(auth_target_validation), MODEL_DEFAULT_NONE, false},
};
const size_t model_n_bool_fields =
        sizeof(model_bool_fields) / sizeof(model_bool_fields[0]);

bool
model_bool_field_applies(const struct model_bool_field *f,
                         enum model_trust_type type)
{
	return (f->types & (1u << type)) != 0;
}

static const struct model_side_opts *
override_for(const struct model_trust *t, const char *domain)
{
	for (unsigned i = 0; i < t->n_override; i++)
		if (domain != NULL &&
		    strcasecmp(t->override[i].domain, domain) == 0)
			return &t->override[i].opts;
	return NULL;
}

const bool *
model_bool_field_get(const struct model_bool_field *f,
                     const struct model_trust *t, const char *side)
{
	const bool *const *p;

	if (!f->per_side) {
		p = (const bool *const *)(const void *)((const char *)t +
		                                        f->offset);
		return *p;
	}
	{
		const struct model_side_opts *o = override_for(t, side);

		if (o != NULL) {
			p = (const bool *const *)(const void *)((const char *)
			                                                o +
			                                        f->offset);
			if (*p != NULL)
				return *p;
		}
		p = (const bool *const *)(const void *)((const char *)&t->opts +
		                                        f->offset);
		return *p;
	}
}

bool
model_bool_field_value(const struct model_bool_field *f, uint32_t attributes)
{
	return ((attributes & f->bit) != 0) != f->inverted;
}
