/*
 * The audit's outputs: text, JSON, SARIF 2.1.0, Prometheus metrics and a
 * Graphviz picture.  All deterministic (domain, partner, rule order; no
 * times but the metrics' own), and none holds a secret: the audit reads no
 * secret attribute.
 */
#include "reconcile/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "model/model.h"
#include "util/sbuf.h"
#include "util/version.h"
#include "util/xalloc.h"

static const char *const sev_colour[] = {"\033[2m", "\033[36m", "\033[33m",
                                         "\033[31m", "\033[1;31m"};

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static const char *
kind_name(const struct model_tdo *t)
{
	if (t->type == TDO_TYPE_MIT)
		return "realm";
	if (t->type == TDO_TYPE_DOWNLEVEL)
		return "downlevel";
	if (t->attributes & TA_WITHIN_FOREST)
		return "intra-forest";
	if (t->attributes & TA_FOREST_TRANSITIVE)
		return "forest";
	return "external";
}

/* The findings on domain's TDO for partner. */
static bool
on(const struct rec_finding *f, const char *domain, const char *partner)
{
	return strcasecmp(f->domain, domain) == 0 &&
	       strcasecmp(f->partner, partner) == 0;
}

void
rec_audit_text(struct sbuf *out, const struct rec_audit *a,
               const struct rec_audit_view *v)
{
	const struct model_state *s = v->state;
	size_t by_sev[REC_SEV_CRITICAL + 1] = {0};
	char enc[128], attrs[256];

	sbuf_addf(out, "Audit of %zu domain%s, %zu trusted domain object%s",
	          s->n_domains, s->n_domains == 1 ? "" : "s", a->n_tdos,
	          a->n_tdos == 1 ? "" : "s");
	if (v->snapshot != NULL)
		sbuf_addf(out, " (snapshot %s)", v->snapshot);
	sbuf_adds(out, ":\n");
	for (size_t d = 0; d < s->n_domains; d++) {
		const struct model_domain_state *ds = &s->domains[d];

		sbuf_addf(out, "\n%s", ds->name);
		if (ds->forest_root != NULL)
			sbuf_addf(out, " (forest %s)", ds->forest_root);
		sbuf_adds(out, "\n");
		if (ds->n_tdos == 0)
			sbuf_adds(out, "  (no trusted domain objects)\n");
		for (size_t i = 0; i < ds->n_tdos; i++) {
			const struct model_tdo *t = &ds->tdos[i];
			bool any = false;

			model_attrs_str(attrs, sizeof(attrs), t->attributes);
			if (t->has_enctypes)
				model_enctypes_str(enc, sizeof(enc),
				                   t->enctypes);
			else
				snprintf(enc, sizeof(enc), "not set");
			sbuf_addf(out,
			          "  -> %s: %s, %s; attributes %s; "
			          "encryption %s\n",
			          t->partner, kind_name(t),
			          model_dir_name(t->direction), attrs, enc);
			for (size_t k = 0; k < a->n; k++) {
				const struct rec_finding *f = &a->v[k];
				const char *sev =
				        rec_severity_name(f->rule->severity);

				if (!on(f, ds->name, t->partner))
					continue;
				any = true;
				if (f->waiver == NULL)
					by_sev[f->rule->severity]++;
				if (v->colour)
					sbuf_adds(
					        out,
					        sev_colour[f->rule->severity]);
				sbuf_addf(out, "     %-8s %s %s: %s",
				          f->waiver ? "waived" : sev,
				          f->rule->id, f->rule->name,
				          f->detail);
				if (v->colour)
					sbuf_adds(out, "\033[0m");
				sbuf_adds(out, "\n");
				if (f->waiver != NULL)
					sbuf_addf(out,
					          "              (%s %s)\n",
					          sev, f->waiver);
			}
			if (!any)
				sbuf_adds(out, "     ok\n");
		}
	}
	for (size_t i = 0; i < a->n_expired; i++)
		sbuf_addf(out, "\n! %s", a->expired[i]);
	sbuf_addf(out,
	          "\nFindings: %zu critical, %zu high, %zu medium, %zu low, "
	          "%zu info",
	          by_sev[REC_SEV_CRITICAL], by_sev[REC_SEV_HIGH],
	          by_sev[REC_SEV_MEDIUM], by_sev[REC_SEV_LOW],
	          by_sev[REC_SEV_INFO]);
	if (a->n_waived > 0)
		sbuf_addf(out, " (%zu waived)", a->n_waived);
	sbuf_adds(out, ".\n");
}

static json_t *
refs_json(const char *refs)
{
	json_t *arr = json_array();
	const char *p = refs;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ";");
		char *one = xstrndup(p, n);

		json_array_append_new(arr, json_string(one));
		free(one);
		p += n;
		while (*p == ';' || *p == ' ')
			p++;
	}
	return arr;
}

json_t *
rec_audit_json(const struct rec_audit *a, const struct rec_audit_view *v)
{
	json_t *root = json_object(), *doms = json_array(),
	       *finds = json_array(), *rules = json_array(),
	       *sum = json_object(), *exp = json_array();
	const struct model_state *s = v->state;

	/* the one JSON convention (docs/json.md): a string, and the maker */
	json_object_set_new(root, "format_version", json_string("1"));
	json_object_set_new(root, "adtrust_version",
	                    json_string(version_string()));
	json_object_set_new(root, "snapshot", str_or_null(v->snapshot));
	json_object_set_new(root, "desired_state",
	                    str_or_null(v->model ? v->model->path : NULL));
	for (size_t r = 0; r < rec_n_rules; r++) {
		const struct rec_rule *x = &rec_rules[r];

		json_array_append_new(
		        rules,
		        json_pack("{s:s, s:s, s:s, s:b, s:s, s:o}", "id", x->id,
		                  "name", x->name, "severity",
		                  rec_severity_name(x->severity), "enabled",
		                  rec_rule_enabled(x, v->opts), "title",
		                  x->title, "references",
		                  refs_json(x->references)));
	}
	json_object_set_new(root, "rules", rules);
	for (size_t d = 0; d < s->n_domains; d++) {
		const struct model_domain_state *ds = &s->domains[d];
		json_t *o = json_object(), *ts = json_array();

		json_object_set_new(o, "name", json_string(ds->name));
		json_object_set_new(o, "netbios", str_or_null(ds->netbios));
		json_object_set_new(o, "sid", str_or_null(ds->sid));
		json_object_set_new(o, "forest_root",
		                    str_or_null(ds->forest_root));
		for (size_t i = 0; i < ds->n_tdos; i++) {
			const struct model_tdo *t = &ds->tdos[i];

			json_array_append_new(
			        ts,
			        json_pack(
			                "{s:s, s:o, s:s, s:s, s:s, s:I, s:o, "
			                "s:o, s:o}",
			                "partner", t->partner, "dn",
			                str_or_null(t->dn), "kind",
			                kind_name(t), "direction",
			                model_dir_name(t->direction), "type",
			                model_type_name(t->type),
			                "trust_attributes",
			                (json_int_t)t->attributes,
			                "supported_encryption_types",
			                t->has_enctypes
			                        ? json_integer(t->enctypes)
			                        : json_null(),
			                "secret_out_set",
			                t->secret_out_set
			                        ? json_integer(
			                                  t->secret_out_set)
			                        : json_null(),
			                "secret_in_set",
			                t->secret_in_set
			                        ? json_integer(t->secret_in_set)
			                        : json_null()));
		}
		json_object_set_new(o, "trusts", ts);
		json_array_append_new(doms, o);
	}
	json_object_set_new(root, "domains", doms);
	for (size_t i = 0; i < a->n; i++) {
		const struct rec_finding *f = &a->v[i];
		json_t *o = json_object();
		unsigned line = 0, col = 0;
		long ti = v->model
		                  ? rec_audit_position(v->model, f, &line, &col)
		                  : -1;

		json_object_set_new(o, "rule", json_string(f->rule->id));
		json_object_set_new(o, "name", json_string(f->rule->name));
		json_object_set_new(
		        o, "severity",
		        json_string(rec_severity_name(f->rule->severity)));
		json_object_set_new(o, "domain", json_string(f->domain));
		json_object_set_new(o, "partner", json_string(f->partner));
		json_object_set_new(o, "dn", str_or_null(f->dn));
		json_object_set_new(o, "source", str_or_null(f->source));
		json_object_set_new(o, "detail", json_string(f->detail));
		json_object_set_new(o, "waived", str_or_null(f->waiver));
		json_object_set_new(
		        o, "yaml",
		        ti >= 0 ? json_pack("{s:I, s:I, s:I}", "trust",
		                            (json_int_t)ti, "line",
		                            (json_int_t)line, "column",
		                            (json_int_t)col)
		                : json_null());
		json_array_append_new(finds, o);
	}
	json_object_set_new(root, "findings", finds);
	for (int sv = REC_SEV_CRITICAL; sv >= REC_SEV_INFO; sv--) {
		size_t n = 0;

		for (size_t i = 0; i < a->n; i++)
			n += a->v[i].waiver == NULL &&
			     (int)a->v[i].rule->severity == sv;
		json_object_set_new(sum,
		                    rec_severity_name((enum rec_severity)sv),
		                    json_integer((json_int_t)n));
	}
	json_object_set_new(sum, "waived",
	                    json_integer((json_int_t)a->n_waived));
	json_object_set_new(sum, "trusted_domain_objects",
	                    json_integer((json_int_t)a->n_tdos));
	json_object_set_new(root, "summary", sum);
	for (size_t i = 0; i < a->n_expired; i++)
		json_array_append_new(exp, json_string(a->expired[i]));
	json_object_set_new(root, "expired_waivers", exp);
	return root;
}

/* SARIF levels and GitHub's security-severity scores. */
static const char *const sarif_level[] = {"note", "note", "warning", "error",
                                          "error"};
static const char *const sarif_score[] = {"1.0", "3.0", "5.5", "8.0", "9.5"};

/* A path as a SARIF artifact URI (relative stays relative). */
static char *
uri_of(const char *path)
{
	struct sbuf sb;

	sbuf_init(&sb);
	if (path[0] == '/')
		sbuf_adds(&sb, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p) != NULL)
			sbuf_addch(&sb, (char)*p);
		else
			sbuf_addf(&sb, "%%%02X", *p);
	}
	return sbuf_detach(&sb, NULL);
}

static json_t *
physical(const char *path, unsigned line, unsigned col)
{
	char *uri = uri_of(path);
	json_t *region = json_object(), *o;

	json_object_set_new(region, "startLine", json_integer(line));
	if (col > 0)
		json_object_set_new(region, "startColumn", json_integer(col));
	o = json_pack("{s:{s:s}, s:o}", "artifactLocation", "uri", uri,
	              "region", region);
	free(uri);
	return o;
}

/*
 * Where a finding is: the YAML line of the managed trust when a desired
 * state was given, else the LDIF line of the TDO in a snapshot; always
 * the domain and the DN as a logical location.
 */
static json_t *
location(const struct rec_finding *f, const struct rec_audit_view *v)
{
	json_t *loc = json_object(), *logical = json_object();
	unsigned line = 0, col = 0;
	char *fq;

	if (v->model != NULL && v->model->path != NULL &&
	    rec_audit_position(v->model, f, &line, &col) >= 0 && line > 0) {
		json_object_set_new(loc, "physicalLocation",
		                    physical(v->model->path, line, col));
	} else if (v->snapshot != NULL && f->source != NULL) {
		const char *colon = strrchr(f->source, ':');
		unsigned long ln = colon ? strtoul(colon + 1, NULL, 10) : 0;
		char *file = xasprintf("%s/%.*s", v->snapshot,
		                       (int)(colon ? colon - f->source
		                                   : (long)strlen(f->source)),
		                       f->source);

		if (ln > 0 && ln < 1000000000ul)
			json_object_set_new(loc, "physicalLocation",
			                    physical(file, (unsigned)ln, 0));
		free(file);
	}
	fq = xasprintf("%s/%s", f->domain, f->dn ? f->dn : f->partner);
	json_object_set_new(logical, "name", json_string(f->partner));
	json_object_set_new(logical, "fullyQualifiedName", json_string(fq));
	json_object_set_new(logical, "kind", json_string("object"));
	free(fq);
	json_object_set_new(loc, "logicalLocations", json_pack("[o]", logical));
	return loc;
}

json_t *
rec_audit_sarif(const struct rec_audit *a, const struct rec_audit_view *v)
{
	json_t *rules = json_array(), *results = json_array(), *driver;

	for (size_t r = 0; r < rec_n_rules; r++) {
		const struct rec_rule *x = &rec_rules[r];
		json_t *o = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, "
		                      "s:{s:b, s:s}, s:{s:[s], s:s, s:s, s:o}}",
		                      "id", x->id, "name", x->name,
		                      "shortDescription", "text", x->title,
		                      "fullDescription", "text", x->rationale,
		                      "help", "text", x->references,
		                      "defaultConfiguration", "enabled",
		                      rec_rule_enabled(x, v->opts), "level",
		                      sarif_level[x->severity], "properties",
		                      "tags", "security", "security-severity",
		                      sarif_score[x->severity], "severity",
		                      rec_severity_name(x->severity),
		                      "references", refs_json(x->references));

		if (x->help_uri != NULL)
			json_object_set_new(o, "helpUri",
			                    json_string(x->help_uri));
		json_array_append_new(rules, o);
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct rec_finding *f = &a->v[i];
		char *msg = xasprintf("%s: %s -> %s: %s", f->rule->title,
		                      f->domain, f->partner, f->detail);
		char *fp = xasprintf("%s/%s/%s", f->rule->id, f->domain,
		                     f->partner);
		json_t *o = json_pack(
		        "{s:s, s:I, s:s, s:{s:s}, s:[o], s:{s:s}}", "ruleId",
		        f->rule->id, "ruleIndex",
		        (json_int_t)(f->rule - rec_rules), "level",
		        sarif_level[f->rule->severity], "message", "text", msg,
		        "locations", location(f, v), "partialFingerprints",
		        "adtrustFinding/v1", fp);

		if (f->waiver != NULL)
			json_object_set_new(
			        o, "suppressions",
			        json_pack("[{s:s, s:s}]", "kind", "external",
			                  "justification", f->waiver));
		json_array_append_new(results, o);
		free(msg);
		free(fp);
	}
	driver = json_pack(
	        "{s:s, s:s, s:o}", "name", "adtrust", "informationUri",
	        "https://github.com/adtrust/adtrust", "rules", rules);
	return json_pack("{s:s, s:s, s:[{s:{s:o}, s:o, s:s}]}", "$schema",
	                 "https://json.schemastore.org/sarif-2.1.0.json",
	                 "version", "2.1.0", "runs", "tool", "driver", driver,
	                 "results", results, "columnKind", "unicodeCodePoints");
}

void
rec_audit_metrics(struct sbuf *out, const struct rec_audit *a, bool ok,
                  long long now)
{
	sbuf_adds(out, "# HELP adtrust_audit_findings Findings of the last "
	               "audit by rule and severity (waived ones not "
	               "counted).\n"
	               "# TYPE adtrust_audit_findings gauge\n");
	for (size_t r = 0; r < rec_n_rules; r++) {
		size_t n = 0;

		for (size_t i = 0; ok && i < a->n; i++)
			n += a->v[i].rule == &rec_rules[r] &&
			     a->v[i].waiver == NULL;
		sbuf_addf(out,
		          "adtrust_audit_findings{rule=\"%s\",name=\"%s\","
		          "severity=\"%s\"} %zu\n",
		          rec_rules[r].id, rec_rules[r].name,
		          rec_severity_name(rec_rules[r].severity), n);
	}
	sbuf_adds(out, "# HELP adtrust_audit_severity_findings Findings of "
	               "the last audit by severity.\n"
	               "# TYPE adtrust_audit_severity_findings gauge\n");
	for (int sv = REC_SEV_CRITICAL; sv >= REC_SEV_INFO; sv--) {
		size_t n = 0;

		for (size_t i = 0; ok && i < a->n; i++)
			n += a->v[i].waiver == NULL &&
			     (int)a->v[i].rule->severity == sv;
		sbuf_addf(out,
		          "adtrust_audit_severity_findings{severity=\"%s\"} "
		          "%zu\n",
		          rec_severity_name((enum rec_severity)sv), n);
	}
	sbuf_adds(out, "# HELP adtrust_audit_waived_findings Findings an "
	               "unexpired waiver covers.\n"
	               "# TYPE adtrust_audit_waived_findings gauge\n");
	sbuf_addf(out, "adtrust_audit_waived_findings %zu\n",
	          ok ? a->n_waived : 0);
	sbuf_adds(out, "# HELP adtrust_audit_expired_waivers Waivers past "
	               "their date.\n"
	               "# TYPE adtrust_audit_expired_waivers gauge\n");
	sbuf_addf(out, "adtrust_audit_expired_waivers %zu\n",
	          ok ? a->n_expired : 0);
	sbuf_adds(out, "# HELP adtrust_audit_trusted_domain_objects Trusted "
	               "domain objects read.\n"
	               "# TYPE adtrust_audit_trusted_domain_objects gauge\n");
	sbuf_addf(out, "adtrust_audit_trusted_domain_objects %zu\n",
	          ok ? a->n_tdos : 0);
	sbuf_adds(out, "# HELP adtrust_audit_success 1 if the last audit read "
	               "every domain.\n"
	               "# TYPE adtrust_audit_success gauge\n");
	sbuf_addf(out, "adtrust_audit_success %d\n", ok ? 1 : 0);
	if (ok) {
		sbuf_adds(out, "# HELP adtrust_audit_last_success_timestamp_"
		               "seconds When an audit last succeeded.\n"
		               "# TYPE adtrust_audit_last_success_timestamp_"
		               "seconds gauge\n");
		sbuf_addf(out,
		          "adtrust_audit_last_success_timestamp_seconds %lld\n",
		          now);
	}
}

/* ---- DOT ---- */

/*
 * A DOT double-quoted string: the bytes of s with '"' and '\' escaped; a
 * newline becomes DOT's centred line break, other control bytes a space
 * (names come from the directory or a snapshot: any byte may be there).
 */
static void
dot_str(struct sbuf *out, const char *s)
{
	sbuf_addch(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			sbuf_adds(out, "\\n");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_addch(out, ' ');
		else if (*s == '"' || *s == '\\')
			sbuf_addf(out, "\\%c", *s);
		else
			sbuf_addch(out, *s);
	}
	sbuf_addch(out, '"');
}

struct edge {
	const char *from, *to;            /* trusting -> trusted */
	const struct model_tdo *out_side; /* held by from, OUTBOUND */
	const struct model_tdo *in_side;  /* held by to, INBOUND */
	int worst;                        /* -1: no finding */
	struct sbuf ids;
};

struct node {
	const char *name;
	const char *forest; /* NULL: unknown */
	bool read, realm;
};

static struct edge *
edge_get(struct edge **v, size_t *n, const char *from, const char *to)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp((*v)[i].from, from) == 0 &&
		    strcasecmp((*v)[i].to, to) == 0)
			return &(*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].from = from;
	(*v)[*n].to = to;
	(*v)[*n].worst = -1;
	sbuf_init(&(*v)[*n].ids);
	return &(*v)[(*n)++];
}

static struct node *
node_get(struct node **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp((*v)[i].name, name) == 0)
			return &(*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = name;
	return &(*v)[(*n)++];
}

static const char *const edge_colour[] = {"gray40", "goldenrod3", "darkorange2",
                                          "red3", "red3"};

static void
edge_findings(struct edge *e, const struct rec_audit *a,
              const struct model_tdo *t)
{
	for (size_t i = 0; t != NULL && i < a->n; i++) {
		const struct rec_finding *f = &a->v[i];

		if (!on(f, t->domain, t->partner) || f->waiver != NULL ||
		    strstr(e->ids.buf, f->rule->id) != NULL)
			continue;
		if ((int)f->rule->severity > e->worst)
			e->worst = (int)f->rule->severity;
		sbuf_addf(&e->ids, "%s%s", e->ids.len ? " " : "", f->rule->id);
	}
}

static bool
is_sid_filter_off(const struct model_tdo *t)
{
	return (t->type == TDO_TYPE_UPLEVEL || t->type == TDO_TYPE_DOWNLEVEL) &&
	       !(t->attributes & (TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST |
	                          TA_QUARANTINED_DOMAIN));
}

static void
edge_label(struct sbuf *l, const struct edge *e, const struct rec_audit_view *v)
{
	const struct model_tdo *o = e->out_side, *i = e->in_side;
	const struct model_tdo *any = o != NULL ? o : i;

	sbuf_adds(l, kind_name(any));
	if (o != NULL && is_sid_filter_off(o))
		sbuf_adds(l, "\nSID filtering off");
	if (o != NULL && (o->attributes & TA_FOREST_TRANSITIVE) &&
	    (o->attributes & TA_TREAT_AS_EXTERNAL))
		sbuf_adds(l, "\nSID history");
	if (o != NULL && (o->attributes & TA_CROSS_ORGANIZATION))
		sbuf_adds(l, "\nselective auth");
	if (any->attributes & TA_CROSS_ORG_ENABLE_TGT_DELEGATION &&
	    !(any->attributes & TA_CROSS_ORG_NO_TGT_DELEGATION))
		sbuf_adds(l, "\nTGT delegation");
	if (i != NULL && i->has_enctypes && (i->enctypes & 0x3fu)) {
		if (i->enctypes & (ENC_AES128 | ENC_AES256))
			sbuf_adds(l, (i->enctypes & 0x7u) ? "\nAES+RC4/DES"
			                                  : "\nAES");
		else
			sbuf_adds(l, "\nRC4/DES only");
	} else if (i != NULL) {
		sbuf_adds(l, "\netypes unset");
	}
	if ((o == NULL || i == NULL) &&
	    model_state_find(v->state, o == NULL ? e->from : e->to) != NULL)
		sbuf_adds(l, "\none side only");
	if (e->ids.len > 0)
		sbuf_addf(l, "\n%s", e->ids.buf);
}

void
rec_audit_dot(struct sbuf *out, const struct rec_audit *a,
              const struct rec_audit_view *v)
{
	const struct model_state *s = v->state;
	struct edge *edges = NULL;
	struct node *nodes = NULL;
	size_t n_edges = 0, n_nodes = 0;
	struct sbuf l;

	for (size_t d = 0; d < s->n_domains; d++) {
		struct node *x = node_get(&nodes, &n_nodes, s->domains[d].name);

		x->read = true;
		x->forest = s->domains[d].forest_root;
	}
	for (size_t d = 0; d < s->n_domains; d++) {
		const struct model_domain_state *ds = &s->domains[d];

		for (size_t i = 0; i < ds->n_tdos; i++) {
			const struct model_tdo *t = &ds->tdos[i];
			struct node *p = node_get(&nodes, &n_nodes, t->partner);
			struct edge *e;

			if (!p->read) {
				p->realm = t->type == TDO_TYPE_MIT;
				if (t->attributes & TA_WITHIN_FOREST)
					p->forest = ds->forest_root;
				else if (t->attributes & TA_FOREST_TRANSITIVE)
					p->forest = t->partner;
			}
			if (t->direction & TDO_DIR_OUTBOUND) {
				e = edge_get(&edges, &n_edges, ds->name,
				             t->partner);
				e->out_side = t;
			}
			if (t->direction & TDO_DIR_INBOUND) {
				e = edge_get(&edges, &n_edges, t->partner,
				             ds->name);
				e->in_side = t;
			}
		}
	}
	sbuf_adds(out, "digraph adtrust {\n"
	               "\trankdir=LR;\n"
	               "\tlabel=\"adtrust audit: an arrow goes from the "
	               "trusting to the trusted domain\";\n"
	               "\tfontname=\"Helvetica\"; fontsize=11;\n"
	               "\tnode [shape=box, style=rounded, fontname="
	               "\"Helvetica\", fontsize=11];\n"
	               "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	/* clusters: one per forest, in first-seen order */
	for (size_t i = 0; i < n_nodes; i++) {
		bool first = true;

		if (nodes[i].forest == NULL)
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = nodes[j].forest == NULL ||
			        strcasecmp(nodes[j].forest, nodes[i].forest) !=
			                0;
		if (!first)
			continue;
		sbuf_adds(out, "\tsubgraph ");
		{
			char *c = xasprintf("cluster_%s", nodes[i].forest);

			dot_str(out, c);
			free(c);
		}
		sbuf_adds(out, " {\n\t\tlabel=");
		{
			char *c = xasprintf("forest %s", nodes[i].forest);

			dot_str(out, c);
			free(c);
		}
		sbuf_adds(out, "; style=dashed; color=gray60;\n");
		for (size_t j = i; j < n_nodes; j++) {
			if (nodes[j].forest == NULL ||
			    strcasecmp(nodes[j].forest, nodes[i].forest) != 0)
				continue;
			sbuf_adds(out, "\t\t");
			dot_str(out, nodes[j].name);
			sbuf_adds(out, nodes[j].read
			                       ? ";\n"
			                       : " [style=\"rounded,dashed\", "
			                         "tooltip=\"not read\"];\n");
		}
		sbuf_adds(out, "\t}\n");
	}
	for (size_t i = 0; i < n_nodes; i++) {
		if (nodes[i].forest != NULL)
			continue;
		sbuf_adds(out, "\t");
		dot_str(out, nodes[i].name);
		sbuf_addf(out, " [%s%s];\n",
		          nodes[i].realm ? "shape=ellipse, " : "",
		          nodes[i].read ? "style=rounded"
		                        : "style=\"rounded,dashed\", "
		                          "tooltip=\"not read\"");
	}
	sbuf_init(&l);
	for (size_t i = 0; i < n_edges; i++) {
		struct edge *e = &edges[i];

		edge_findings(e, a, e->out_side);
		edge_findings(e, a, e->in_side);
		sbuf_reset(&l);
		edge_label(&l, e, v);
		sbuf_adds(out, "\t");
		dot_str(out, e->from);
		sbuf_adds(out, " -> ");
		dot_str(out, e->to);
		sbuf_adds(out, " [label=");
		dot_str(out, l.buf);
		sbuf_addf(out, ", color=%s, fontcolor=%s%s%s];\n",
		          e->worst < 0 ? "black" : edge_colour[e->worst],
		          e->worst < 0 ? "black" : edge_colour[e->worst],
		          e->worst >= REC_SEV_HIGH ? ", penwidth=2" : "",
		          (e->out_side == NULL || e->in_side == NULL) &&
		                          model_state_find(s, e->from) !=
		                                  NULL &&
		                          model_state_find(s, e->to) != NULL
		                  ? ", style=dashed"
		                  : "");
		sbuf_release(&e->ids);
	}
	sbuf_release(&l);
	sbuf_adds(out, "}\n");
	free(edges);
	free(nodes);
}
