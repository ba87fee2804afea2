/* Names of trust values and bits: one table, used by every renderer. */
#include "model/model.h"

#include <stddef.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "model/model_int.h"

#define ENCTYPE_ROW(name, bit) {name, bit},
const struct model_enctype model_enctypes[] = {MODEL_ENCTYPES(ENCTYPE_ROW)};
#undef ENCTYPE_ROW
const size_t model_n_enctypes =
        sizeof(model_enctypes) / sizeof(model_enctypes[0]);

/*
 * The plan fields: the TDO rows, then a row per boolean field's key row
 * (model_field_bits gives the bits of every row of its name: sid_filtering
 * reads QUARANTINED_DOMAIN on external trusts, TREAT_AS_EXTERNAL on
 * forests).
 */
#define TDO_OFFSET_NONE 0
#define TDO_OFFSET(m) offsetof(struct model_tdo, m)
#define TDO_ROW(name, kind, attribute, bits, types, per_side, string)          \
	[MODEL_F_##name] = {#name, MODEL_FK_##kind, attribute,          bits,  \
	                    types, per_side,        TDO_OFFSET_##string},
#define TDO_OFFSET_flat_name TDO_OFFSET(flat_name)
#define TDO_OFFSET_sid TDO_OFFSET(sid)
#define BOOL_ROW(name, where, key, bit, pair, inverted, types, ...)            \
	BOOL_ROW_##key(name, where, types)
#define BOOL_ROW_1(name, where, types)                                         \
	[MODEL_F_##name] = {#name, MODEL_FK_BOOL, "trustAttributes",           \
	                    0,     types,         BOOL_SIDE_##where,           \
	                    0},
#define BOOL_ROW_0(name, where, types)
#define BOOL_SIDE_TRUST false
#define BOOL_SIDE_SIDE true
const struct model_field model_fields[MODEL_N_FIELDS] = {
        MODEL_TDO_FIELDS(TDO_ROW) MODEL_BOOL_FIELDS(BOOL_ROW)};

const struct model_field *
model_field_find(const char *plan_field)
{
	size_t n = strcspn(plan_field, "[");

	if (plan_field[n] == '[' && plan_field[strlen(plan_field) - 1] != ']')
		return NULL;
	for (size_t i = 0; i < MODEL_N_FIELDS; i++)
		if (strncmp(model_fields[i].name, plan_field, n) == 0 &&
		    model_fields[i].name[n] == '\0')
			return &model_fields[i];
	return NULL;
}

bool
model_field_known(const char *name)
{
	const struct model_field *f = model_field_find(name);

	return f != NULL && strcmp(f->name, name) == 0;
}

uint32_t
model_field_bits(const struct model_field *f)
{
	uint32_t bits = f->bits;
	unsigned types;

	if (f->kind == MODEL_FK_BOOL)
		model_bool_rows_of(f->name, &bits, &types);
	return bits;
}

unsigned
model_field_types(const struct model_field *f)
{
	uint32_t bits;
	unsigned types = f->types;

	if (f->kind == MODEL_FK_BOOL)
		model_bool_rows_of(f->name, &bits, &types);
	return types;
}

const char *
model_field_string_of(const struct model_field *f, const struct model_tdo *t)
{
	return f->kind == MODEL_FK_STRING
	               ? *(char *const *)(const void *)((const char *)t +
	                                                f->tdo_offset)
	               : NULL;
}

char **
model_field_string(const struct model_field *f, struct model_tdo *t)
{
	return f->kind == MODEL_FK_STRING
	               ? (char **)(void *)((char *)t + f->tdo_offset)
	               : NULL;
}

/*
 * Spec section 2.3.  QUARANTINED_DOMAIN and TREAT_AS_EXTERNAL are both
 * managed by the field sid_filtering (and sid_history), depending on the
 * trust type; the TGT delegation pair by tgt_delegation.
 */
const struct model_attr_bit model_attr_bits[] = {
        {TA_NON_TRANSITIVE, "NON_TRANSITIVE", "transitive"},
        {TA_UPLEVEL_ONLY, "UPLEVEL_ONLY", "uplevel_only"},
        {TA_QUARANTINED_DOMAIN, "QUARANTINED_DOMAIN", "sid_filtering"},
        {TA_FOREST_TRANSITIVE, "FOREST_TRANSITIVE", "type"},
        {TA_CROSS_ORGANIZATION, "CROSS_ORGANIZATION",
         "selective_authentication"},
        {TA_WITHIN_FOREST, "WITHIN_FOREST", "type"},
        {TA_TREAT_AS_EXTERNAL, "TREAT_AS_EXTERNAL", "sid_filtering"},
        {TA_USES_RC4_ENCRYPTION, "USES_RC4_ENCRYPTION", "uses_rc4"},
        {TA_USES_AES_KEYS, "USES_AES_KEYS", "uses_aes"},
        {TA_CROSS_ORG_NO_TGT_DELEGATION, "CROSS_ORGANIZATION_NO_TGT_DELEGATION",
         "tgt_delegation"},
        {TA_PIM_TRUST, "PIM_TRUST", "pim"},
        {TA_CROSS_ORG_ENABLE_TGT_DELEGATION,
         "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION", "tgt_delegation"},
        {TA_DISABLE_AUTH_TARGET_VALIDATION, "DISABLE_AUTH_TARGET_VALIDATION",
         "auth_target_validation"},
        {0x00400000u, "TREE_PARENT", NULL},
        {0x00800000u, "TREE_ROOT", NULL},
};
const size_t model_n_attr_bits =
        sizeof(model_attr_bits) / sizeof(model_attr_bits[0]);

const char *
model_dir_name(uint32_t direction)
{
	switch (direction) {
	case TDO_DIR_DISABLED:
		return "disabled";
	case TDO_DIR_INBOUND:
		return "inbound";
	case TDO_DIR_OUTBOUND:
		return "outbound";
	case TDO_DIR_BOTH:
		return "bidirectional";
	default:
		return "unknown";
	}
}

const char *
model_type_name(uint32_t type)
{
	switch (type) {
	case TDO_TYPE_DOWNLEVEL:
		return "downlevel";
	case TDO_TYPE_UPLEVEL:
		return "uplevel";
	case TDO_TYPE_MIT:
		return "mit";
	case TDO_TYPE_DCE:
		return "dce";
	default:
		return "unknown";
	}
}

void
model_enctypes_str(char *buf, size_t len, uint32_t enctypes)
{
	const struct model_enctype *names = model_enctypes;
	size_t off;
	int first = 1;

	off = (size_t)snprintf(buf, len, "0x%x (", enctypes);
	for (size_t i = 0; i < model_n_enctypes && off < len; i++) {
		if (!(enctypes & names[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        first ? "" : ", ", names[i].name);
		first = 0;
	}
	if (off < len)
		snprintf(buf + off, len - off, "%s)", first ? "none" : "");
}

void
model_attrs_str(char *buf, size_t len, uint32_t attrs)
{
	uint32_t known = 0;
	size_t off;
	int first = 1;

	off = (size_t)snprintf(buf, len, "0x%x (", attrs);
	for (size_t i = 0; i < model_n_attr_bits && off < len; i++) {
		known |= model_attr_bits[i].bit;
		if (!(attrs & model_attr_bits[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        first ? "" : "|",
		                        model_attr_bits[i].name);
		first = 0;
	}
	if ((attrs & ~known) && off < len) {
		off += (size_t)snprintf(buf + off, len - off, "%s0x%x",
		                        first ? "" : "|", attrs & ~known);
		first = 0;
	}
	if (off < len)
		snprintf(buf + off, len - off, "%s)", first ? "none" : "");
}

/* True if child is an immediate DNS child of parent (x.a.test, a.test). */
static bool
dns_child_of(const char *child, const char *parent)
{
	const char *dot = strchr(child, '.');

	return dot != NULL && strcasecmp(dot + 1, parent) == 0;
}

bool
model_dns_under(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return strcasecmp(a, b) == 0 || (la > lb && a[la - lb - 1] == '.' &&
	                                 strcasecmp(a + la - lb, b) == 0);
}

const char *
model_tdo_kind(const struct model_tdo *t,
               const struct model_domain_state *holder)
{
	if (t->type == TDO_TYPE_MIT)
		return "realm";
	if (t->attributes & TA_FOREST_TRANSITIVE)
		return "forest";
	if (t->attributes & TA_WITHIN_FOREST) {
		const char *self = holder != NULL ? holder->name : NULL;
		const char *root = holder != NULL ? holder->forest_root : NULL;

		if (self == NULL || t->partner == NULL)
			return "shortcut";
		if (dns_child_of(self, t->partner) ||
		    dns_child_of(t->partner, self))
			return "parent-child";
		/* two trees of one forest: one side is the forest root */
		if (root != NULL && !model_dns_under(self, t->partner) &&
		    !model_dns_under(t->partner, self) &&
		    (strcasecmp(self, root) == 0 ||
		     strcasecmp(t->partner, root) == 0) &&
		    strchr(t->partner, '.') != NULL)
			return "tree-root";
		return "shortcut";
	}
	if (t->type == TDO_TYPE_DOWNLEVEL)
		return "downlevel";
	return "external";
}

bool
model_kind_is_system(const char *kind)
{
	return strcmp(kind, "parent-child") == 0 ||
	       strcmp(kind, "tree-root") == 0;
}
