/*
 * The JSON plan (jansson), format_version "1".  Stable order: items in plan
 * order, keys in insertion order.  No secret ever reaches it: trust
 * passwords are references ({"env": NAME}) resolved at apply time.
 */
#include "reconcile/rec.h"

#include <jansson.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/version.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/*
 * The same values typed, as the YAML names them, with the raw AD value
 * beside them: "attributes": {"raw": 4, "names": [...]}, "encryption":
 * {"names": [...], "raw": 24}, "settings": {"sid_filtering": true, ...}
 * (every boolean field of the trust's type).
 */
static void
typed(json_t *o, const struct model_tdo *t)
{
	json_t *attrs = json_object(), *names = json_array(),
	       *set = json_object();
	enum model_trust_type type = rec_bits_type(t);

	json_object_set_new(attrs, "raw", json_integer(t->attributes));
	for (size_t i = 0; i < model_n_attr_bits; i++)
		if (t->attributes & model_attr_bits[i].bit)
			json_array_append_new(
			        names, json_string(model_attr_bits[i].name));
	json_object_set_new(attrs, "names", names);
	json_object_set_new(o, "attributes", attrs);
	if (t->has_enctypes) {
		json_t *enc = json_object(), *en = json_array();

		for (size_t i = 0; i < model_n_enctypes; i++)
			if (t->enctypes & model_enctypes[i].bit)
				json_array_append_new(
				        en,
				        json_string(model_enctypes[i].name));
		json_object_set_new(enc, "names", en);
		json_object_set_new(enc, "raw", json_integer(t->enctypes));
		json_object_set_new(o, "encryption", enc);
	} else {
		json_object_set_new(o, "encryption", json_null());
	}
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];

		if (model_bool_field_applies(f, type) &&
		    json_object_get(set, f->name) == NULL)
			json_object_set_new(set, f->name,
			                    json_boolean(model_bool_field_value(
			                            f, t->attributes)));
	}
	json_object_set_new(o, "settings", set);
	json_object_set_new(o, "kind", json_string(model_tdo_kind(t, NULL)));
}

static json_t *
tdo_json(const struct model_tdo *t)
{
	json_t *o = json_object(), *names = json_array(), *ftis = json_array();

	json_object_set_new(o, "trust_partner", json_string(t->partner));
	json_object_set_new(o, "flat_name", str_or_null(t->flat_name));
	json_object_set_new(o, "sid", str_or_null(t->sid));
	json_object_set_new(o, "direction",
	                    json_string(model_dir_name(t->direction)));
	json_object_set_new(o, "trust_type",
	                    json_string(model_type_name(t->type)));
	json_object_set_new(o, "trust_attributes", json_integer(t->attributes));
	for (size_t i = 0; i < model_n_attr_bits; i++)
		if (t->attributes & model_attr_bits[i].bit)
			json_array_append_new(
			        names, json_string(model_attr_bits[i].name));
	json_object_set_new(o, "trust_attribute_names", names);
	json_object_set_new(o, "supported_encryption_types",
	                    t->has_enctypes ? json_integer(t->enctypes)
	                                    : json_null());
	for (size_t i = 0; i < t->fti.n; i++) {
		const struct fti_record *r = &t->fti.rec[i];
		json_t *j = json_object();

		json_object_set_new(j, "type",
		                    json_string(fti_type_name(r->type)));
		json_object_set_new(j, "flags", json_integer(r->flags));
		json_object_set_new(j, "name", str_or_null(r->name));
		if (r->type == FTI_DOMAIN || r->type == FTI_SCANNER) {
			json_object_set_new(j, "netbios",
			                    str_or_null(r->netbios));
			json_object_set_new(j, "sid", str_or_null(r->sid));
		}
		json_array_append_new(ftis, j);
	}
	json_object_set_new(o, "forest_trust_info",
	                    t->has_fti ? ftis
	                               : (json_decref(ftis), json_null()));
	if (t->guid[0] != '\0')
		json_object_set_new(o, "object_guid", json_string(t->guid));
	typed(o, t);
	return o;
}

static json_t *
item_json(const struct plan_item *it)
{
	json_t *o = json_object(), *fields = json_array(),
	       *notes = json_array();

	json_object_set_new(o, "address", json_string(it->address));
	json_object_set_new(o, "domain", json_string(it->domain));
	json_object_set_new(o, "partner", json_string(it->partner));
	json_object_set_new(o, "action",
	                    json_string(plan_action_name(it->action)));
	json_object_set_new(o, "reason", str_or_null(it->reason));
	json_object_set_new(o, "protected", json_boolean(it->protect));
	json_object_set_new(o, "blocked", json_boolean(it->blocked));
	json_object_set_new(o, "trust_index",
	                    it->trust_index >= 0 ? json_integer(it->trust_index)
	                                         : json_null());
	json_object_set_new(
	        o, "line", it->line > 0 ? json_integer(it->line) : json_null());
	if (it->secret_from != NULL) {
		json_t *sec = json_object();

		json_object_set_new(sec, "from", json_string(it->secret_from));
		json_object_set_new(sec, "ref", str_or_null(it->secret_ref));
		json_object_set_new(o, "secret", sec);
	} else {
		json_object_set_new(o, "secret", json_null());
	}
	for (size_t i = 0; i < it->n_changes; i++) {
		const struct plan_change *c = &it->changes[i];
		json_t *j = json_object();

		json_object_set_new(j, "field", json_string(c->field));
		json_object_set_new(j, "before", json_string(c->before));
		json_object_set_new(j, "after", json_string(c->after));
		json_object_set_new(j, "in_place", json_boolean(c->in_place));
		json_array_append_new(fields, j);
	}
	json_object_set_new(o, "fields", fields);
	for (size_t i = 0; i < it->n_notes; i++)
		json_array_append_new(notes, json_string(it->notes[i]));
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "before",
	                    it->has_before ? tdo_json(&it->before)
	                                   : json_null());
	json_object_set_new(o, "after",
	                    it->has_after ? tdo_json(&it->after) : json_null());
	return o;
}

json_t *
plan_json_new(const struct plan *p)
{
	json_t *root = json_object(), *src = json_object(),
	       *sum = json_object();
	json_t *changes = json_array(), *warn = json_array(),
	       *obs = json_array();
	json_t *doms = json_array();

	json_object_set_new(root, "format_version", json_string("1"));
	json_object_set_new(root, "adtrust_version",
	                    json_string(version_string()));
	json_object_set_new(root, "date", json_string(p->date));
	json_object_set_new(src, "path", json_string(p->source_path));
	json_object_set_new(src, "abspath", str_or_null(p->source_abspath));
	json_object_set_new(src, "sha256", json_string(p->source_sha256));
	json_object_set_new(src, "git_commit", str_or_null(p->git_commit));
	json_object_set_new(src, "git_dirty", json_boolean(p->git_dirty));
	json_object_set_new(src, "git_repo", str_or_null(p->git_repo));
	json_object_set_new(src, "git_path", str_or_null(p->git_path));
	json_object_set_new(src, "snapshot", str_or_null(p->snapshot));
	json_object_set_new(src, "text", str_or_null(p->desired_text));
	json_object_set_new(root, "desired", src);
	json_object_set_new(root, "no_op", json_boolean(plan_is_noop(p)));
	json_object_set_new(sum, "create",
	                    json_integer((json_int_t)p->n_create));
	json_object_set_new(sum, "update",
	                    json_integer((json_int_t)p->n_update));
	json_object_set_new(sum, "replace",
	                    json_integer((json_int_t)p->n_replace));
	json_object_set_new(sum, "delete",
	                    json_integer((json_int_t)p->n_delete));
	json_object_set_new(sum, "blocked",
	                    json_integer((json_int_t)p->n_blocked));
	json_object_set_new(root, "summary", sum);
	for (size_t i = 0; i < p->n_domains; i++)
		json_array_append_new(doms, json_string(p->domains[i]));
	json_object_set_new(root, "domains", doms);
	for (size_t i = 0; i < p->n_prints; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "domain",
		                    json_string(p->prints[i].domain));
		json_object_set_new(j, "partner",
		                    json_string(p->prints[i].partner));
		json_object_set_new(j, "object_guid",
		                    json_string(p->prints[i].guid));
		json_object_set_new(j, "digest",
		                    json_string(p->prints[i].digest));
		json_array_append_new(obs, j);
	}
	json_object_set_new(root, "observed", obs);
	for (size_t i = 0; i < p->n_warnings; i++)
		json_array_append_new(warn, json_string(p->warnings[i]));
	json_object_set_new(root, "warnings", warn);
	if (p->n_interrupted > 0) {
		json_t *intr = json_array();

		for (size_t i = 0; i < p->n_interrupted; i++)
			json_array_append_new(intr,
			                      json_string(p->interrupted[i]));
		json_object_set_new(root, "interrupted", intr);
	}
	for (size_t i = 0; i < p->n_items; i++)
		json_array_append_new(changes, item_json(&p->items[i]));
	json_object_set_new(root, "changes", changes);
	return root;
}

static int
render(FILE *fp, const struct plan *p, unsigned flags, struct err *err)
{
	json_t *root = plan_json_new(p);
	int rc = 0;

	(void)flags;
	if (json_dumpf(root, fp, JSON_INDENT(2)) != 0 ||
	    fputc('\n', fp) == EOF || ferror(fp))
		rc = err_set(err, ERR_IO, "cannot write the JSON plan");
	json_decref(root);
	return rc;
}

const struct plan_renderer plan_render_json = {
        .name = "json",
        .render = render,
};
