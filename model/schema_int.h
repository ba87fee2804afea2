#ifndef ADT_MODEL_SCHEMA_INT_H
#define ADT_MODEL_SCHEMA_INT_H

/*
 * The libcyaml schema of desired state version 1 (private to model/).  The
 * position checker in load.c walks these same tables over the libyaml
 * document, so the schema exists once.
 */

#include <cyaml/cyaml.h>

extern const cyaml_schema_value_t model_schema_top;
/* The secret-reference mapping, recognised by identity for its message. */
extern const cyaml_schema_field_t model_schema_secret_fields[];

#endif
