/*
 * Reading a saved plan (the JSON of render_json.c) back into struct plan,
 * for 'adtrust show' and 'adtrust apply PLAN.json'.  jansson rejects
 * duplicates, bad numbers and trailing data; every field is type-checked
 * and a problem names the file, line and column or the JSON path.
 */
#include "reconcile/rec.h"

#include <limits.h>
#include <string.h>

#include <jansson.h>

#include "util/err.h"
#include "util/safefile.h"
#include "util/version.h"
#include "util/xalloc.h"

struct rd {
	const char *file;
	struct err *err;
	int rc;
};

static void
bad(struct rd *r, const char *what)
{
	if (r->rc == 0)
		r->rc = err_set(r->err, ERR_INVALID,
		                "'%s' is not an adtrust plan: %s", r->file,
		                what);
}

static char *
get_str(struct rd *r, json_t *o, const char *key, bool nullable)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (nullable && (v == NULL || json_is_null(v)))
		return NULL;
	bad(r, key);
	return NULL;
}

static uint32_t
get_u32(struct rd *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 0xffffffffll) {
		bad(r, key);
		return 0;
	}
	return (uint32_t)json_integer_value(v);
}

static bool
get_bool(struct rd *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v)) {
		bad(r, key);
		return false;
	}
	return json_is_true(v);
}

static uint32_t
dir_value(const char *s)
{
	for (uint32_t d = 0; d <= 3; d++)
		if (strcmp(model_dir_name(d), s) == 0)
			return d;
	return 0;
}

static uint32_t
type_value(const char *s)
{
	for (uint32_t t = 1; t <= 4; t++)
		if (strcmp(model_type_name(t), s) == 0)
			return t;
	return 0;
}

static void
read_tdo(struct rd *r, struct model_tdo *t, json_t *o, const char *domain)
{
	json_t *v, *fti;
	char *s;

	t->domain = xstrdup(domain);
	t->partner = get_str(r, o, "trust_partner", false);
	t->flat_name = get_str(r, o, "flat_name", true);
	t->sid = get_str(r, o, "sid", true);
	if ((s = get_str(r, o, "direction", false)) != NULL) {
		t->direction = dir_value(s);
		free(s);
	}
	if ((s = get_str(r, o, "trust_type", false)) != NULL) {
		t->type = type_value(s);
		free(s);
	}
	t->attributes = get_u32(r, o, "trust_attributes");
	t->attr_mask = 0xffffffffu;
	v = json_object_get(o, "supported_encryption_types");
	t->has_enctypes = json_is_integer(v);
	if (t->has_enctypes)
		t->enctypes = get_u32(r, o, "supported_encryption_types");
	if ((s = get_str(r, o, "object_guid", true)) != NULL) {
		snprintf(t->guid, sizeof(t->guid), "%s", s);
		free(s);
	}
	fti = json_object_get(o, "forest_trust_info");
	if (json_is_array(fti)) {
		size_t i;
		json_t *e;

		t->has_fti = true;
		json_array_foreach(fti, i, e)
		{
			struct fti_record rec;
			char *type = get_str(r, e, "type", false);

			memset(&rec, 0, sizeof(rec));
			rec.type = 0xff;
			for (uint8_t k = 0; k <= 4; k++)
				if (type != NULL &&
				    strcmp(fti_type_name(k), type) == 0)
					rec.type = k;
			free(type);
			rec.flags = get_u32(r, e, "flags");
			rec.name = get_str(r, e, "name", true);
			rec.netbios = get_str(r, e, "netbios", true);
			rec.sid = get_str(r, e, "sid", true);
			if (rec.type != 0xff)
				fti_add(&t->fti, &rec);
			free(rec.name);
			free(rec.netbios);
			free(rec.sid);
		}
	}
}

static void
read_item(struct rd *r, struct plan_item *it, json_t *o)
{
	static const enum plan_action acts[] = {
	        PLAN_NOOP, PLAN_CREATE, PLAN_UPDATE, PLAN_REPLACE, PLAN_DELETE};
	json_t *v, *e;
	char *a;
	size_t i;

	memset(it, 0, sizeof(*it));
	model_tdo_init(&it->before);
	model_tdo_init(&it->after);
	it->address = get_str(r, o, "address", false);
	it->domain = get_str(r, o, "domain", false);
	it->partner = get_str(r, o, "partner", false);
	it->reason = get_str(r, o, "reason", true);
	it->protect = get_bool(r, o, "protected");
	it->blocked = get_bool(r, o, "blocked");
	v = json_object_get(o, "trust_index");
	it->trust_index = json_is_integer(v) ? (long)json_integer_value(v) : -1;
	/* line and secret came later in format 1: optional */
	v = json_object_get(o, "line");
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= UINT_MAX)
		it->line = (unsigned)json_integer_value(v);
	if (json_is_object(v = json_object_get(o, "secret"))) {
		it->secret_from = get_str(r, v, "from", false);
		it->secret_ref = get_str(r, v, "ref", true);
	}
	if ((a = get_str(r, o, "action", false)) != NULL) {
		for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
			if (strcmp(plan_action_name(acts[i]), a) == 0)
				it->action = acts[i];
		free(a);
	}
	v = json_object_get(o, "fields");
	if (!json_is_array(v))
		bad(r, "fields");
	json_array_foreach(v, i, e)
	{
		struct plan_change *c;

		it->changes = xreallocarray(it->changes, it->n_changes + 1,
		                            sizeof(*it->changes));
		c = &it->changes[it->n_changes++];
		c->field = get_str(r, e, "field", false);
		c->before = get_str(r, e, "before", false);
		c->after = get_str(r, e, "after", false);
		c->in_place = get_bool(r, e, "in_place");
	}
	v = json_object_get(o, "notes");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			continue;
		it->notes = xreallocarray(it->notes, it->n_notes + 1,
		                          sizeof(char *));
		it->notes[it->n_notes++] = xstrdup(json_string_value(e));
	}
	if (it->domain == NULL)
		return;
	if (json_is_object(v = json_object_get(o, "before"))) {
		read_tdo(r, &it->before, v, it->domain);
		it->has_before = true;
	}
	if (json_is_object(v = json_object_get(o, "after"))) {
		read_tdo(r, &it->after, v, it->domain);
		it->has_after = true;
	}
}

/*
 * Format "1" is what this adtrust writes and reads.  A later format comes
 * from a newer adtrust: say so, and which, rather than guess at fields.
 */
static void
check_format(struct rd *r, const char *fv, json_t *by)
{
	const char *maker = json_is_string(by) ? json_string_value(by) : NULL;
	size_t digits = strspn(fv, "0123456789");

	if (strcmp(fv, "1") == 0 || r->rc < 0)
		return;
	if (digits > 0 && digits == strlen(fv) && fv[0] != '0')
		r->rc = err_set(r->err, ERR_INVALID,
		                "'%s' has plan format_version %s (made by "
		                "adtrust %s); this adtrust (%s) reads format 1 "
		                "only: use the adtrust that made the plan, or "
		                "plan again with this one",
		                r->file, fv, maker ? maker : "unknown",
		                version_string());
	else
		bad(r, "format_version");
}

int
plan_load_json(struct plan *out, const char *path, unsigned flags,
               struct err *err)
{
	char *text;
	size_t len;
	int rc;

	plan_init(out);
	if ((rc = safefile_read(&text, &len, path, PLAN_JSON_MAX, flags, err)) <
	    0)
		return rc;
	rc = plan_load_json_buf(out, path, text, len, err);
	free(text);
	return rc;
}

int
plan_load_json_buf(struct plan *out, const char *path, const char *text,
                   size_t len, struct err *err)
{
	struct rd r = {.file = path, .err = err, .rc = 0};
	json_error_t je;
	json_t *root, *v, *e, *src;
	char *s;
	size_t i;

	plan_init(out);
	if (len > PLAN_JSON_MAX)
		return err_set(err, ERR_INVALID,
		               "'%s' is larger than %zu bytes", path,
		               (size_t)PLAN_JSON_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return err_set_at(err, ERR_INVALID, path, (unsigned)je.line,
		                  (unsigned)je.column, "%s", je.text);
	if ((s = get_str(&r, root, "format_version", false)) != NULL)
		check_format(&r, s, json_object_get(root, "adtrust_version"));
	free(s);
	if ((s = get_str(&r, root, "date", false)) != NULL) {
		snprintf(out->date, sizeof(out->date), "%s", s);
		free(s);
	}
	src = json_object_get(root, "desired");
	if (!json_is_object(src))
		bad(&r, "desired");
	out->source_path = get_str(&r, src, "path", false);
	out->source_abspath = get_str(&r, src, "abspath", true);
	if ((s = get_str(&r, src, "sha256", false)) != NULL) {
		snprintf(out->source_sha256, sizeof(out->source_sha256), "%s",
		         s);
		free(s);
	}
	out->git_commit = get_str(&r, src, "git_commit", true);
	out->git_dirty = json_is_true(json_object_get(src, "git_dirty"));
	out->git_repo = get_str(&r, src, "git_repo", true);
	out->git_path = get_str(&r, src, "git_path", true);
	out->snapshot = get_str(&r, src, "snapshot", true);
	out->desired_text = get_str(&r, src, "text", true);
	v = json_object_get(root, "domains");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			continue;
		out->domains = xreallocarray(out->domains, out->n_domains + 1,
		                             sizeof(char *));
		out->domains[out->n_domains++] = xstrdup(json_string_value(e));
	}
	v = json_object_get(root, "observed");
	json_array_foreach(v, i, e)
	{
		struct plan_print *pp;
		char *g, *d;

		out->prints = xreallocarray(out->prints, out->n_prints + 1,
		                            sizeof(*out->prints));
		pp = &out->prints[out->n_prints++];
		memset(pp, 0, sizeof(*pp));
		pp->domain = get_str(&r, e, "domain", false);
		pp->partner = get_str(&r, e, "partner", false);
		g = get_str(&r, e, "object_guid", false);
		d = get_str(&r, e, "digest", false);
		snprintf(pp->guid, sizeof(pp->guid), "%s", g ? g : "");
		snprintf(pp->digest, sizeof(pp->digest), "%s", d ? d : "");
		free(g);
		free(d);
	}
	v = json_object_get(root, "warnings");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			continue;
		out->warnings = xreallocarray(
		        out->warnings, out->n_warnings + 1, sizeof(char *));
		out->warnings[out->n_warnings++] =
		        xstrdup(json_string_value(e));
	}
	v = json_object_get(root, "interrupted");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			continue;
		out->interrupted =
		        xreallocarray(out->interrupted, out->n_interrupted + 1,
		                      sizeof(char *));
		out->interrupted[out->n_interrupted++] =
		        xstrdup(json_string_value(e));
	}
	v = json_object_get(root, "changes");
	if (!json_is_array(v))
		bad(&r, "changes");
	json_array_foreach(v, i, e)
	{
		struct plan_item *it;

		out->items = xreallocarray(out->items, out->n_items + 1,
		                           sizeof(*out->items));
		it = &out->items[out->n_items++];
		read_item(&r, it, e);
	}
	plan_count(out);
	json_decref(root);
	if (r.rc < 0)
		plan_release(out);
	return r.rc;
}
