/*
 * Semantic checks of a loaded desired state.  Every problem is reported
 * (OpenBGPD's errors++), each at the YAML position of the thing it is
 * about and naming its YAML path.
 */
#include "model/model.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"
#include "util/err.h"
#include "util/sid.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct vctx {
	const struct model *m;
	struct diags *out;
	struct strmap pairs; /* "a.test\nb.test" (lower, sorted) -> trust */
	char **keys;         /* the pair keys, owned */
	size_t n_keys, cap_keys;
};

static void problem(struct vctx *v, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
problem(struct vctx *v, const char *path, const char *fmt, ...)
{
	struct err *e = diags_add(v->out);
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->code = ERR_INVALID;
	snprintf(e->file, sizeof(e->file), "%s", v->m->path ? v->m->path : "");
	model_pos_lookup(v->m, path, &e->line, &e->col);
	snprintf(e->msg, sizeof(e->msg), "%s: %s", path, msg);
}

static bool
dns_name_ok(const char *s)
{
	size_t label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static bool
date_ok(const char *s)
{
	int y, mo, d;
	char tail;

	if (strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3)
		return false;
	return y >= 2000 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

static void
check_domains(struct vctx *v)
{
	const struct model *m = v->m;
	struct strmap seen;
	char path[64];
	size_t j;

	strmap_init(&seen, true);
	for (unsigned i = 0; i < m->n_domains; i++) {
		const struct model_domain *d = &m->domains[i];

		snprintf(path, sizeof(path), "domains[%u]", i);
		if (!strmap_put(&seen, d->name, i, &j))
			problem(v, path,
			        "domain '%s' is declared twice "
			        "(first as domains[%zu])",
			        d->name, j);
		if (!dns_name_ok(d->name))
			problem(v, path, "'%s' is not a DNS name", d->name);
		if (d->sid != NULL && !sid_is_domain(d->sid)) {
			snprintf(path, sizeof(path), "domains[%u].sid", i);
			problem(v, path,
			        "'%s' is not a domain SID (S-1-5-21-a-b-c)",
			        d->sid);
		}
		if (d->credentials != NULL &&
		    model_cred_find(m, d->credentials) == NULL) {
			snprintf(path, sizeof(path), "domains[%u].credentials",
			         i);
			problem(v, path, "unknown credentials '%s'",
			        d->credentials);
		}
		if (d->kind == MODEL_KIND_AD && d->kadmin != NULL) {
			snprintf(path, sizeof(path), "domains[%u].kadmin", i);
			problem(v, path,
			        "'kadmin' is only for kind: mit-realm");
		}
		if (d->ldap != NULL &&
		    strncasecmp(d->ldap, "ldap://", 7) != 0 &&
		    strncasecmp(d->ldap, "ldaps://", 8) != 0) {
			snprintf(path, sizeof(path), "domains[%u].ldap", i);
			problem(v, path,
			        "'%s' must be an ldap:// or ldaps:// URI",
			        d->ldap);
		}
	}
	strmap_release(&seen);
}

static void
check_credentials(struct vctx *v)
{
	const struct model *m = v->m;
	struct strmap seen;
	char path[64];

	strmap_init(&seen, false);
	for (unsigned i = 0; i < m->n_credentials; i++) {
		const struct model_credential *c = &m->credentials[i];

		snprintf(path, sizeof(path), "credentials[%u]", i);
		if (!strmap_put(&seen, c->name, i, NULL))
			problem(v, path, "credentials '%s' are declared twice",
			        c->name);
		if (c->method == MODEL_CRED_PASSWORD &&
		    (c->user == NULL || c->password == NULL))
			problem(v, path,
			        "method 'password' needs 'user' and "
			        "'password'");
		if (c->method == MODEL_CRED_KEYTAB &&
		    (c->user == NULL || c->keytab == NULL ||
		     c->password != NULL))
			problem(v, path,
			        "method 'keytab' needs 'user' and 'keytab' "
			        "(and no 'password')");
		if (c->method != MODEL_CRED_KEYTAB && c->keytab != NULL)
			problem(v, path, "'keytab' goes with method 'keytab'");
		if (c->method == MODEL_CRED_KERBEROS && c->password != NULL)
			problem(v, path,
			        "method 'kerberos' uses the credential cache; "
			        "remove 'password' or use method 'password'");
	}
	strmap_release(&seen);
}

/* A boolean field's value in one place (a trust, or opts), or NULL. */
static const bool *
field_at(const struct model_bool_field *f, const void *base)
{
	const bool *const *p =
	        (const bool *const *)(const void *)((const char *)base +
	                                            f->offset);

	return *p;
}

static const char *
bit_name(uint32_t bit)
{
	for (size_t i = 0; i < model_n_attr_bits; i++)
		if (model_attr_bits[i].bit == bit)
			return model_attr_bits[i].name;
	return "?";
}

static const char *
type_word(enum model_trust_type type)
{
	static const char *const words[] = {"external", "forest", "realm",
	                                    "shortcut", "downlevel"};

	return (size_t)type < sizeof(words) / sizeof(words[0]) ? words[type]
	                                                       : "?";
}

/*
 * The boolean fields set in one place (base: the trust, or a side's
 * options; per_side says which), by their rows: each key set on a trust
 * type none of its rows reads says why, and two fields that read one bit
 * on this type must not want it both ways.
 */
static void
check_bools(struct vctx *v, const char *path, const struct model_trust *t,
            const void *base, bool per_side)
{
	char sub[160];

	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		const bool *x =
		        f->per_side == per_side ? field_at(f, base) : NULL;

		if (x == NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
		if (f->key && !(model_bool_field_types(f) & (1u << t->type)))
			problem(v, sub, "'%s' %s", f->name,
			        f->why != NULL ? f->why
			                       : "does not apply to this type");
		if (!model_bool_field_applies(f, t->type))
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct model_bool_field *g =
			        &model_bool_fields[j];
			const bool *y = g->per_side == per_side
			                        ? field_at(g, base)
			                        : NULL;

			if (y == NULL || g->bit != f->bit ||
			    strcmp(g->name, f->name) == 0 ||
			    !model_bool_field_applies(g, t->type) ||
			    (*x != f->inverted) == (*y != g->inverted))
				continue;
			problem(v, sub,
			        "'%s: %s' contradicts '%s: %s' (on a %s trust "
			        "both are %s)",
			        f->name, *x ? "true" : "false", g->name,
			        *y ? "true" : "false", type_word(t->type),
			        bit_name(f->bit));
		}
	}
}

/* name equals, or is a subdomain of, an enabled or disabled suffix */
static bool
under_any(const char *name, const struct model_suffixes *s)
{
	for (int k = 0; k < 2; k++) {
		char **list = k == 0 ? s->enable : s->disable;
		unsigned n = k == 0 ? s->n_enable : s->n_disable;

		for (unsigned i = 0; i < n; i++) {
			const char *t = list[i];

			if (t[0] == '*' && t[1] == '.')
				t += 2;
			if (model_dns_under(name, t))
				return true;
		}
	}
	return false;
}

/* "b.test, c.test" from enable and disable, cut with "..." */
static void
suffix_list(char *buf, size_t len, const struct model_suffixes *s)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->n_enable + s->n_disable; i++) {
		const char *t = i < s->n_enable ? s->enable[i]
		                                : s->disable[i - s->n_enable];
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		                 t);

		if (w < 0 || (size_t)w >= len - off) {
			snprintf(buf + (len > 4 ? len - 4 : 0), 4, "...");
			return;
		}
		off += (size_t)w;
	}
}

static void
check_suffixes(struct vctx *v, unsigned ti, const struct model_suffixes *s)
{
	struct {
		char **list;
		unsigned n;
		const char *name;
	} lists[] = {
	        {s->enable, s->n_enable, "enable"},
	        {s->disable, s->n_disable, "disable"},
	        {s->exclude, s->n_exclude, "exclude"},
	};
	char path[128];

	for (size_t l = 0; l < 3; l++) {
		for (unsigned i = 0; i < lists[l].n; i++) {
			const char *name = lists[l].list[i];

			snprintf(path, sizeof(path),
			         "trusts[%u].name_suffixes.%s[%u]", ti,
			         lists[l].name, i);
			if (!dns_name_ok(name[0] == '*' && name[1] == '.'
			                         ? name + 2
			                         : name))
				problem(v, path, "'%s' is not a DNS name",
				        name);
			if (l == 0 &&
			    model_name_listed(s->disable, s->n_disable, name))
				problem(v, path,
				        "'%s' is both enabled and disabled",
				        name);
			if (l == 0 &&
			    model_name_listed(s->exclude, s->n_exclude, name))
				problem(v, path,
				        "'%s' is both enabled and excluded",
				        name);
			if (l == 2 && s->n_enable + s->n_disable > 0 &&
			    !under_any(name, s)) {
				char all[256];

				suffix_list(all, sizeof(all), s);
				problem(v, path,
				        "exclusion '%s' is under none of the "
				        "trust's name suffixes (%s): an "
				        "exclusion "
				        "carves a name out of a suffix, and "
				        "the "
				        "DC refuses one outside them "
				        "(NT_STATUS_INVALID_PARAMETER)",
				        name, all);
			}
		}
	}
}

static const struct model_domain *
ref(struct vctx *v, const char *path, const char *name)
{
	const struct model_domain *d = model_domain_find(v->m, name);

	if (d == NULL)
		problem(v, path,
		        "unknown domain '%s' (declare it under 'domains')",
		        name);
	return d;
}

/*
 * The first trust declared between the same two domains (either way
 * round), or -1; remembers t as the first otherwise.
 */
static long
pair_seen(struct vctx *v, const struct model_trust *t, unsigned i)
{
	const char *a = t->trusting, *b = t->trusted;
	size_t first;
	char *key;

	if (strcasecmp(a, b) > 0) {
		a = t->trusted;
		b = t->trusting;
	}
	key = xasprintf("%s\n%s", a, b);
	if (!strmap_put(&v->pairs, key, i, &first)) {
		free(key);
		return (long)first;
	}
	if (v->n_keys == v->cap_keys) {
		v->cap_keys = v->cap_keys ? 2 * v->cap_keys : 64;
		v->keys = xreallocarray(v->keys, v->cap_keys, sizeof(*v->keys));
	}
	v->keys[v->n_keys++] = key;
	return -1;
}

static void
check_trust(struct vctx *v, unsigned i)
{
	const struct model_trust *t = &v->m->trusts[i];
	const struct model_domain *dt, *dd;
	char path[96], sub[128];
	bool realm = t->type == MODEL_TYPE_REALM;
	long first;

	snprintf(path, sizeof(path), "trusts[%u]", i);
	snprintf(sub, sizeof(sub), "%s.trusting", path);
	dt = ref(v, sub, t->trusting);
	snprintf(sub, sizeof(sub), "%s.trusted", path);
	dd = ref(v, sub, t->trusted);
	if (strcasecmp(t->trusting, t->trusted) == 0)
		problem(v, path, "a domain cannot trust itself ('%s')",
		        t->trusting);
	if ((first = pair_seen(v, t, i)) >= 0)
		problem(v, path,
		        "the trust between '%s' and '%s' is declared "
		        "twice (first as trusts[%ld]; use direction: "
		        "two-way for both directions)",
		        t->trusting, t->trusted, first);
	if (dt != NULL && dd != NULL) {
		bool mit = dt->kind == MODEL_KIND_MIT_REALM ||
		           dd->kind == MODEL_KIND_MIT_REALM;

		if (realm && !mit)
			problem(v, path,
			        "type 'realm' needs one side of kind "
			        "mit-realm");
		if (!realm && mit)
			problem(v, path,
			        "a trust with an MIT realm must have type "
			        "'realm'");
		if (dt->kind == MODEL_KIND_MIT_REALM &&
		    dd->kind == MODEL_KIND_MIT_REALM)
			problem(v, path, "both sides are MIT realms");
	}
	if (t->ensure == MODEL_ABSENT)
		return;
	if (t->sides != MODEL_SIDES_BOTH && t->password == NULL) {
		snprintf(sub, sizeof(sub), "%s.sides", path);
		problem(v, sub,
		        "sides: %s creates one side only and needs "
		        "'password' (the trust password both sides share)",
		        t->sides == MODEL_SIDES_TRUSTING ? "trusting"
		                                         : "trusted");
	}
	if (realm && t->password == NULL)
		problem(v, path,
		        "a realm trust needs 'password' (netdom /passwordt)");
	if (t->name_suffixes != NULL) {
		snprintf(sub, sizeof(sub), "%s.name_suffixes", path);
		if (t->type != MODEL_TYPE_FOREST)
			problem(v, sub,
			        "'name_suffixes' applies to forest trusts "
			        "only");
		check_suffixes(v, i, t->name_suffixes);
	}
	check_bools(v, path, t, t, false);
	check_bools(v, path, t, &t->opts, true);
	for (unsigned j = 0; j < t->n_override; j++) {
		const struct model_override *o = &t->override[j];

		snprintf(sub, sizeof(sub), "%s.override[%u]", path, j);
		if (strcasecmp(o->domain, t->trusting) != 0 &&
		    strcasecmp(o->domain, t->trusted) != 0)
			problem(v, sub,
			        "'%s' is not a side of this trust ('%s' or "
			        "'%s')",
			        o->domain, t->trusting, t->trusted);
		check_bools(v, sub, t, &o->opts, true);
	}
	for (unsigned j = 0; j < t->n_ignore; j++) {
		const struct model_ignore *g = &t->ignore[j];

		snprintf(sub, sizeof(sub), "%s.ignore[%u]", path, j);
		if (!model_field_known(g->field))
			problem(v, sub, "unknown field '%s' to ignore",
			        g->field);
		if (!date_ok(g->until))
			problem(v, sub,
			        "'until' must be a date YYYY-MM-DD, got '%s'",
			        g->until);
		if (g->side != NULL && strcasecmp(g->side, t->trusting) != 0 &&
		    strcasecmp(g->side, t->trusted) != 0)
			problem(v, sub, "'%s' is not a side of this trust",
			        g->side);
	}
}

/*
 * policy: waivers name a declared trust and a date, the allow-list DNS
 * names.  Rule ids are the audit's (reconcile/audit.c checks them).
 */
static void
check_policy(struct vctx *v)
{
	const struct model_policy *p = v->m->policy;
	char sub[96];

	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->n_allow_sid_history; i++) {
		snprintf(sub, sizeof(sub), "policy.allow_sid_history[%u]", i);
		if (!dns_name_ok(p->allow_sid_history[i]))
			problem(v, sub, "'%s' is not a DNS name",
			        p->allow_sid_history[i]);
	}
	for (unsigned i = 0; i < p->n_waivers; i++) {
		const struct model_waiver *w = &p->waivers[i];
		const char *colon = strchr(w->trust, ':');
		bool found = false;

		snprintf(sub, sizeof(sub), "policy.waivers[%u]", i);
		if (!date_ok(w->until))
			problem(v, sub,
			        "'until' must be a date YYYY-MM-DD, got '%s'",
			        w->until);
		for (unsigned j = 0; colon != NULL && j < v->m->n_trusts; j++) {
			const struct model_trust *t = &v->m->trusts[j];

			found = found ||
			        (strlen(t->trusting) ==
			                 (size_t)(colon - w->trust) &&
			         strncasecmp(t->trusting, w->trust,
			                     (size_t)(colon - w->trust)) == 0 &&
			         strcasecmp(t->trusted, colon + 1) == 0);
		}
		if (!found)
			problem(v, sub,
			        "'trust' must name a declared trust as "
			        "TRUSTING:TRUSTED, got '%s'",
			        w->trust);
	}
}

void
model_validate(const struct model *m, struct diags *out)
{
	struct vctx v = {
	        .m = m, .out = out, .keys = NULL, .n_keys = 0, .cap_keys = 0};

	if (m->version != 1)
		problem(&v, "version",
		        "unsupported version %u (this adtrust reads version 1)",
		        m->version);
	check_domains(&v);
	check_credentials(&v);
	strmap_init(&v.pairs, true);
	for (unsigned i = 0; i < m->n_trusts; i++)
		check_trust(&v, i);
	check_policy(&v);
	strmap_release(&v.pairs);
	for (size_t i = 0; i < v.n_keys; i++)
		free(v.keys[i]);
	free(v.keys);
}
