/*
 * adtrust export --domain NAME [-f FILE | --snapshot DIR] [--json] [-o OUT]
 * Writes the live trusts of one domain as desired state that validates and
 * plans to no changes: every field explicit, so the file manages all of it.
 * --json writes the same trusts as one JSON document (docs/json.md).
 * -f FILE supplies how to reach the domain (its ldap URI and credentials,
 * copied into the output); --snapshot reads LDIF instead.  An MIT realm
 * (kind: mit-realm in FILE) is read through its kadmind: its cross-realm
 * principals become realm trusts with its side managed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/esc.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/*
 * The YAML is written by libyaml's emitter, so every value is quoted and
 * escaped as it needs (a quote, a colon, a control character, a word YAML
 * would read as something else) and the file always loads again.
 */
struct emit {
	yaml_emitter_t em;
	struct sbuf *out;
	bool ok;
};

static int
emit_write(void *data, unsigned char *buf, size_t len)
{
	sbuf_add(data, buf, len);
	return 1;
}

static void
emit(struct emit *e, yaml_event_t *ev, int made)
{
	if (!made) {
		e->ok = false;
		return;
	}
	if (e->ok && !yaml_emitter_emit(&e->em, ev))
		e->ok = false;
	else if (!e->ok)
		yaml_event_delete(ev);
}

static void
scalar(struct emit *e, const char *s)
{
	yaml_char_t *v;
	yaml_event_t ev;

	/* libyaml copies the value; its prototype just lacks const */
	memcpy(&v, &s, sizeof(v));
	emit(e, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, v, -1, 1, 1,
	                                  YAML_ANY_SCALAR_STYLE));
}

static void
map_start(struct emit *e, bool flow)
{
	yaml_event_t ev;

	emit(e, &ev,
	     yaml_mapping_start_event_initialize(
	             &ev, NULL, NULL, 1,
	             flow ? YAML_FLOW_MAPPING_STYLE
	                  : YAML_BLOCK_MAPPING_STYLE));
}

static void
map_end(struct emit *e)
{
	yaml_event_t ev;

	emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void
seq_start(struct emit *e, bool flow)
{
	yaml_event_t ev;

	emit(e, &ev,
	     yaml_sequence_start_event_initialize(
	             &ev, NULL, NULL, 1,
	             flow ? YAML_FLOW_SEQUENCE_STYLE
	                  : YAML_BLOCK_SEQUENCE_STYLE));
}

static void
seq_end(struct emit *e)
{
	yaml_event_t ev;

	emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void
kv(struct emit *e, const char *key, const char *value)
{
	scalar(e, key);
	scalar(e, value);
}

static void
secret_yaml(struct emit *e, const char *key, const struct model_secret *s)
{
	scalar(e, key);
	map_start(e, true);
	if (s->env != NULL)
		kv(e, "env", s->env);
	else if (s->file != NULL)
		kv(e, "file", s->file);
	else
		kv(e, "prompt", s->prompt);
	map_end(e);
}

static void
domain_yaml(struct emit *e, const char *name, const char *netbios,
            const char *sid, bool realm, const struct model_domain *conn)
{
	map_start(e, false);
	kv(e, "name", name);
	if (realm) {
		kv(e, "kind", "mit-realm");
		if (conn != NULL && conn->kadmin != NULL)
			kv(e, "kadmin", conn->kadmin);
		if (conn != NULL && conn->credentials != NULL)
			kv(e, "credentials", conn->credentials);
		if (conn != NULL && conn->service != NULL)
			kv(e, "service", conn->service);
		map_end(e);
		return;
	}
	if (netbios != NULL)
		kv(e, "netbios", netbios);
	if (sid != NULL)
		kv(e, "sid", sid);
	if (conn != NULL) {
		if (conn->ldap != NULL)
			kv(e, "ldap", conn->ldap);
		if (conn->rpc != NULL)
			kv(e, "rpc", conn->rpc);
		if (conn->credentials != NULL)
			kv(e, "credentials", conn->credentials);
		if (conn->starttls != NULL)
			kv(e, "starttls", *conn->starttls ? "true" : "false");
	}
	map_end(e);
}

/*
 * A field that reads the same bit as one before it on this type
 * (sid_history after sid_filtering): export writes the first only.
 */
static bool
shadowed(size_t i, enum model_trust_type type)
{
	for (size_t j = 0; j < i; j++)
		if (model_bool_fields[j].bit == model_bool_fields[i].bit &&
		    model_bool_field_applies(&model_bool_fields[j], type))
			return true;
	return false;
}

/* Whether export writes boolean field i of this TDO (YAML and JSON). */
static bool
field_exported(size_t i, const struct model_tdo *t)
{
	const struct model_bool_field *f = &model_bool_fields[i];
	bool out = (t->direction & TDO_DIR_OUTBOUND) != 0;
	enum model_trust_type type = rec_bits_type(t);

	return model_bool_field_applies(f, type) &&
	       !(f->outbound && !(out && type != MODEL_TYPE_REALM)) &&
	       !(f->only_if_set && !(t->attributes & (f->bit | f->pair))) &&
	       !shadowed(i, type);
}

/*
 * Whether FTI record r belongs in the list of this type (for FTI_TLN,
 * the enabled or the disabled names): YAML and JSON.
 */
static bool
name_listed(const struct fti_record *r, uint8_t type, bool disabled)
{
	bool off = (r->flags &
	            (FTI_TLN_DISABLED_ADMIN | FTI_TLN_DISABLED_NEW)) != 0;

	return r->type == type && (type != FTI_TLN || off == disabled);
}

static void
names(struct emit *e, const char *key, const struct fti *f, uint8_t type,
      bool disabled)
{
	scalar(e, key);
	seq_start(e, true);
	for (size_t i = 0; i < f->n; i++)
		if (name_listed(&f->rec[i], type, disabled))
			scalar(e, f->rec[i].name);
	seq_end(e);
}

/* encryption: the key types of t, as a flow sequence */
static void
enctypes_yaml(struct emit *e, const struct model_tdo *t)
{
	scalar(e, "encryption");
	seq_start(e, true);
	for (size_t i = 0; i < model_n_enctypes; i++)
		if (t->enctypes & model_enctypes[i].bit)
			scalar(e, model_enctypes[i].name);
	seq_end(e);
}

static void
trust_yaml(struct emit *e, const struct model_domain_state *d,
           const struct model_tdo *t)
{
	bool out = (t->direction & TDO_DIR_OUTBOUND) != 0;
	bool forest = (t->attributes & TA_FOREST_TRANSITIVE) != 0;
	const char *type = model_tdo_kind(t, d);
	struct model_secret pw = {NULL, NULL, NULL};
	char *prompt;

	map_start(e, false);
	kv(e, "trusting", out ? d->name : t->partner);
	kv(e, "trusted", out ? t->partner : d->name);
	kv(e, "direction",
	   t->direction == TDO_DIR_BOTH ? "two-way" : "one-way");
	kv(e, "type", type);
	kv(e, "sides", out ? "trusting" : "trusted");
	/* asked for only when the trust must be created again */
	prompt = xasprintf("trust password for %s and %s", d->name, t->partner);
	pw.prompt = prompt;
	secret_yaml(e, "password", &pw);
	free(prompt);
	if (t->realm_side) {
		/* the MIT half: the key types of its principals */
		enctypes_yaml(e, t);
		map_end(e);
		return;
	}
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];

		if (!field_exported(i, t))
			continue;
		kv(e, f->name,
		   model_bool_field_value(f, t->attributes) ? "true" : "false");
	}
	if (t->has_enctypes)
		enctypes_yaml(e, t);
	if (forest && out && t->has_fti) {
		scalar(e, "name_suffixes");
		map_start(e, false);
		names(e, "enable", &t->fti, FTI_TLN, false);
		names(e, "disable", &t->fti, FTI_TLN, true);
		names(e, "exclude", &t->fti, FTI_TLN_EX, false);
		kv(e, "unlisted", "keep");
		map_end(e);
	}
	map_end(e);
}

/* The whole file into *o: a comment, then the emitter's document. */
static int
export_yaml(struct sbuf *o, const char *domain,
            const struct model_domain_state *d, const struct model_domain *conn,
            const struct model_credential *cred, struct err *err)
{
	struct emit e = {.out = o, .ok = true};
	yaml_event_t ev;
	char *what = esc_str(domain);
	size_t n_trusts = 0;

	/* escaped: a comment line must stay one line */
	sbuf_addf(o,
	          "# adtrust export --domain %s: the live trusts of this "
	          "domain.\n# Each trust's password is asked for only when "
	          "the trust must be created again.\n",
	          what);
	free(what);
	for (size_t i = 0; i < d->n_tdos; i++) {
		const char *kind = model_tdo_kind(&d->tdos[i], d);

		if (!model_kind_is_system(kind)) {
			n_trusts++;
			continue;
		}
		what = esc_str(d->tdos[i].partner);
		sbuf_addf(o,
		          "# Not exported: the %s trust with %s (Active "
		          "Directory's own; adtrust never manages it).\n",
		          kind, what);
		free(what);
	}
	for (size_t i = 0; i < d->n_tdos; i++) {
		const struct model_tdo *t = &d->tdos[i];
		char name[600];

		for (unsigned k = 0; t->realm_side && k < 2; k++) {
			if (!t->princ[k].present)
				continue;
			model_princ_name(name, sizeof(name), t, k);
			what = esc_str(name);
			sbuf_addf(o, "# %s: kvno %u\n", what, t->princ[k].kvno);
			free(what);
		}
	}
	if (!yaml_emitter_initialize(&e.em))
		return err_set(err, ERR_FAIL, "out of memory");
	yaml_emitter_set_output(&e.em, emit_write, o);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, -1);
	emit(&e, &ev,
	     yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(&e, &ev,
	     yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	map_start(&e, false);
	kv(&e, "version", "1");
	scalar(&e, "domains");
	seq_start(&e, false);
	domain_yaml(&e, d->name, d->netbios, d->sid,
	            conn != NULL && conn->kind == MODEL_KIND_MIT_REALM, conn);
	for (size_t i = 0; i < d->n_tdos; i++)
		if (!model_kind_is_system(model_tdo_kind(&d->tdos[i], d)))
			domain_yaml(&e, d->tdos[i].partner,
			            d->tdos[i].flat_name, d->tdos[i].sid,
			            d->tdos[i].type == TDO_TYPE_MIT &&
			                    !d->tdos[i].realm_side,
			            NULL);
	seq_end(&e);
	if (cred != NULL) {
		scalar(&e, "credentials");
		seq_start(&e, false);
		map_start(&e, false);
		kv(&e, "name", cred->name);
		kv(&e, "method",
		   cred->method == MODEL_CRED_PASSWORD ? "password"
		   : cred->method == MODEL_CRED_KEYTAB ? "keytab"
		                                       : "kerberos");
		if (cred->keytab != NULL)
			kv(&e, "keytab", cred->keytab);
		if (cred->user != NULL)
			kv(&e, "user", cred->user);
		if (cred->password != NULL)
			secret_yaml(&e, "password", cred->password);
		if (cred->ccache != NULL)
			kv(&e, "ccache", cred->ccache);
		map_end(&e);
		seq_end(&e);
	}
	scalar(&e, "trusts");
	seq_start(&e, n_trusts == 0);
	for (size_t i = 0; i < d->n_tdos; i++)
		if (!model_kind_is_system(model_tdo_kind(&d->tdos[i], d)))
			trust_yaml(&e, d, &d->tdos[i]);
	seq_end(&e);
	map_end(&e);
	emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
	if (e.ok && !yaml_emitter_flush(&e.em))
		e.ok = false;
	yaml_emitter_delete(&e.em);
	if (!e.ok)
		return err_set(err, ERR_INVALID,
		               "cannot write the trusts of '%s' as YAML (a "
		               "name or value is not valid UTF-8)",
		               domain);
	return 0;
}

/* ---- --json: the same trusts in the JSON convention (docs/json.md) ---- */

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* A secret as its source only: {"from": "env", "ref": "NAME"}. */
static json_t *
secret_json(const struct model_secret *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "from",
	                    json_string(s->env    ? "env"
	                                : s->file ? "file"
	                                          : "prompt"));
	json_object_set_new(o, "ref",
	                    str_or_null(s->env    ? s->env
	                                : s->file ? s->file
	                                          : s->prompt));
	return o;
}

static json_t *
domain_json(const char *name, const char *netbios, const char *sid, bool realm,
            const struct model_domain *conn)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "kind", json_string(realm ? "mit-realm" : "ad"));
	json_object_set_new(o, "netbios", str_or_null(realm ? NULL : netbios));
	json_object_set_new(o, "sid", str_or_null(realm ? NULL : sid));
	json_object_set_new(o, "ldap",
	                    str_or_null(conn && !realm ? conn->ldap : NULL));
	json_object_set_new(o, "rpc",
	                    str_or_null(conn && !realm ? conn->rpc : NULL));
	json_object_set_new(o, "kadmin",
	                    str_or_null(conn && realm ? conn->kadmin : NULL));
	json_object_set_new(o, "service",
	                    str_or_null(conn && realm ? conn->service : NULL));
	json_object_set_new(o, "credentials",
	                    str_or_null(conn ? conn->credentials : NULL));
	json_object_set_new(o, "starttls",
	                    conn && !realm && conn->starttls
	                            ? json_boolean(*conn->starttls)
	                            : json_null());
	return o;
}

static json_t *
names_json(const struct fti *f, uint8_t type, bool disabled)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->n; i++)
		if (name_listed(&f->rec[i], type, disabled))
			json_array_append_new(a, json_string(f->rec[i].name));
	return a;
}

static json_t *
enctypes_json(const struct model_tdo *t)
{
	json_t *o = json_object(), *names = json_array();

	for (size_t i = 0; i < model_n_enctypes; i++)
		if (t->enctypes & model_enctypes[i].bit)
			json_array_append_new(
			        names, json_string(model_enctypes[i].name));
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "raw", json_integer(t->enctypes));
	return o;
}

/*
 * One trust as trust_yaml writes it, typed: settings are the booleans the
 * YAML has, attributes the raw trustAttributes beside them.
 */
static json_t *
trust_json(const struct model_domain_state *d, const struct model_tdo *t)
{
	bool out = (t->direction & TDO_DIR_OUTBOUND) != 0;
	bool forest = (t->attributes & TA_FOREST_TRANSITIVE) != 0;
	json_t *o = json_object(), *set = json_object(), *attrs = json_object(),
	       *an = json_array();
	struct model_secret pw = {NULL, NULL, NULL};
	char *prompt;

	json_object_set_new(o, "trusting",
	                    json_string(out ? d->name : t->partner));
	json_object_set_new(o, "trusted",
	                    json_string(out ? t->partner : d->name));
	json_object_set_new(o, "direction",
	                    json_string(t->direction == TDO_DIR_BOTH
	                                        ? "two-way"
	                                        : "one-way"));
	json_object_set_new(o, "type", json_string(model_tdo_kind(t, d)));
	json_object_set_new(o, "sides",
	                    json_string(out ? "trusting" : "trusted"));
	prompt = xasprintf("trust password for %s and %s", d->name, t->partner);
	pw.prompt = prompt;
	json_object_set_new(o, "password", secret_json(&pw));
	free(prompt);
	if (!t->realm_side)
		for (size_t i = 0; i < model_n_bool_fields; i++)
			if (field_exported(i, t))
				json_object_set_new(
				        set, model_bool_fields[i].name,
				        json_boolean(model_bool_field_value(
				                &model_bool_fields[i],
				                t->attributes)));
	json_object_set_new(o, "settings", set);
	json_object_set_new(attrs, "raw", json_integer(t->attributes));
	for (size_t i = 0; i < model_n_attr_bits; i++)
		if (t->attributes & model_attr_bits[i].bit)
			json_array_append_new(
			        an, json_string(model_attr_bits[i].name));
	json_object_set_new(attrs, "names", an);
	json_object_set_new(o, "attributes", attrs);
	json_object_set_new(o, "encryption",
	                    t->realm_side || t->has_enctypes ? enctypes_json(t)
	                                                     : json_null());
	if (forest && out && t->has_fti && !t->realm_side) {
		json_t *ns = json_object();

		json_object_set_new(ns, "enable",
		                    names_json(&t->fti, FTI_TLN, false));
		json_object_set_new(ns, "disable",
		                    names_json(&t->fti, FTI_TLN, true));
		json_object_set_new(ns, "exclude",
		                    names_json(&t->fti, FTI_TLN_EX, false));
		json_object_set_new(ns, "unlisted", json_string("keep"));
		json_object_set_new(o, "name_suffixes", ns);
	} else {
		json_object_set_new(o, "name_suffixes", json_null());
	}
	if (t->realm_side) {
		json_t *pr = json_array();
		char name[600];

		for (unsigned k = 0; k < 2; k++) {
			json_t *j;

			if (!t->princ[k].present)
				continue;
			j = json_object();
			model_princ_name(name, sizeof(name), t, k);
			json_object_set_new(j, "name", json_string(name));
			json_object_set_new(j, "kvno",
			                    json_integer(t->princ[k].kvno));
			json_array_append_new(pr, j);
		}
		json_object_set_new(o, "principals", pr);
	} else {
		json_object_set_new(o, "principals", json_null());
	}
	return o;
}

static json_t *
cred_json(const struct model_credential *cred)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(cred->name));
	json_object_set_new(
	        o, "method",
	        json_string(cred->method == MODEL_CRED_PASSWORD ? "password"
	                    : cred->method == MODEL_CRED_KEYTAB ? "keytab"
	                                                        : "kerberos"));
	json_object_set_new(o, "user", str_or_null(cred->user));
	json_object_set_new(o, "password",
	                    cred->password != NULL ? secret_json(cred->password)
	                                           : json_null());
	json_object_set_new(o, "keytab", str_or_null(cred->keytab));
	json_object_set_new(o, "ccache", str_or_null(cred->ccache));
	return o;
}

/*
 * {format_version, adtrust_version, domain, source, domains, credentials,
 * trusts, not_exported, summary}: what export_yaml writes, as JSON.
 */
static json_t *
export_json(const char *domain, const char *file, const char *snapshot,
            const struct model_domain_state *d, const struct model_domain *conn,
            const struct model_credential *cred)
{
	json_t *doc = cmd_json_new(), *src = json_object(),
	       *doms = json_array(), *creds = json_array(),
	       *trusts = json_array(), *skip = json_array(),
	       *sum = json_object();

	json_object_set_new(doc, "domain", json_string(domain));
	json_object_set_new(src, "file", str_or_null(file));
	json_object_set_new(src, "snapshot", str_or_null(snapshot));
	json_object_set_new(doc, "source", src);
	json_array_append_new(
	        doms,
	        domain_json(d->name, d->netbios, d->sid,
	                    conn != NULL && conn->kind == MODEL_KIND_MIT_REALM,
	                    conn));
	for (size_t i = 0; i < d->n_tdos; i++) {
		const struct model_tdo *t = &d->tdos[i];
		const char *kind = model_tdo_kind(t, d);

		if (model_kind_is_system(kind)) {
			json_t *j = json_object();

			json_object_set_new(j, "partner",
			                    json_string(t->partner));
			json_object_set_new(j, "type", json_string(kind));
			json_array_append_new(skip, j);
			continue;
		}
		json_array_append_new(
		        doms,
		        domain_json(t->partner, t->flat_name, t->sid,
		                    t->type == TDO_TYPE_MIT && !t->realm_side,
		                    NULL));
		json_array_append_new(trusts, trust_json(d, t));
	}
	if (cred != NULL)
		json_array_append_new(creds, cred_json(cred));
	json_object_set_new(doc, "domains", doms);
	json_object_set_new(doc, "credentials", creds);
	json_object_set_new(doc, "trusts", trusts);
	json_object_set_new(doc, "not_exported", skip);
	json_object_set_new(sum, "trusts",
	                    json_integer((json_int_t)json_array_size(trusts)));
	json_object_set_new(sum, "not_exported",
	                    json_integer((json_int_t)json_array_size(skip)));
	json_object_set_new(doc, "summary", sum);
	return doc;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"domain", required_argument, NULL, 'd'},
	        {"file", required_argument, NULL, 'f'},
	        {"snapshot", required_argument, NULL, 's'},
	        {"out", required_argument, NULL, 'o'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *domain = NULL, *file = NULL, *out = NULL;
	struct prov_cfg cfg = {0};
	struct model empty = {.version = 1};
	struct model *m = NULL;
	struct model_state st;
	const struct model_domain_state *d;
	const struct model_domain *conn = NULL;
	const struct model_credential *cred = NULL;
	struct diags dg;
	struct sbuf o;
	struct err err;
	bool json = false;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "d:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			domain = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 's':
			cfg.snapshot_dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: adtrust export --domain NAME [-f FILE | "
			       "--snapshot DIR] [--json] [-o OUT]\n");
			return 0;
		default:
			return cmd_usage("export", "unknown option");
		}
	}
	if (domain == NULL || optind < argc)
		return cmd_usage("export", "--domain NAME is required");
	if (file == NULL && cfg.snapshot_dir == NULL)
		return cmd_usage("export",
		                 "give -f FILE (how to reach the domain) or "
		                 "--snapshot DIR");
	err_init(&err);
	diags_init(&dg);
	sbuf_init(&o);
	model_state_init(&st);
	if (file != NULL) {
		rc = model_load_file(&m, file, &dg, &err);
		for (size_t i = 0; i < dg.n; i++)
			err_print(&dg.v[i], stderr);
		if (rc < 0)
			goto fail;
		if ((conn = model_domain_find(m, domain)) == NULL) {
			err_set(&err, ERR_INVALID, "'%s' does not declare '%s'",
			        file, domain);
			goto fail;
		}
		if (conn->credentials != NULL)
			cred = model_cred_find(m, conn->credentials);
	}
	cfg.model = m != NULL ? m : &empty;
	cfg.trace = cmd_trace();
	if ((rc = cmd_read_state(&st, &cfg, &domain, 1, &err)) < 0)
		goto fail;
	d = &st.domains[0];
	if (json) {
		json_t *doc = export_json(domain, file, cfg.snapshot_dir, d,
		                          conn, cred);
		char *text = json_dumps(doc, JSON_INDENT(2));

		json_decref(doc);
		if (text == NULL) {
			err_set(&err, ERR_INVALID,
			        "cannot write the trusts of '%s' as JSON (a "
			        "name or value is not valid UTF-8)",
			        domain);
			goto fail;
		}
		sbuf_addf(&o, "%s\n", text);
		free(text);
	} else if ((rc = export_yaml(&o, domain, d, conn, cred, &err)) < 0) {
		goto fail;
	}
	if (out != NULL)
		rc = cmd_write_file(out, o.buf, o.len, 0644, &err);
	else
		rc = fwrite(o.buf, 1, o.len, stdout) == o.len ? 0 : -1;
	if (rc < 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	if (err.msg[0] != '\0')
		cmd_error(&err);
	rc = 1;
done:
	model_state_release(&st);
	model_free(m);
	diags_release(&dg);
	sbuf_release(&o);
	return rc;
}
