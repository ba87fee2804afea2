/*
 * Loading desired state.  libcyaml stops at the first problem and reports
 * positions that are often one line off, so a first pass loads the libyaml
 * document tree and walks it alongside the very same libcyaml schema tables
 * (model/schema.c), reporting every problem with its exact line and column.
 * Only a document that passes fills the model (by the same tables); then the
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
#include "util/hex.h"
#include "util/safefile.h"
#include "util/sbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define MAX_FILE_SIZE SAFEFILE_INPUT_MAX

/* Hostile input: nesting, aliases and what they expand to, bounded. */
#define YAML_MAX_DEPTH 64
#define YAML_MAX_ALIASES 1024
#define YAML_MAX_ALIASED 100000 /* nodes that aliases stand for, in all */

struct walk {
	yaml_document_t *doc;
	const char *file;
	struct diags *diags;
	struct model_pos *pos;
	unsigned *excl; /* trusts whose name_suffixes name 'exclude' */
	size_t n_excl, cap_excl;
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

static bool
env_name_ok(const yaml_node_t *n)
{
	const char *v = sval(n);
	size_t len = n->data.scalar.length;

	if (len == 0 || len > 255 || (v[0] >= '0' && v[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			return false;
	return true;
}

/* Remembers "trusts[N].name_suffixes.exclude": 'exclude' was given. */
static void
note_exclude(struct walk *w, const char *path)
{
	size_t len = strlen(path);
	unsigned ti;
	int end = 0;

	if (len < 8 || strcmp(path + len - 8, ".exclude") != 0 ||
	    strncmp(path, "trusts[", 7) != 0)
		return;
	if (sscanf(path, "trusts[%u].name_suffixes.exclude%n", &ti, &end) !=
	            1 ||
	    end == 0 || path[end] != '\0')
		return;
	if (w->n_excl == w->cap_excl) {
		w->cap_excl = w->cap_excl ? 2 * w->cap_excl : 16;
		w->excl = xreallocarray(w->excl, w->cap_excl, sizeof(*w->excl));
	}
	w->excl[w->n_excl++] = ti;
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
		note_exclude(w, sub);
		if (f == model_schema_secret_fields && i == 0 &&
		    v->type == YAML_SCALAR_NODE && !env_name_ok(v)) {
			/* '{env: NAME hunter2}': the value may hold a secret */
			report(w, v->start_mark,
			       "'%s' must be an environment variable name "
			       "(letters, digits and '_', not starting with a "
			       "digit; the value is not shown: it may be a "
			       "secret)",
			       sub);
			continue;
		}
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

/* One open collection while composing. */
struct frame {
	int node;
	bool mapping;
	int key;      /* a mapping's key waiting for its value, or 0 */
	char *anchor; /* registered when the collection is complete */
	unsigned long weight;
};

struct anchor {
	char *name;
	int node;
	unsigned long weight;
};

struct composer {
	yaml_document_t *doc;
	struct walk *w;
	struct frame stack[YAML_MAX_DEPTH];
	int depth;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	unsigned aliases;
	unsigned long aliased; /* nodes the aliases stand for */
};

/*
 * Appends a node to the document, taking the event's strings (libyaml's
 * own loader does the same; yaml_document_add_* would copy them and a
 * default tag per node).  Returns its id.
 */
static int
push_node(yaml_document_t *doc, yaml_event_t *ev)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	yaml_node_t *node;

	if (doc->nodes.top == doc->nodes.end) {
		size_t cap = n ? 2 * n : 256;

		doc->nodes.start = xreallocarray(doc->nodes.start, cap,
		                                 sizeof(yaml_node_t));
		doc->nodes.top = doc->nodes.start + n;
		doc->nodes.end = doc->nodes.start + cap;
	}
	node = doc->nodes.top++;
	memset(node, 0, sizeof(*node));
	node->start_mark = ev->start_mark;
	node->end_mark = ev->end_mark;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		node->type = YAML_SCALAR_NODE;
		node->tag = ev->data.scalar.tag;
		node->data.scalar.value = ev->data.scalar.value;
		node->data.scalar.length = ev->data.scalar.length;
		node->data.scalar.style = ev->data.scalar.style;
		ev->data.scalar.tag = NULL;
		ev->data.scalar.value = NULL;
		break;
	case YAML_SEQUENCE_START_EVENT:
		node->type = YAML_SEQUENCE_NODE;
		node->tag = ev->data.sequence_start.tag;
		node->data.sequence.style = ev->data.sequence_start.style;
		ev->data.sequence_start.tag = NULL;
		break;
	default:
		node->type = YAML_MAPPING_NODE;
		node->tag = ev->data.mapping_start.tag;
		node->data.mapping.style = ev->data.mapping_start.style;
		ev->data.mapping_start.tag = NULL;
		break;
	}
	return (int)n + 1;
}

/* Grows one of libyaml's stacks (start, end, top) geometrically. */
#define STACK_PUSH(st, item)                                                   \
	do {                                                                   \
		if ((st).top == (st).end) {                                    \
			size_t n_ = (size_t)((st).top - (st).start);           \
			size_t cap_ = n_ ? 2 * n_ : 4;                         \
			(st).start = xreallocarray((st).start, cap_,           \
			                           sizeof(*(st).start));       \
			(st).top = (st).start + n_;                            \
			(st).end = (st).start + cap_;                          \
		}                                                              \
		*(st).top++ = (item);                                          \
	} while (0)

static void
add_anchor(struct composer *c, const char *name, int node, unsigned long weight)
{
	struct anchor *a;

	if (c->n_anchors == c->cap_anchors) {
		c->cap_anchors = c->cap_anchors ? 2 * c->cap_anchors : 16;
		c->anchors = xreallocarray(c->anchors, c->cap_anchors,
		                           sizeof(*c->anchors));
	}
	a = &c->anchors[c->n_anchors++];
	a->name = xstrdup(name);
	a->node = node;
	a->weight = weight;
}

/* The latest complete anchor of that name (aliases are few: bounded). */
static const struct anchor *
find_anchor(const struct composer *c, const char *name)
{
	for (size_t i = c->n_anchors; i-- > 0;)
		if (strcmp(c->anchors[i].name, name) == 0)
			return &c->anchors[i];
	return NULL;
}

/* Attaches a finished node to the open collection (or it is the root). */
static void
attach(struct composer *c, int node, unsigned long weight)
{
	struct frame *f;

	if (c->depth == 0)
		return;
	f = &c->stack[c->depth - 1];
	f->weight += weight;
	if (!f->mapping) {
		STACK_PUSH(yaml_document_get_node(c->doc, f->node)
		                   ->data.sequence.items,
		           node);
	} else if (f->key == 0) {
		f->key = node;
	} else {
		yaml_node_pair_t pair = {f->key, node};

		STACK_PUSH(yaml_document_get_node(c->doc, f->node)
		                   ->data.mapping.pairs,
		           pair);
		f->key = 0;
	}
}

/* One node event; 0, or -1 with the problem reported. */
static int
compose_node(struct composer *c, yaml_event_t *ev)
{
	yaml_document_t *doc = c->doc;
	const yaml_char_t *anchor = NULL;
	struct frame *f;
	int id;

	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		const struct anchor *a;

		if (++c->aliases > YAML_MAX_ALIASES) {
			report(c->w, ev->start_mark,
			       "more than %u YAML aliases", YAML_MAX_ALIASES);
			return -1;
		}
		if ((a = find_anchor(c, name)) == NULL) {
			report(c->w, ev->start_mark,
			       "YAML alias '*%s' names no complete anchor "
			       "before it",
			       name);
			return -1;
		}
		c->aliased += a->weight;
		if (c->aliased > YAML_MAX_ALIASED) {
			report(c->w, ev->start_mark,
			       "YAML aliases stand for more than %u nodes",
			       YAML_MAX_ALIASED);
			return -1;
		}
		attach(c, a->node, a->weight);
		return 0;
	}
	case YAML_SCALAR_EVENT:
		id = push_node(doc, ev);
		if (ev->data.scalar.anchor != NULL)
			add_anchor(c, (const char *)ev->data.scalar.anchor, id,
			           1);
		attach(c, id, 1);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (c->depth >= YAML_MAX_DEPTH) {
			report(c->w, ev->start_mark,
			       "YAML nested more than %d levels deep",
			       YAML_MAX_DEPTH);
			return -1;
		}
		anchor = ev->type == YAML_MAPPING_START_EVENT
		                 ? ev->data.mapping_start.anchor
		                 : ev->data.sequence_start.anchor;
		id = push_node(doc, ev);
		f = &c->stack[c->depth++];
		f->node = id;
		f->mapping = ev->type == YAML_MAPPING_START_EVENT;
		f->key = 0;
		f->anchor =
		        anchor != NULL ? xstrdup((const char *)anchor) : NULL;
		f->weight = 1;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		struct frame done = c->stack[--c->depth];

		yaml_document_get_node(doc, done.node)->end_mark = ev->end_mark;
		if (done.anchor != NULL)
			add_anchor(c, done.anchor, done.node, done.weight);
		free(done.anchor);
		attach(c, done.node, done.weight);
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * libyaml's composer (yaml_parser_load) has no depth limit and is
 * quadratic in the depth of flow nesting; it registers an anchor before
 * its node is complete (an alias inside its own anchor makes a cycle);
 * and it reads the first document only.  This composes the document from
 * the parser's events instead and stops at the first event past a limit:
 * depth, number of aliases, the nodes they stand for in all (the walk and
 * the model expand them), one document.  0, or -1 with the problem reported.
 */
static int
compose(yaml_document_t *doc, yaml_parser_t *ps, struct walk *w)
{
	struct composer c;
	unsigned docs = 0;
	bool done = false;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.w = w;
	memset(doc, 0, sizeof(*doc));
	if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
		abort();
	while (!done && rc == 0) {
		yaml_event_t ev;

		if (!yaml_parser_parse(ps, &ev)) {
			syntax_error(w, ps);
			rc = -1;
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			done = true;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			report(w, ev.start_mark,
			       "a second YAML document ('---'): a "
			       "desired-state "
			       "file holds exactly one");
			rc = -1;
		} else {
			rc = compose_node(&c, &ev);
		}
		yaml_event_delete(&ev);
	}
	while (c.depth > 0)
		free(c.stack[--c.depth].anchor);
	for (size_t i = 0; i < c.n_anchors; i++)
		free(c.anchors[i].name);
	free(c.anchors);
	if (rc < 0) {
		yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
	}
	return rc;
}

/*
 * Fills the model from a document the walk found valid, by the same
 * schema tables libcyaml reads: one YAML parse per load, and libcyaml's
 * cyaml_free releases the result (its default allocator is malloc).
 */
static void fill(const struct walk *w, const yaml_node_t *n,
                 const cyaml_schema_value_t *s, void *dst);

static void
store_uint(void *dst, uint32_t size, unsigned long long v)
{
	switch (size) {
	case 1: {
		uint8_t x = (uint8_t)v;

		memcpy(dst, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;

		memcpy(dst, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;

		memcpy(dst, &x, 4);
		break;
	}
	default: {
		uint64_t x = (uint64_t)v;

		memcpy(dst, &x, 8);
		break;
	}
	}
}

static unsigned long long
enum_value(const cyaml_schema_value_t *s, const char *v)
{
	for (uint32_t i = 0; i < s->enumeration.count; i++)
		if (strcasecmp(v, s->enumeration.strings[i].str) == 0)
			return (unsigned long long)s->enumeration.strings[i]
			        .val;
	return 0;
}

static void
fill_mapping(const struct walk *w, const yaml_node_t *n,
             const cyaml_schema_value_t *s, char *base)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(w->doc, p->value);

		for (const cyaml_schema_field_t *f = s->mapping.fields;
		     f->key != NULL; f++)
			if (strcmp(sval(k), f->key) == 0) {
				fill(w, v, &f->value, base + f->data_offset);
				if (f->value.type == CYAML_SEQUENCE)
					store_uint(
					        base + f->count_offset,
					        f->count_size,
					        (unsigned long long)(v->data.sequence
					                                     .items
					                                     .top -
					                             v->data.sequence
					                                     .items
					                                     .start));
				break;
			}
	}
}

/* dst is where the value goes (for a pointer: where the pointer goes). */
static void
fill(const struct walk *w, const yaml_node_t *n, const cyaml_schema_value_t *s,
     void *dst)
{
	bool ptr = (s->flags & CYAML_FLAG_POINTER) != 0;
	void *data = dst;

	if (s->type == CYAML_STRING) {
		char *str = xstrndup(sval(n), n->data.scalar.length);

		memcpy(dst, &str, sizeof(str));
		return;
	}
	if (ptr && s->type != CYAML_SEQUENCE) {
		data = xcalloc(1, s->data_size);
		memcpy(dst, &data, sizeof(data));
	}
	switch (s->type) {
	case CYAML_MAPPING:
		fill_mapping(w, n, s, data);
		break;
	case CYAML_SEQUENCE: {
		const cyaml_schema_value_t *e = s->sequence.entry;
		size_t cnt = (size_t)(n->data.sequence.items.top -
		                      n->data.sequence.items.start);
		size_t esz = (e->flags & CYAML_FLAG_POINTER) ? sizeof(void *)
		                                             : e->data_size;
		char *arr = xcalloc(cnt ? cnt : 1, esz);

		for (size_t i = 0; i < cnt; i++)
			fill(w,
			     yaml_document_get_node(
			             w->doc, n->data.sequence.items.start[i]),
			     e, arr + i * esz);
		memcpy(dst, &arr, sizeof(arr));
		break;
	}
	case CYAML_FLAGS: {
		unsigned long long v = 0;

		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++)
			v |= enum_value(
			        s, sval(yaml_document_get_node(w->doc, *it)));
		store_uint(data, s->data_size, v);
		break;
	}
	case CYAML_ENUM:
		store_uint(data, s->data_size, enum_value(s, sval(n)));
		break;
	case CYAML_BOOL: {
		const char *v = sval(n);
		bool b = !(strcasecmp(v, "false") == 0 ||
		           strcasecmp(v, "no") == 0 ||
		           strcasecmp(v, "off") == 0);

		store_uint(data, s->data_size, b);
		break;
	}
	case CYAML_UINT:
	case CYAML_INT:
		store_uint(data, s->data_size, strtoull(sval(n), NULL, 10));
		break;
	default:
		break;
	}
}

int
model_load_buf(struct model **out, const char *name, const char *buf,
               size_t len, struct diags *diags, struct err *err)
{
	struct model_pos *pos = model_pos_new();
	yaml_parser_t parser;
	yaml_document_t doc;
	struct walk w = {.doc = &doc,
	                 .file = name,
	                 .diags = diags,
	                 .pos = pos,
	                 .excl = NULL,
	                 .n_excl = 0,
	                 .cap_excl = 0};
	struct model *m = NULL;
	size_t before = diags->n;
	unsigned char digest[32];
	yaml_node_t *root;
	int rc = 0;

	*out = NULL;
	if (len > MAX_FILE_SIZE) {
		yaml_mark_t m0 = {0, 0, 0};

		report(&w, m0, "larger than %zu bytes", (size_t)MAX_FILE_SIZE);
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (compose(&doc, &parser, &w) < 0) {
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
	if (diags->n > before) {
		yaml_document_delete(&doc);
		rc = err_set(err, ERR_INVALID, "'%s' is not valid", name);
		goto out;
	}
	/* the tree goes as soon as the model holds what it said */
	fill(&w, root, &model_schema_top, &m);
	yaml_document_delete(&doc);
	m->path = xstrdup(name);
	m->text = xstrndup(buf, len);
	m->pos = pos;
	pos = NULL;
	model_index_build(m);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, digest);
	hex_encode(m->sha256, digest, sizeof(digest));

	for (size_t i = 0; i < w.n_excl; i++)
		if (w.excl[i] < m->n_trusts &&
		    m->trusts[w.excl[i]].name_suffixes != NULL)
			m->trusts[w.excl[i]].name_suffixes->exclude_set = true;
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
	free(w.excl);
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
			             "'%s' is larger than %zu bytes", path,
			             (size_t)MAX_FILE_SIZE);
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
	model_index_free(m->index);
	m->index = NULL;
	cyaml_free(&cfg, &model_schema_top, m, 0);
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
