/*
 * The boolean trust fields as a table: the rows of MODEL_BOOL_FIELDS
 * (model/model.h, where the columns are described).  Expansion, the diff,
 * ignore rules, validation and export read this table; the struct members,
 * the schema and the plan fields' rows (model_fields, model/names.c) are
 * made from the same rows.
 */
#include "model/model.h"
#include "model/model_int.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define WHERE_TRUST(m) offsetof(struct model_trust, m), false
#define WHERE_SIDE(m) offsetof(struct model_side_opts, m), true
#define ROW(name, where, key, bit, pair, inverted, types, outbound, dflt,      \
            only_set, why)                                                     \
	{#name,                                                                \
	 bit,                                                                  \
	 pair,                                                                 \
	 inverted,                                                             \
	 types,                                                                \
	 outbound,                                                             \
	 WHERE_##where(name),                                                  \
	 MODEL_DEFAULT_##dflt,                                                 \
	 only_set,                                                             \
	 key != 0,                                                             \
	 why},

const struct model_bool_field model_bool_fields[] = {MODEL_BOOL_FIELDS(ROW)};
#undef ROW
const size_t model_n_bool_fields =
        sizeof(model_bool_fields) / sizeof(model_bool_fields[0]);

void
model_bool_rows_of(const char *name, uint32_t *bits, unsigned *types)
{
	*bits = 0;
	*types = 0;
	for (size_t i = 0; i < model_n_bool_fields; i++)
		if (strcmp(model_bool_fields[i].name, name) == 0) {
			*bits |= model_bool_fields[i].bit |
			         model_bool_fields[i].pair;
			*types |= model_bool_fields[i].types;
		}
}

unsigned
model_bool_field_types(const struct model_bool_field *f)
{
	uint32_t bits;
	unsigned types;

	model_bool_rows_of(f->name, &bits, &types);
	return types;
}

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
