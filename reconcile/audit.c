/*
 * adtrust audit: the rules of audit_rules.c over observed TDOs, waivers,
 * and the same rules as guardrails over a plan.
 */
#include "reconcile/audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "model/model.h"
#include "reconcile/plan.h"
#include "util/err.h"
#include "util/xalloc.h"

static const char *const sev_names[] = {"info", "low", "medium", "high",
                                        "critical"};

const char *
rec_severity_name(enum rec_severity s)
{
	return (size_t)s < sizeof(sev_names) / sizeof(sev_names[0])
	               ? sev_names[s]
	               : "?";
}

int
rec_severity_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++)
		if (strcasecmp(s, sev_names[i]) == 0)
			return (int)i;
	return -1;
}

const struct rec_rule *
rec_rule_find(const char *id)
{
	for (size_t i = 0; i < rec_n_rules; i++)
		if (strcasecmp(rec_rules[i].id, id) == 0 ||
		    strcasecmp(rec_rules[i].name, id) == 0)
			return &rec_rules[i];
	return NULL;
}

static bool
listed(const struct rec_rule *r, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rec_rule_find(v[i]) == r)
			return true;
	return false;
}

bool
rec_rule_enabled(const struct rec_rule *r, const struct rec_audit_opts *o)
{
	if (o != NULL && listed(r, o->disable, o->n_disable))
		return false;
	return r->default_on ||
	       (o != NULL && listed(r, o->enable, o->n_enable));
}

static void
add_finding(struct rec_audit *a, const struct rec_rule *r,
            const struct model_tdo *t, const char *why)
{
	struct rec_finding *f;

	a->v = xreallocarray(a->v, a->n + 1, sizeof(*a->v));
	f = &a->v[a->n++];
	memset(f, 0, sizeof(*f));
	f->rule = r;
	f->domain = xstrdup(t->domain != NULL ? t->domain : "");
	f->partner = xstrdup(t->partner != NULL ? t->partner : "");
	f->dn = t->dn != NULL ? xstrdup(t->dn) : NULL;
	f->source = t->source != NULL ? xstrdup(t->source) : NULL;
	f->detail = xstrdup(why);
}

void
rec_audit_run(struct rec_audit *out, const struct model_state *s,
              const struct rec_audit_opts *o)
{
	struct rec_audit_ctx c = {.state = s, .opts = o};
	char why[512];

	memset(out, 0, sizeof(*out));
	c.now = o != NULL && o->now != 0 ? o->now : (long long)time(NULL);
	for (size_t d = 0; d < s->n_domains; d++) {
		const struct model_domain_state *ds = &s->domains[d];

		c.domain = ds;
		for (size_t i = 0; i < ds->n_tdos; i++) {
			const struct model_tdo *t = &ds->tdos[i];

			out->n_tdos++;
			for (size_t k = 0; k < rec_n_rules; k++) {
				const struct rec_rule *r = &rec_rules[k];

				why[0] = '\0';
				if (rec_rule_enabled(r, o) &&
				    r->check(&c, t, why, sizeof(why)))
					add_finding(out, r, t, why);
			}
		}
	}
}

/* The waiver of m's policy for rule r on the trust a<->b, or NULL. */
static const struct model_waiver *
waiver_for(const struct model *m, const struct rec_rule *r, const char *a,
           const char *b, size_t *index)
{
	const struct model_policy *p = m != NULL ? m->policy : NULL;

	for (unsigned i = 0; p != NULL && i < p->n_waivers; i++) {
		const struct model_waiver *w = &p->waivers[i];
		const char *colon = strchr(w->trust, ':');
		size_t n = colon != NULL ? (size_t)(colon - w->trust) : 0;

		if (colon == NULL || rec_rule_find(w->rule) != r)
			continue;
		if ((strlen(a) == n && strncasecmp(a, w->trust, n) == 0 &&
		     strcasecmp(b, colon + 1) == 0) ||
		    (strlen(b) == n && strncasecmp(b, w->trust, n) == 0 &&
		     strcasecmp(a, colon + 1) == 0)) {
			*index = i;
			return w;
		}
	}
	return NULL;
}

static void
add_str(char ***v, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

void
rec_audit_waive(struct rec_audit *a, const struct model *m, const char *today)
{
	for (size_t i = 0; i < a->n; i++) {
		struct rec_finding *f = &a->v[i];
		const struct model_waiver *w;
		size_t k;

		w = waiver_for(m, f->rule, f->domain, f->partner, &k);
		if (w == NULL)
			continue;
		if (strcmp(w->until, today) < 0) {
			add_str(&a->expired, &a->n_expired,
			        xasprintf("policy.waivers[%zu]: the waiver of "
			                  "%s for %s expired on %s (%s)",
			                  k, w->rule, w->trust, w->until,
			                  w->reason));
			continue;
		}
		f->waiver =
		        xasprintf("waived until %s: %s", w->until, w->reason);
		a->n_waived++;
	}
}

void
rec_audit_release(struct rec_audit *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].domain);
		free(a->v[i].partner);
		free(a->v[i].dn);
		free(a->v[i].source);
		free(a->v[i].detail);
		free(a->v[i].waiver);
	}
	free(a->v);
	for (size_t i = 0; i < a->n_expired; i++)
		free(a->expired[i]);
	free(a->expired);
	memset(a, 0, sizeof(*a));
}

size_t
rec_audit_count(const struct rec_audit *a, enum rec_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += a->v[i].waiver == NULL && a->v[i].rule->severity >= min;
	return n;
}

void
rec_audit_opts_from_policy(struct rec_audit_opts *o, const struct model *m)
{
	const struct model_policy *p = m != NULL ? m->policy : NULL;

	memset(o, 0, sizeof(*o));
	if (p == NULL)
		return;
	o->enable = (const char *const *)p->enforce;
	o->n_enable = p->n_enforce;
	o->allow = (const char *const *)p->allow_sid_history;
	o->n_allow = p->n_allow_sid_history;
	if (p->max_secret_age_days != NULL)
		o->max_secret_age_days = *p->max_secret_age_days;
}

void
rec_audit_opts_release(struct rec_audit_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static long
trust_of(const struct model *m, const char *a, const char *b)
{
	for (unsigned i = 0; m != NULL && i < m->n_trusts; i++) {
		const struct model_trust *t = &m->trusts[i];

		if ((strcasecmp(t->trusting, a) == 0 &&
		     strcasecmp(t->trusted, b) == 0) ||
		    (strcasecmp(t->trusting, b) == 0 &&
		     strcasecmp(t->trusted, a) == 0))
			return (long)i;
	}
	return -1;
}

/* The position of trust i, at field (or its override for domain) if set. */
static void
trust_pos(const struct model *m, long i, const char *field, const char *domain,
          unsigned *line, unsigned *col)
{
	const struct model_trust *t = &m->trusts[i];
	char path[128];

	*line = *col = 0;
	if (field != NULL) {
		for (unsigned k = 0; k < t->n_override && *line == 0; k++) {
			if (strcasecmp(t->override[k].domain, domain) != 0)
				continue;
			snprintf(path, sizeof(path),
			         "trusts[%ld].override[%u].%s", i, k, field);
			model_pos_lookup(m, path, line, col);
		}
		if (*line == 0) {
			snprintf(path, sizeof(path), "trusts[%ld].%s", i,
			         field);
			model_pos_lookup(m, path, line, col);
		}
	}
	if (*line == 0) {
		snprintf(path, sizeof(path), "trusts[%ld]", i);
		model_pos_lookup(m, path, line, col);
	}
}

long
rec_audit_position(const struct model *m, const struct rec_finding *f,
                   unsigned *line, unsigned *col)
{
	long i = trust_of(m, f->domain, f->partner);

	*line = *col = 0;
	if (i >= 0)
		trust_pos(m, i, f->rule->field, f->domain, line, col);
	return i;
}

static void problem(struct diags *out, const struct model *m, unsigned line,
                    unsigned col, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void
problem(struct diags *out, const struct model *m, unsigned line, unsigned col,
        const char *fmt, ...)
{
	struct err *e = diags_add(out);
	va_list ap;

	e->code = ERR_INVALID;
	snprintf(e->file, sizeof(e->file), "%s", m->path ? m->path : "");
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
rec_policy_validate(const struct model *m, struct diags *out)
{
	const struct model_policy *p = m->policy;
	unsigned line, col;
	char path[64];

	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->n_enforce; i++) {
		const struct rec_rule *r = rec_rule_find(p->enforce[i]);

		snprintf(path, sizeof(path), "policy.enforce[%u]", i);
		model_pos_lookup(m, path, &line, &col);
		if (r == NULL)
			problem(out, m, line, col,
			        "%s: unknown rule '%s' (ADT001 to ADT%03zu; "
			        "'adtrust audit --rules' lists them)",
			        path, p->enforce[i], rec_n_rules);
		else if (!r->plannable)
			problem(out, m, line, col,
			        "%s: %s (%s) needs the live directory (both "
			        "sides, or the secret's age): 'adtrust audit' "
			        "reports it, a plan cannot enforce it",
			        path, r->id, r->name);
	}
	for (unsigned i = 0; i < p->n_waivers; i++) {
		snprintf(path, sizeof(path), "policy.waivers[%u].rule", i);
		model_pos_lookup(m, path, &line, &col);
		if (rec_rule_find(p->waivers[i].rule) == NULL)
			problem(out, m, line, col, "%s: unknown rule '%s'",
			        path, p->waivers[i].rule);
	}
}

size_t
rec_policy_check(const struct plan *p, const struct model *m, struct diags *out)
{
	const struct model_policy *pol = m->policy;
	struct rec_audit_opts o;
	struct rec_audit_ctx c = {0};
	size_t n = 0;
	char why[512], tail[256]; /* tail: as much as an err message holds */

	if (pol == NULL || pol->n_enforce == 0)
		return 0;
	rec_audit_opts_from_policy(&o, m);
	c.opts = &o;
	c.now = (long long)time(NULL);
	for (size_t i = 0; i < p->n_items; i++) {
		const struct plan_item *it = &p->items[i];
		const struct model_trust *t;

		if (!it->has_after || it->action == PLAN_DELETE ||
		    it->trust_index < 0 ||
		    (size_t)it->trust_index >= m->n_trusts)
			continue;
		t = &m->trusts[it->trust_index];
		for (unsigned k = 0; k < pol->n_enforce; k++) {
			const struct rec_rule *r =
			        rec_rule_find(pol->enforce[k]);
			const struct model_waiver *w;
			unsigned line, col;
			size_t wi;

			if (r == NULL || !r->plannable ||
			    listed(r, (const char *const *)pol->enforce, k))
				continue; /* unknown, or named twice */
			why[0] = '\0';
			if (!r->check(&c, &it->after, why, sizeof(why)))
				continue;
			w = waiver_for(m, r, t->trusting, t->trusted, &wi);
			if (w != NULL && strcmp(w->until, p->date) >= 0)
				continue;
			trust_pos(m, it->trust_index, r->field, it->domain,
			          &line, &col);
			n++;
			if (w != NULL)
				snprintf(tail, sizeof(tail),
				         "; its waiver policy.waivers[%zu] "
				         "expired on %s (%s)",
				         wi, w->until, w->reason);
			else
				snprintf(tail, sizeof(tail),
				         " (a waiver in policy.waivers names "
				         "rule, trust, reason and until)");
			problem(out, m, line, col,
			        "trusts[%ld] (%s -> %s): policy refuses %s %s "
			        "on %s's side: %s%s",
			        it->trust_index, t->trusting, t->trusted, r->id,
			        r->name, it->domain, why, tail);
		}
	}
	return n;
}
