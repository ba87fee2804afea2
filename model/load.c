/*
 * Loading desired state.  libcyaml stops at the first problem and reports
 * positions that are often one line off, so a first pass loads the libyaml
 * document tree and walks it alongside the very same libcyaml schema tables
 * (model/schema.c), reporting every problem with its exact line and column.
 * Only a document that passes is handed to cyaml_load_data; then the
 * semantic checks of validate.c run with positions from the same walk.
 */
#include "model/model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cyaml/cyaml.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <yaml.h>

#include "model/model_int.h"
#include "model/schema_int.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define MAX_FILE_SIZE (16u << 20)

struct walk {
	yaml_document_t *doc;
	const char *file;
	struct diags *diags;
	struct model_pos *pos;
};

static void report(struct walk *w, yaml_mark_t m, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
report(struct walk *w, yaml_mark_t m, const char *fmt, ...)
{
	struct err *e = diags_add(w->diags);
	va_list ap;

	snprintf(e->file, sizeof(e->file), "%s", w->file);
	e->line = (unsigned)m.line + 1;
	e->col = (unsigned)m.column + 1;
	e->code = ERR_INVALID;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *
kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

static const char *
show(const char *path)
{
	return *path ? path : "<top level>";
}

/* Levenshtein distance, capped: enough to suggest a near miss. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub =
			        prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
			                   : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

static void
suggest(char *buf, size_t len, const char *word, const char *const *cands,
        size_t n)
{
	size_t best = 3;
	const char *pick = NULL;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, cands[i]);

		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	if (pick != NULL)
		snprintf(buf, len, " (did you mean '%s'?)", pick);
}

static void check(struct walk *w, const yaml_node_t *n,
                  const cyaml_schema_value_t *s, const char *path);

static void
check_enum(struct walk *w, const yaml_node_t *n, const cyaml_schema_value_t *s,
           const char *path)
{
	const char *cands[32];
	struct sbuf list;
	char hint[128];
	size_t nc = 0;

	if (n->type != YAML_SCALAR_NODE) {
		report(w, n->start_mark, "'%s' must be a word, got %s", path,
		       kind(n));
		return;
	}
	for (uint32_t i = 0; i < s->enumeration.count; i++) {
		if (strcasecmp(sval(n), s->enumeration.strings[i].str) == 0)
			return;
		if (nc < 32)
			cands[nc++] = s->enumeration.strings[i].str;
	}
	sbuf_init(&list);
	for (size_t i = 0; i < nc; i++)
		sbuf_addf(&list, "%s%s", i ? ", " : "", cands[i]);
	suggest(hint, sizeof(hint), sval(n), cands, nc);
	report(w, n->start_mark,
	       "invalid value '%s' for '%s'%s (expected one of: %s)", sval(n),
	       path, hint, list.buf);
	sbuf_release(&list);
}

static bool
is_bool(const char *v)
{
	static const char *const ok[] = {"true", "false", "yes",
	                                 "no",   "on",    "off"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcasecmp(v, ok[i]) == 0)
			return true;
	return false;
}

static void
check_scalar(struct walk *w, const yaml_node_t *n,
             const cyaml_schema_value_t *s, const char *path)
{
	const char *v;
	size_t len;

	if (n->type != YAML_SCALAR_NODE) {
		report(w, n->start_mark, "'%s' must be a %s, got %s", path,
		       s->type == CYAML_STRING ? "string" : "single value",
		       kind(n));
		return;
	}
	v = sval(n);
	len = n->data.scalar.length;
	switch (s->type) {
	case CYAML_STRING:
		if (len < s->string.min)
			report(w, n->start_mark, "'%s' must not be empty",
			       path);
		else if (len > s->string.max)
			report(w, n->start_mark,
			       "'%s' is too long (%zu characters, at most %u)",
			       path, len, s->string.max);
		break;
	case CYAML_BOOL:
		if (!is_bool(v))
			report(w, n->start_mark,
			       "'%s' must be true or false, got '%s'", path, v);
		break;
	case CYAML_UINT:
	case CYAML_INT: {
		char *end;
		unsigned long long x;

		errno = 0;
		x = strtoull(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || *v == '-' ||
		    x > 0xffffffffull)
			report(w, n->start_mark,
			       "'%s' must be a whole number, got '%s'", path,
			       v);
		break;
	}
	default:
		break;
	}
}

static void
check_mapping(struct walk *w, const yaml_node_t *n,
              const cyaml_schema_value_t *s, const char *path)
{
	const cyaml_schema_field_t *f = s->mapping.fields;
	const char *keys[48];
	yaml_mark_t seen[48];
	bool have[48] = {false};
	size_t nf = 0;

	if (n->type != YAML_MAPPING_NODE) {
		if (f == model_schema_secret_fields &&
		    n->type == YAML_SCALAR_NODE)
			report(w, n->start_mark,
			       "'%s' must not hold a secret: give a reference "
			       "such as { env: NAME }, { file: PATH } or "
			       "{ prompt: TEXT }",
			       path);
		else
			report(w, n->start_mark,
			       "'%s' must be a mapping, got %s", show(path),
			       kind(n));
		return;
	}
	while (f[nf].key != NULL && nf < 48) {
		keys[nf] = f[nf].key;
		nf++;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		char hint[128], sub[512];
		size_t i;

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			report(w, k->start_mark, "a key in '%s' must be a word",
			       show(path));
			continue;
		}
		for (i = 0; i < nf; i++)
			if (strcmp(sval(k), keys[i]) == 0)
				break;
		if (i == nf && f == model_schema_secret_fields) {
			/* the key may be the secret itself: never echo it */
			report(w, k->start_mark,
			       "'%s' must name exactly one of env, file or "
			       "prompt (an unknown key is not shown: it may be "
			       "a secret)",
			       path);
			continue;
		}
		if (i == nf) {
			suggest(hint, sizeof(hint), sval(k), keys, nf);
			report(w, k->start_mark, "unknown key '%s' in '%s'%s",
			       sval(k), show(path), hint);
			continue;
		}
		if (have[i]) {
			report(w, k->start_mark,
			       "duplicate key '%s' in '%s' (first at %u:%u)",
			       sval(k), show(path), (unsigned)seen[i].line + 1,
			       (unsigned)seen[i].column + 1);
			continue;
		}
		have[i] = true;
		seen[i] = k->start_mark;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
		         keys[i]);
		model_pos_add(w->pos, sub, (unsigned)k->start_mark.line + 1,
		              (unsigned)k->start_mark.column + 1);
		check(w, v, &f[i].value, sub);
	}
	for (size_t i = 0; i < nf; i++)
		if (!have[i] && !(f[i].value.flags & CYAML_FLAG_OPTIONAL))
			report(w, n->start_mark,
			       "missing required key '%s' in '%s'", keys[i],
			       show(path));
	if (f == model_schema_secret_fields) {
		size_t set = (size_t)have[0] + have[1] + have[2];

		if (set != 1)
			report(w, n->start_mark,
			       "'%s' must name exactly one of env, file or "
			       "prompt",
			       path);
	}
}

static void
check(struct walk *w, const yaml_node_t *n, const cyaml_schema_value_t *s,
      const char *path)
{
	switch (s->type) {
	case CYAML_MAPPING:
		check_mapping(w, n, s, path);
		return;
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
	case CYAML_FLAGS: {
		size_t i = 0;

		if (n->type != YAML_SEQUENCE_NODE) {
			report(w, n->start_mark, "'%s' must be a list, got %s",
			       path, kind(n));
			return;
		}
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++, i++) {
			yaml_node_t *e = yaml_document_get_node(w->doc, *it);
			char sub[512];

			if (e == NULL)
				continue;
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			model_pos_add(w->pos, sub,
			              (unsigned)e->start_mark.line + 1,
			              (unsigned)e->start_mark.column + 1);
			if (s->type == CYAML_FLAGS)
				check_enum(w, e, s, sub);
			else
				check(w, e, s->sequence.entry, sub);
		}
		return;
	}
	case CYAML_ENUM:
		check_enum(w, n, s, path);
		return;
	case CYAML_IGNORE:
		return;
	default:
		check_scalar(w, n, s, path);
		return;
	}
}

static void
syntax_error(struct walk *w, const yaml_parser_t *ps)
{
	yaml_mark_t m = ps->problem_mark;

	if (ps->context != NULL)
		report(w, m, "YAML syntax error: %s (%s at %u:%u)",
		       ps->problem ? ps->problem : "unknown", ps->context,
		       (unsigned)ps->context_mark.line + 1,
		       (unsigned)ps->context_mark.column + 1);
	else
		report(w, m, "YAML syntax error: %s",
		       ps->problem ? ps->problem : "unknown");
}

/* libcyaml's own complaint, kept only if the checker missed something. */
struct cyaml_log {
	char msg[256];
	unsigned line, col;
};

static void
cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cyaml_log *lg = ctx;
	char line[256];
	const char *p;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(line, sizeof(line), fmt, args);
	if (lg->msg[0] == '\0' && strncmp(line, "Load: ", 6) == 0 &&
	    strstr(line, "Backtrace") == NULL) {
		snprintf(lg->msg, sizeof(lg->msg), "%s", line + 6);
		lg->msg[strcspn(lg->msg, "\n")] = '\0';
	} else if (lg->line == 0 && (p = strstr(line, "(line: ")) != NULL) {
		if (sscanf(p, "(line: %u, column: %u)", &lg->line, &lg->col) !=
		    2)
			lg->line = lg->col = 0;
	}
}

int
model_load_buf(struct model **out, const char *name, const char *buf,
               size_t len, struct diags *diags, struct err *err)
{
	struct model_pos *pos = model_pos_new();
	struct cyaml_log lg = {.msg = "", .line = 0, .col = 0};
	cyaml_config_t cfg = {
	        .log_fn = cyaml_log_fn,
	        .log_ctx = &lg,
	        .mem_fn = cyaml_mem,
	        .log_level = CYAML_LOG_ERROR,
	        .flags = CYAML_CFG_DEFAULT,
	};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct walk w = {.doc = &doc, .file = name, .diags = diags, .pos = pos};
	struct model *m = NULL;
	size_t before = diags->n;
	unsigned char digest[32];
	yaml_node_t *root;
	cyaml_err_t cerr;
	int rc = 0;

	*out = NULL;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(&w, &parser);
		yaml_parser_delete(&parser);
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		yaml_mark_t m0 = {0, 0, 0};

		report(&w, m0, "empty document: expected 'version: 1'");
	} else {
		check(&w, root, &model_schema_top, "");
	}
	yaml_document_delete(&doc);
	if (diags->n > before) {
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}

	cerr = cyaml_load_data((const uint8_t *)buf, len, &cfg,
	                       &model_schema_top, (cyaml_data_t **)&m, NULL);
	if (cerr != CYAML_OK || m == NULL) {
		struct err *e = diags_add(diags);

		err_set_at(e, ERR_INVALID, name, lg.line, lg.col, "%s",
		           lg.msg[0] ? lg.msg : cyaml_strerror(cerr));
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}
	m->path = xstrdup(name);
	m->text = xstrndup(buf, len);
	m->pos = pos;
	pos = NULL;
	gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, digest);
	for (size_t i = 0; i < 32; i++)
		snprintf(m->sha256 + 2 * i, 3, "%02x", digest[i]);

	for (unsigned i = 0; i < m->n_trusts; i++) {
		char path[96];
		unsigned line, col;

		if (m->trusts[i].name_suffixes == NULL)
			continue;
		snprintf(path, sizeof(path), "trusts[%u].name_suffixes.exclude",
		         i);
		model_pos_lookup(m, path, &line, &col);
		m->trusts[i].name_suffixes->exclude_set = line > 0;
	}
	model_validate(m, diags);
	if (diags->n > before) {
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}
	*out = m;
	m = NULL;
out:
	if (diags->n > before)
		diags_sort(diags);
	model_pos_free(pos);
	model_free(m);
	return rc;
}

int
model_load_file(struct model **out, const char *path, struct diags *diags,
                struct err *err)
{
	struct sbuf sb;
	char chunk[8192];
	FILE *fp = NULL;
	size_t n;
	int rc;

	*out = NULL;
	sbuf_init(&sb);
	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else if ((fp = fopen(path, "r")) == NULL) {
		rc = err_set_errno(err, ERR_IO, "cannot open '%s'", path);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		sbuf_add(&sb, chunk, n);
		if (sb.len > MAX_FILE_SIZE) {
			rc = err_set(err, ERR_INVALID,
			             "'%s' is larger than %u bytes", path,
			             MAX_FILE_SIZE);
			goto out;
		}
	}
	if (ferror(fp)) {
		rc = err_set_errno(err, ERR_IO, "cannot read '%s'", path);
		goto out;
	}
	rc = model_load_buf(out, path, sb.buf, sb.len, diags, err);
out:
	if (fp != NULL && fp != stdin)
		fclose(fp);
	sbuf_release(&sb);
	return rc;
}

void
model_free(struct model *m)
{
	cyaml_config_t cfg = {
	        .mem_fn = cyaml_mem,
	        .log_level = CYAML_LOG_ERROR,
	        .log_fn = NULL,
	};

	if (m == NULL)
		return;
	free(m->path);
	m->path = NULL;
	free(m->text);
	m->text = NULL;
	model_pos_free(m->pos);
	m->pos = NULL;
	cyaml_free(&cfg, &model_schema_top, m, 0);
}

const struct model_domain *
model_domain_find(const struct model *m, const char *name)
{
	for (unsigned i = 0; i < m->n_domains; i++)
		if (m->domains[i].name != NULL &&
		    strcasecmp(m->domains[i].name, name) == 0)
			return &m->domains[i];
	return NULL;
}

const struct model_credential *
model_cred_find(const struct model *m, const char *name)
{
	for (unsigned i = 0; i < m->n_credentials; i++)
		if (strcmp(m->credentials[i].name, name) == 0)
			return &m->credentials[i];
	return NULL;
}

char *
model_domain_dc_host(const struct model_domain *d)
{
	const char *u = d->ldap, *h, *end;

	if (d->rpc != NULL)
		return xstrdup(d->rpc);
	if (u == NULL)
		return NULL;
	h = strstr(u, "://");
	h = h != NULL ? h + 3 : u;
	end = h + strcspn(h, ":/");
	return end > h ? xstrndup(h, (size_t)(end - h)) : NULL;
}
