/*
 * The diff: desired x observed -> plan.
 *
 * Algorithm (wireguard's sync_conf, OpenBGPD's RECONF_*): the expected TDOs
 * (model_expand, sorted by domain then partner) and the observed TDOs of
 * each managed domain (sorted the same way) are walked once, in step:
 *  - expected only                 -> PLAN_CREATE
 *  - both                          -> compare the managed fields: nothing
 *                                     differs -> PLAN_NOOP; the server can
 *                                     change all of it in place ->
 *                                     PLAN_UPDATE; else PLAN_REPLACE with
 *                                     the reason
 *  - observed, and ensure: absent  -> PLAN_DELETE
 *  - observed, not in the YAML     -> left alone (not managed)
 * Fields the YAML does not set, attribute bits outside attr_mask, forest
 * trust records it does not name and the conflict flags the PDC computes
 * are kept.  Ignore rules in force drop their field's change (noted on the
 * item); expired rules are reported as plan warnings.  A protected trust's
 * delete or replace is kept in the plan but marked blocked.  The output is
 * deterministic: sorted, no pointers, no times.
 *
 * This file is the walk and the per-field compare; the other jobs have a
 * file each (reconcile/rec_int.h): name suffixes, ignore rules, re-keys,
 * fingerprints and identity.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "providers/prov.h"

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/strmap.h"
#include "util/xalloc.h"

const char *
rec_bool_str(bool b)
{
	return b ? "true" : "false";
}

void
rec_add_change(struct plan_item *it, const char *field, const char *before,
               const char *after)
{
	struct plan_change *c;

	it->changes = xreallocarray(it->changes, it->n_changes + 1,
	                            sizeof(*it->changes));
	c = &it->changes[it->n_changes++];
	c->field = xstrdup(field);
	c->before = xstrdup(before);
	c->after = xstrdup(after);
	c->in_place = true;
}

void
rec_add_note(char ***v, size_t *n, const char *s)
{
	*v = xgrow(*v, *n, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

/* The file names the field on the side a is for. */
static bool
named(const struct model_bool_field *f, const struct model_tdo *a)
{
	return a->trust != NULL &&
	       model_bool_field_get(f, a->trust, a->domain) != NULL;
}

/*
 * Of the fields that read one bit on this type (sid_filtering and
 * sid_history on a forest trust), the one the file names, else the first.
 */
static bool
chosen(size_t i, enum model_trust_type type, const struct model_tdo *a)
{
	const struct model_bool_field *f = &model_bool_fields[i];

	for (size_t j = 0; j < model_n_bool_fields; j++) {
		const struct model_bool_field *g = &model_bool_fields[j];

		if (j == i || g->bit != f->bit ||
		    !model_bool_field_applies(g, type))
			continue;
		if (j < i && !named(f, a))
			return false;
		if (j > i && named(g, a))
			return false;
	}
	return true;
}

static void
diff_bits(struct plan_item *it, const struct model_tdo *b,
          const struct model_tdo *a)
{
	const enum model_trust_type type = rec_bits_type(a);

	if (strcmp(model_tdo_kind(b, NULL), model_tdo_kind(a, NULL)) != 0)
		rec_add_change(it, MODEL_FIELD(type), model_tdo_kind(b, NULL),
		               model_tdo_kind(a, NULL));
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		uint32_t bits = (f->bit | f->pair) & a->attr_mask;
		bool was, will;

		if (!model_bool_field_applies(f, type) || bits == 0 ||
		    ((b->attributes ^ a->attributes) & bits) == 0 ||
		    !chosen(i, type, a))
			continue;
		was = model_bool_field_value(f, b->attributes);
		will = model_bool_field_value(f, a->attributes);
		/* a pair (tgt_delegation) can change with its bit as it was */
		rec_add_change(it, f->name,
		               was == will ? "default (no delegation bit)"
		                           : rec_bool_str(was),
		               rec_bool_str(will));
	}
}

/* ---- items ---- */

/* Where the trust's new password would come from (a reference only). */
static void
secret_source(struct plan_item *it, const struct model_trust *t)
{
	const struct model_secret *s;

	if (t == NULL)
		return;
	if ((s = t->password) == NULL) {
		it->secret_from = xstrdup("generated");
	} else if (s->env != NULL) {
		it->secret_from = xstrdup("env");
		it->secret_ref = xstrdup(s->env);
	} else if (s->file != NULL) {
		it->secret_from = xstrdup("file");
		it->secret_ref = xstrdup(s->file);
	} else if (s->prompt != NULL) {
		it->secret_from = xstrdup("prompt");
		it->secret_ref = xstrdup(s->prompt);
	}
}

/* Each item's trust by its line in the file, for the reviewer. */
static void
trust_lines(struct plan *p, const struct model *m)
{
	char path[32];
	unsigned col;

	for (size_t i = 0; i < p->n_items; i++) {
		struct plan_item *it = &p->items[i];

		if (it->trust_index < 0)
			continue;
		snprintf(path, sizeof(path), "trusts[%ld]", it->trust_index);
		model_pos_lookup(m, path, &it->line, &col);
	}
}

static struct plan_item *
new_item(struct plan *p, const char *domain, const char *partner,
         const struct model_trust *t, long ti)
{
	struct plan_item *it;

	p->items = xgrow(p->items, p->n_items, sizeof(*p->items));
	it = &p->items[p->n_items++];
	memset(it, 0, sizeof(*it));
	model_tdo_init(&it->before);
	model_tdo_init(&it->after);
	it->domain = xstrdup(domain);
	it->partner = xstrdup(partner);
	it->address = xasprintf("%s/%s", domain, partner);
	it->trust_index = ti;
	it->protect = t != NULL && t->protect;
	secret_source(it, t);
	return it;
}

/* "0x18 (aes128, aes256)", and how many keys of other types. */
static void
princ_enctypes(char *buf, size_t len, const struct model_princ *p)
{
	size_t n;

	model_enctypes_str(buf, len, p->enctypes);
	n = strlen(buf);
	if (p->n_other > 0 && n < len)
		snprintf(buf + n, len - n, " + %zu key%s of other types",
		         p->n_other, p->n_other == 1 ? "" : "s");
}

/*
 * A realm side (the MIT half): direction is which cross-realm principals
 * exist, encryption the key types of each, compared per principal and
 * named by it ("encryption[krbtgt/NA.TEST@ATHENA.TEST]").  kadmind changes
 * all of it in place: no replace, no attribute bits.
 */
static void
compare_realm(struct plan_item *it, const char *today,
              const struct rec_rules *rules)
{
	const struct model_tdo *b = &it->before;
	struct model_tdo *a = &it->after;
	const struct model_trust *g;
	char field[700], name[600], x[160], y[160];

	a->attributes = b->attributes;
	a->attr_mask = 0;
	it->create_attributes = 0;
	for (unsigned k = 0; k < 2; k++)
		a->princ[k].kvno = b->princ[k].kvno;
	if (b->direction != a->direction)
		rec_add_change(it, MODEL_FIELD(direction),
		               model_dir_name(b->direction),
		               model_dir_name(a->direction));
	if (!(a->fields & TDO_F_ENCTYPES) && !(b->enctypes & MODEL_ENC_MIXED))
		a->enctypes = b->enctypes; /* not managed: as it is */
	for (unsigned k = 0; k < 2; k++) {
		const struct model_princ *p = &b->princ[k];

		if (!p->present ||
		    !(a->direction & (k == MODEL_PRINC_IN ? TDO_DIR_INBOUND
		                                          : TDO_DIR_OUTBOUND)))
			continue;
		if (p->enctypes == a->enctypes && p->n_other == 0)
			continue;
		model_princ_name(name, sizeof(name), a, k);
		snprintf(field, sizeof(field), "%s[%s]",
		         MODEL_FIELD(encryption), name);
		princ_enctypes(x, sizeof(x), p);
		model_enctypes_str(y, sizeof(y), a->enctypes);
		rec_add_change(it, field, x, y);
	}
	if (a->trust != NULL && (g = rec_rules_for(rules, a->trust)) != NULL)
		rec_apply_ignores(it, g, today);
	it->action = it->n_changes == 0 ? PLAN_NOOP : PLAN_UPDATE;
}

static void
compare(struct plan_item *it, const struct model_domain_state *ds,
        const char *today, const struct rec_rules *rules)
{
	const struct model_tdo *b = &it->before;
	struct model_tdo *a = &it->after;
	const struct model_trust *g;
	const char *why;
	char x[128], y[128];

	if (a->realm_side) {
		compare_realm(it, today, rules);
		return;
	}

	/* The expected value of unmanaged bits is whatever is there. */
	it->create_attributes = a->attributes;
	a->attributes = (a->attributes & a->attr_mask) |
	                (b->attributes & ~a->attr_mask);
	if (b->direction != a->direction)
		rec_add_change(it, MODEL_FIELD(direction),
		               model_dir_name(b->direction),
		               model_dir_name(a->direction));
	diff_bits(it, b, a);
	if (a->fields & TDO_F_ENCTYPES) {
		if (!b->has_enctypes || b->enctypes != a->enctypes) {
			model_enctypes_str(y, sizeof(y), a->enctypes);
			if (b->has_enctypes)
				model_enctypes_str(x, sizeof(x), b->enctypes);
			else
				snprintf(x, sizeof(x), "not set");
			rec_add_change(it, MODEL_FIELD(encryption), x, y);
		}
	} else {
		a->enctypes = b->enctypes;
		a->has_enctypes = b->has_enctypes;
	}
	if ((a->fields & TDO_F_FLATNAME) && b->flat_name != NULL &&
	    strcasecmp(a->flat_name, b->flat_name) != 0)
		rec_add_change(it, MODEL_FIELD(flat_name), b->flat_name,
		               a->flat_name);
	if ((a->fields & TDO_F_SID) && b->sid != NULL &&
	    strcasecmp(a->sid, b->sid) != 0)
		rec_add_change(it, MODEL_FIELD(sid), b->sid, a->sid);
	if (a->fields & TDO_F_SUFFIXES)
		rec_diff_suffixes(it, b, a);
	else if (b->has_fti) {
		fti_release(&a->fti);
		fti_copy(&a->fti, &b->fti);
		a->has_fti = true;
	}
	if (a->flat_name == NULL && b->flat_name != NULL)
		a->flat_name = xstrdup(b->flat_name);
	if (a->sid == NULL && b->sid != NULL)
		a->sid = xstrdup(b->sid);
	if (a->trust != NULL && (g = rec_rules_for(rules, a->trust)) != NULL)
		rec_apply_ignores(it, g, today);
	if (it->n_changes == 0) {
		it->action = PLAN_NOOP;
		return;
	}
	/* the writer that would make the change knows what it can do in place
	 */
	why = prov_lsa_ops.replace_reason(ds->vendor, b, a);
	if (why == NULL) {
		it->action = PLAN_UPDATE;
		return;
	}
	it->action = PLAN_REPLACE;
	it->reason = xstrdup(why);
	/*
	 * A new object of another type starts from that type's defaults for
	 * the bits the file leaves out (no silently unfiltered external
	 * trust); say so when that changes a live bit.  Else the live values
	 * of unmanaged (and ignored) bits carry over.
	 */
	if (strcmp(model_tdo_kind(b, NULL), model_tdo_kind(a, NULL)) != 0 &&
	    it->create_attributes != a->attributes) {
		char was[256], will[256];

		model_attrs_str(was, sizeof(was), a->attributes);
		model_attrs_str(will, sizeof(will), it->create_attributes);
		a->attributes = it->create_attributes;
		rec_add_change(it, "trust_attributes", was, will);
	}
	for (size_t i = 0; i < it->n_changes; i++)
		it->changes[i].in_place = false;
}

/*
 * A parent-child or tree-root trust is AD's own (made and removed by
 * domain promotion): it is shown as what it is and never planned, not
 * even as the shortcut the file may call it.  True if o is one; the item
 * is then a no-op with a note.
 */
static bool
system_kind(struct plan_item *it, const struct model_domain_state *ds,
            const struct model_tdo *o)
{
	const char *kind = model_tdo_kind(o, ds);
	char *note;

	if (!model_kind_is_system(kind))
		return false;
	note = xasprintf("%s/%s is a %s trust: Active Directory makes and "
	                 "removes it with the domain; adtrust never changes, "
	                 "replaces or deletes it (remove it from the file)",
	                 ds->name, o->partner, kind);
	rec_add_note(&it->notes, &it->n_notes, note);
	free(note);
	free(it->reason);
	it->reason = NULL;
	it->action = PLAN_NOOP;
	return true;
}

static int
cmp_tdo(const void *x, const void *y)
{
	const struct model_tdo *a = x, *b = y;

	return strcasecmp(a->partner, b->partner);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcasecmp(*(char *const *)x, *(char *const *)y);
}

/* Adds name to the plan's domains once (seen: the names so far). */
static void
add_domain(struct plan *p, struct strmap *seen, const char *name)
{
	if (strmap_get(seen, name, NULL))
		return;
	rec_add_note(&p->domains, &p->n_domains, name);
	strmap_put(seen, p->domains[p->n_domains - 1], 0, NULL);
}

static void
today_str(char out[11], const struct rec_opts *o)
{
	time_t now = time(NULL);
	struct tm tm;

	if (o != NULL && o->today != NULL) {
		snprintf(out, 11, "%s", o->today);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int
rec_diff(struct plan *out, const struct model *m, const struct model_state *s,
         const struct rec_opts *opts, struct err *err)
{
	struct model_expected e;
	struct rec_rules rules;
	struct strmap seen;
	char today[11];
	int rc;

	plan_init(out);
	today_str(today, opts);
	if (!(opts != NULL && opts->skip_identity) &&
	    (rc = rec_check_identity(m, s, err)) < 0)
		return rc;
	if ((rc = model_expand(&e, m, err)) < 0)
		return rc;
	if ((rc = model_expand_realms(&e, m, err)) < 0) {
		model_expected_release(&e);
		return rc;
	}
	rec_rules_init(&rules, opts);
	strmap_init(&seen, true);
	for (size_t i = 0; i < e.n_tdos; i++) {
		struct model_tdo *x = &e.tdos[i];
		const struct model_domain_state *pd =
		        model_state_find(s, x->partner);

		add_domain(out, &seen, x->domain);
		/* a partner that was read tells its own SID and NetBIOS name */
		if (pd != NULL && x->sid == NULL && pd->sid != NULL)
			x->sid = xstrdup(pd->sid);
		if (pd != NULL && x->flat_name == NULL && pd->netbios != NULL)
			x->flat_name = xstrdup(pd->netbios);
	}
	for (size_t i = 0; i < e.n_absent; i++)
		add_domain(out, &seen, e.absent[i].domain);
	strmap_release(&seen);
	if (out->n_domains > 1)
		qsort(out->domains, out->n_domains, sizeof(char *), cmp_str);
	out->source_path = xstrdup(m->path ? m->path : "");
	if (m->text != NULL)
		out->desired_text = xstrdup(m->text);
	memcpy(out->date, today, sizeof(out->date));
	memcpy(out->source_sha256, m->sha256, sizeof(out->source_sha256));

	const struct model *rm =
	        opts != NULL && opts->ignores ? opts->ignores : m;

	for (unsigned i = 0; i < rm->n_trusts; i++)
		for (unsigned j = 0; j < rm->trusts[i].n_ignore; j++) {
			const struct model_ignore *g = &rm->trusts[i].ignore[j];
			char *w;

			if (strcmp(g->until, today) >= 0)
				continue;
			w = xasprintf("trusts[%u] (%s -> %s): ignore rule for "
			              "'%s' expired on %s (%s)",
			              i, rm->trusts[i].trusting,
			              rm->trusts[i].trusted, g->field, g->until,
			              g->reason);
			rec_add_note(&out->warnings, &out->n_warnings, w);
			free(w);
		}

	for (size_t d = 0; d < out->n_domains; d++) {
		const struct model_domain_state *ds =
		        model_state_find(s, out->domains[d]);
		struct model_tdo *obs;
		size_t no, ie = 0, ia = 0, io = 0;

		if (ds == NULL && opts != NULL && opts->skip_unread) {
			char *w = xasprintf("domain '%s' was not read: it is "
			                    "not checked",
			                    out->domains[d]);

			rec_add_note(&out->warnings, &out->n_warnings, w);
			free(w);
			continue;
		}
		if (ds != NULL && ds->unread) {
			char *w = xasprintf(
			        "'%s': %s; its side is not planned", ds->name,
			        ds->source ? ds->source : "not read");

			rec_add_note(&out->warnings, &out->n_warnings, w);
			free(w);
			continue;
		}
		if (ds == NULL) {
			rc = err_set(err, ERR_INVALID,
			             "no live state was read for domain '%s'",
			             out->domains[d]);
			goto fail;
		}
		{
			struct plan_print *pp;

			out->prints = xgrow(out->prints, out->n_prints,
			                    sizeof(*out->prints));
			pp = &out->prints[out->n_prints++];
			memset(pp, 0, sizeof(*pp));
			pp->domain = xstrdup(ds->name);
			pp->partner = xstrdup("");
			rec_identity_digest(pp->digest, ds);
		}
		no = ds->n_tdos;
		obs = xcalloc(no ? no : 1, sizeof(*obs));
		if (no > 0) { /* a shallow copy, sorted by partner */
			memcpy(obs, ds->tdos, no * sizeof(*obs));
			qsort(obs, no, sizeof(*obs), cmp_tdo);
		}
		for (size_t k = 0; k < no; k++) {
			struct plan_print *pp;

			out->prints = xgrow(out->prints, out->n_prints,
			                    sizeof(*out->prints));
			pp = &out->prints[out->n_prints++];
			pp->domain = xstrdup(ds->name);
			pp->partner = xstrdup(obs[k].partner);
			memcpy(pp->guid, obs[k].guid, sizeof(pp->guid));
			memcpy(pp->digest, obs[k].digest, sizeof(pp->digest));
		}
		while (ie < e.n_tdos &&
		       strcasecmp(e.tdos[ie].domain, ds->name) < 0)
			ie++;
		while (ia < e.n_absent &&
		       strcasecmp(e.absent[ia].domain, ds->name) < 0)
			ia++;
		for (;;) {
			const struct model_tdo *x = NULL, *ab = NULL, *o = NULL;
			const char *key = NULL;
			struct plan_item *it;

			if (ie < e.n_tdos &&
			    strcasecmp(e.tdos[ie].domain, ds->name) == 0)
				x = &e.tdos[ie];
			if (ia < e.n_absent &&
			    strcasecmp(e.absent[ia].domain, ds->name) == 0)
				ab = &e.absent[ia];
			if (io < no)
				o = &obs[io];
			if (x == NULL && ab == NULL && o == NULL)
				break;
			/* the smallest partner name goes first */
			if (x != NULL)
				key = x->partner;
			if (ab != NULL &&
			    (key == NULL || strcasecmp(ab->partner, key) < 0))
				key = ab->partner;
			if (o != NULL &&
			    (key == NULL || strcasecmp(o->partner, key) < 0))
				key = o->partner;
			if (x != NULL && strcasecmp(x->partner, key) != 0)
				x = NULL;
			if (ab != NULL && strcasecmp(ab->partner, key) != 0)
				ab = NULL;
			if (o != NULL && strcasecmp(o->partner, key) != 0)
				o = NULL;
			if (x != NULL)
				ie++;
			if (ab != NULL)
				ia++;
			if (o != NULL)
				io++;

			if (x != NULL) {
				it = new_item(out, ds->name, x->partner,
				              x->trust, (long)x->trust_index);
				model_tdo_copy(&it->after, x);
				it->has_after = true;
				it->create_attributes = x->attributes;
				if (o == NULL) {
					it->action = PLAN_CREATE;
					if (x->fields & TDO_F_SUFFIXES)
						rec_diff_suffixes(it, NULL,
						                  &it->after);
					continue;
				}
				model_tdo_copy(&it->before, o);
				it->has_before = true;
				if (system_kind(it, ds, o))
					continue;
				compare(it, ds, today, &rules);
				if (it->action == PLAN_NOOP && it->n_notes == 0)
					continue;
			} else if (ab != NULL && o != NULL) {
				it = new_item(out, ds->name, o->partner,
				              ab->trust, (long)ab->trust_index);
				model_tdo_copy(&it->before, o);
				it->has_before = true;
				it->action = PLAN_DELETE;
				it->reason = xstrdup("the trust is declared "
				                     "'ensure: absent'");
				system_kind(it, ds, o);
			}
		}
		free(obs);
	}
	rec_rekey_partners(out);
	trust_lines(out, m);
	/* protection, now that actions are known */
	for (size_t i = 0; i < out->n_items; i++) {
		struct plan_item *it = &out->items[i];

		if ((it->action == PLAN_DELETE || it->action == PLAN_REPLACE) &&
		    it->protect && !(opts != NULL && opts->allow_destroy))
			it->blocked = true;
	}
	plan_count(out);
	model_expected_release(&e);
	rec_rules_release(&rules);
	return 0;
fail:
	model_expected_release(&e);
	rec_rules_release(&rules);
	plan_release(out);
	return rc;
}

int
rec_managed_domains(char ***out, size_t *n, const struct model *m,
                    struct err *err)
{
	struct strmap seen;
	char **v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	/* the domains the expansion would hold, without expanding */
	strmap_init(&seen, true);
	v = xreallocarray(NULL, 2 * (size_t)m->n_trusts + 1, sizeof(*v));
	for (unsigned i = 0; i < m->n_trusts; i++) {
		const struct model_trust *t = &m->trusts[i];
		const struct model_domain *side[2] = {
		        model_domain_find(m, t->trusting),
		        model_domain_find(m, t->trusted)};

		if (side[0] == NULL || side[1] == NULL) {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			strmap_release(&seen);
			return err_set(err, ERR_INVALID,
			               "trusts[%u]: unknown domain", i);
		}
		for (int s = 0; s < 2; s++)
			if ((model_side_managed(t, side[s], s == 0) ||
			     model_realm_side_managed(t, side[s], s == 0)) &&
			    strmap_put(&seen, side[s]->name, k, NULL))
				v[k++] = xstrdup(side[s]->name);
	}
	strmap_release(&seen);
	if (k > 1)
		qsort(v, k, sizeof(char *), cmp_str);
	v[k] = NULL;
	*out = v;
	*n = k;
	return 0;
}

void
rec_names_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
