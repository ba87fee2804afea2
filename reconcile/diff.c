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
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "providers/prov.h"
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "util/err.h"
#include "util/sbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

static const char *
bool_str(bool b)
{
	return b ? "true" : "false";
}

static void
add_change(struct plan_item *it, const char *field, const char *before,
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

static void
add_note(char ***v, size_t *n, const char *s)
{
	*v = xgrow(*v, *n, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

/* The trust type whose boolean fields a TDO's bits are read by. */
static enum model_trust_type
bits_type(const struct model_tdo *t)
{
	if (t->type == TDO_TYPE_MIT)
		return MODEL_TYPE_REALM;
	if (t->attributes & TA_FOREST_TRANSITIVE)
		return MODEL_TYPE_FOREST;
	return MODEL_TYPE_EXTERNAL;
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
	const enum model_trust_type type = bits_type(a);

	if (strcmp(model_tdo_kind(b, NULL), model_tdo_kind(a, NULL)) != 0)
		add_change(it, "type", model_tdo_kind(b, NULL),
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
		add_change(it, f->name,
		           was == will ? "default (no delegation bit)"
		                       : bool_str(was),
		           bool_str(will));
	}
}

/* ---- name suffixes: forest trust records ---- */

static struct fti_record *
find_rec(struct fti *f, uint8_t type, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->rec[i].type == type && f->rec[i].name != NULL &&
		    strcasecmp(f->rec[i].name, name) == 0)
			return &f->rec[i];
	return NULL;
}

static bool
listed(char **list, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(list[i], name) == 0)
			return true;
	return false;
}

static const char *
tln_state(const struct fti_record *r)
{
	if (r == NULL)
		return "absent";
	if (r->type == FTI_TLN_EX)
		return "excluded";
	if (r->flags & FTI_TLN_DISABLED_ADMIN)
		return "disabled";
	if (r->flags & FTI_TLN_DISABLED_NEW)
		return "disabled (new)";
	if (r->flags & FTI_TLN_DISABLED_CONFLICT)
		return "enabled (in conflict)";
	return "enabled";
}

static void
tln_set(struct fti *f, char *name, uint32_t flags)
{
	struct fti_record *r = find_rec(f, FTI_TLN, name);
	struct fti_record n;

	if (r != NULL) {
		/* keep the conflict bit: the PDC owns it */
		r->flags = (r->flags & FTI_TLN_DISABLED_CONFLICT) | flags;
		return;
	}
	memset(&n, 0, sizeof(n));
	n.type = FTI_TLN;
	n.flags = flags;
	n.name = name; /* fti_add copies */
	fti_timestamp_now(n.ts);
	fti_add(f, &n);
}

/*
 * Resolves the suffix spec against the observed records into the records
 * apply must store (after->fti), and adds one change per name whose state
 * moves.
 */
void
rec_fti_resolve(struct fti *f, const struct fti *observed,
                const struct model_suffixes *s)
{
	fti_release(f);
	if (observed != NULL)
		fti_copy(f, observed);
	for (unsigned i = 0; i < s->n_enable; i++)
		tln_set(f, s->enable[i], 0);
	/* disabling leaves a record that is already off (new or admin) */
	for (size_t i = 0; i < f->n; i++) {
		struct fti_record *r = &f->rec[i];

		if (r->type != FTI_TLN || (r->flags & (FTI_TLN_DISABLED_NEW |
		                                       FTI_TLN_DISABLED_ADMIN)))
			continue;
		if (listed(s->disable, s->n_disable, r->name) ||
		    (s->unlisted == MODEL_UNLISTED_DISABLE &&
		     !listed(s->enable, s->n_enable, r->name)))
			r->flags |= FTI_TLN_DISABLED_ADMIN;
	}
	/* exclusions, when given, are authoritative: the list is the set */
	for (size_t i = f->n; s->exclude_set && i-- > 0;) {
		if (f->rec[i].type != FTI_TLN_EX ||
		    listed(s->exclude, s->n_exclude, f->rec[i].name))
			continue;
		free(f->rec[i].name);
		free(f->rec[i].netbios);
		free(f->rec[i].sid);
		free(f->rec[i].raw);
		memmove(&f->rec[i], &f->rec[i + 1],
		        (f->n - i - 1) * sizeof(f->rec[0]));
		f->n--;
	}
	for (unsigned i = 0; i < s->n_exclude; i++) {
		struct fti_record n;

		if (find_rec(f, FTI_TLN_EX, s->exclude[i]) != NULL)
			continue;
		memset(&n, 0, sizeof(n));
		n.type = FTI_TLN_EX;
		n.name = s->exclude[i];
		fti_timestamp_now(n.ts);
		fti_add(f, &n);
	}
}

static void
diff_suffixes(struct plan_item *it, const struct model_tdo *b,
              struct model_tdo *a)
{
	struct fti *f = &a->fti;
	char field[300];

	rec_fti_resolve(f, b != NULL ? &b->fti : NULL, a->suffixes);
	a->has_fti = true;

	/* Changes, one per name, in the order of the resulting records. */
	for (size_t i = 0; i < f->n; i++) {
		const struct fti_record *r = &f->rec[i], *o = NULL;
		struct fti before;

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		if (b != NULL) {
			before = b->fti;
			o = find_rec(&before, r->type, r->name);
		}
		if (o != NULL && strcmp(tln_state(o), tln_state(r)) == 0)
			continue;
		snprintf(field, sizeof(field), "name_suffixes[%s]", r->name);
		add_change(it, field, tln_state(o), tln_state(r));
	}
	if (b != NULL)
		for (size_t i = 0; i < b->fti.n; i++) {
			const struct fti_record *o = &b->fti.rec[i];

			if (o->type != FTI_TLN_EX ||
			    find_rec(f, FTI_TLN_EX, o->name) != NULL)
				continue;
			snprintf(field, sizeof(field), "name_suffixes[%s]",
			         o->name);
			add_change(it, field, "excluded", "absent");
		}
}

/* ---- ignore rules ---- */

static bool
rule_matches(const struct model_ignore *g, const struct plan_item *it,
             const char *field)
{
	size_t n = strlen(g->field);

	if (g->side != NULL && strcasecmp(g->side, it->domain) != 0)
		return false;
	return strcmp(g->field, field) == 0 ||
	       (strncmp(g->field, field, n) == 0 && field[n] == '[');
}

/*
 * The trustAttributes bits a plan field stands for: the boolean fields'
 * table, and type's two bits.
 */
static uint32_t
field_bits(const char *field)
{
	uint32_t bits = 0;

	for (size_t i = 0; i < model_n_bool_fields; i++)
		if (strcmp(model_bool_fields[i].name, field) == 0)
			bits |= model_bool_fields[i].bit |
			        model_bool_fields[i].pair;
	if (strcmp(field, "type") == 0)
		bits |= TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST;
	return bits;
}

static void
swap_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src != NULL ? xstrdup(src) : NULL;
}

/* An ignored change is not made: the field keeps its live value. */
static void
revert_field(struct plan_item *it, const struct plan_change *ch)
{
	const char *field = ch->field;
	const struct model_tdo *b = &it->before;
	struct model_tdo *a = &it->after;
	uint32_t bits = field_bits(field);

	if (bits != 0)
		a->attributes =
		        (a->attributes & ~bits) | (b->attributes & bits);
	if (strcmp(field, "type") == 0) {
		a->type = b->type;
	} else if (strcmp(field, "direction") == 0) {
		a->direction = b->direction;
	} else if (strcmp(field, "encryption") == 0) {
		a->enctypes = b->enctypes;
		a->has_enctypes = b->has_enctypes;
	} else if (strcmp(field, "flat_name") == 0) {
		swap_str(&a->flat_name, b->flat_name);
	} else if (strcmp(field, "sid") == 0) {
		swap_str(&a->sid, b->sid);
	} else if (strncmp(field, "name_suffixes[", 14) == 0) {
		/* the change says which record: an exclusion or a name */
		uint8_t t = strcmp(ch->before, "excluded") == 0 ||
		                            strcmp(ch->after, "excluded") == 0
		                    ? FTI_TLN_EX
		                    : FTI_TLN;
		char *name = xstrndup(field + 14, strlen(field + 14) - 1);
		struct fti *f = &a->fti;
		struct fti old = b->fti;
		struct fti_record *o = find_rec(&old, t, name),
		                  *r = find_rec(f, t, name);

		if (r != NULL && o != NULL) {
			r->flags = o->flags;
		} else if (r != NULL) {
			size_t i = (size_t)(r - f->rec);

			free(r->name);
			free(r->netbios);
			free(r->sid);
			free(r->raw);
			memmove(r, r + 1, (f->n - i - 1) * sizeof(*r));
			f->n--;
		} else if (o != NULL) {
			fti_add(f, o);
		}
		free(name);
	}
}

static void
apply_ignores(struct plan_item *it, const struct model_trust *t,
              const char *today)
{
	for (size_t i = 0; i < it->n_changes;) {
		const struct model_ignore *hit = NULL;

		for (unsigned j = 0; j < t->n_ignore && hit == NULL; j++)
			if (strcmp(t->ignore[j].until, today) >= 0 &&
			    rule_matches(&t->ignore[j], it,
			                 it->changes[i].field))
				hit = &t->ignore[j];
		if (hit == NULL) {
			i++;
			continue;
		}
		{
			char *note = xasprintf(
			        "ignored %s: %s -> %s (until %s: %s)",
			        it->changes[i].field, it->changes[i].before,
			        it->changes[i].after, hit->until, hit->reason);

			add_note(&it->notes, &it->n_notes, note);
			free(note);
		}
		revert_field(it, &it->changes[i]);
		free(it->changes[i].field);
		free(it->changes[i].before);
		free(it->changes[i].after);
		memmove(&it->changes[i], &it->changes[i + 1],
		        (it->n_changes - i - 1) * sizeof(it->changes[0]));
		it->n_changes--;
	}
}

/* ---- identity ---- */

void
rec_identity_digest(char out[65], const struct model_domain_state *d)
{
	char *id = xasprintf("sid=%s\nnetbios=%s\n", d->sid ? d->sid : "",
	                     d->netbios ? d->netbios : "");
	unsigned char h[32];

	for (char *p = id; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	gnutls_hash_fast(GNUTLS_DIG_SHA256, id, strlen(id), h);
	for (size_t i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	free(id);
}

/*
 * The YAML's sid and netbios of a domain must be the live domain's: they
 * become the partner's identity on the other side.
 */
static int
check_identity(const struct model *m, const struct model_state *s,
               struct err *err)
{
	for (unsigned i = 0; i < m->n_domains; i++) {
		const struct model_domain *d = &m->domains[i];
		const struct model_domain_state *ds =
		        model_state_find(s, d->name);

		if (ds == NULL)
			continue;
		if (d->sid != NULL && ds->sid != NULL &&
		    strcasecmp(d->sid, ds->sid) != 0)
			return err_set(
			        err, ERR_INVALID,
			        "domain '%s': the desired state says sid "
			        "%s but the live domain's objectSid is %s",
			        d->name, d->sid, ds->sid);
		if (d->netbios != NULL && ds->netbios != NULL &&
		    strcasecmp(d->netbios, ds->netbios) != 0)
			return err_set(err, ERR_INVALID,
			               "domain '%s': the desired state says "
			               "netbios %s but the live domain's "
			               "nETBIOSName is %s",
			               d->name, d->netbios, ds->netbios);
	}
	return 0;
}

/*
 * A trust whose password adtrust generates (sides: both, no password)
 * cannot get a new side alone: the new side's secret would not match the
 * old one's.  Its other side is replaced too, so both share the new one.
 */
static void
rekey_partners(struct plan *p)
{
	for (size_t i = 0; i < p->n_items; i++) {
		struct plan_item *it = &p->items[i];
		const struct model_trust *t = it->after.trust;

		if ((it->action != PLAN_CREATE && it->action != PLAN_REPLACE) ||
		    t == NULL || t->password != NULL ||
		    t->sides != MODEL_SIDES_BOTH)
			continue;
		for (size_t j = 0; j < p->n_items; j++) {
			struct plan_item *o = &p->items[j];

			if (j == i || o->trust_index != it->trust_index ||
			    !o->has_before ||
			    (o->action != PLAN_NOOP &&
			     o->action != PLAN_UPDATE))
				continue;
			o->action = PLAN_REPLACE;
			free(o->reason);
			o->reason =
			        xstrdup("its partner side is new: both sides "
			                "need the new shared trust password");
			for (size_t k = 0; k < o->n_changes; k++)
				o->changes[k].in_place = false;
			add_change(o, "trust_password", "current",
			           "new, shared with the partner side");
			o->changes[o->n_changes - 1].in_place = false;
		}
	}
}

/* ---- items ---- */

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
	return it;
}

static const struct model_trust *
rules_for(const struct model_trust *t, const struct rec_opts *o)
{
	if (o == NULL || o->ignores == NULL)
		return t;
	for (unsigned i = 0; i < o->ignores->n_trusts; i++) {
		const struct model_trust *u = &o->ignores->trusts[i];

		if ((strcasecmp(u->trusting, t->trusting) == 0 &&
		     strcasecmp(u->trusted, t->trusted) == 0) ||
		    (strcasecmp(u->trusting, t->trusted) == 0 &&
		     strcasecmp(u->trusted, t->trusting) == 0))
			return u;
	}
	return NULL;
}

static void
compare(struct plan_item *it, const struct model_domain_state *ds,
        const char *today, const struct rec_opts *o)
{
	const struct model_tdo *b = &it->before;
	struct model_tdo *a = &it->after;
	const char *why;
	char x[128], y[128];

	/* The expected value of unmanaged bits is whatever is there. */
	it->create_attributes = a->attributes;
	a->attributes = (a->attributes & a->attr_mask) |
	                (b->attributes & ~a->attr_mask);
	if (b->direction != a->direction)
		add_change(it, "direction", model_dir_name(b->direction),
		           model_dir_name(a->direction));
	diff_bits(it, b, a);
	if (a->fields & TDO_F_ENCTYPES) {
		if (!b->has_enctypes || b->enctypes != a->enctypes) {
			model_enctypes_str(y, sizeof(y), a->enctypes);
			if (b->has_enctypes)
				model_enctypes_str(x, sizeof(x), b->enctypes);
			else
				snprintf(x, sizeof(x), "not set");
			add_change(it, "encryption", x, y);
		}
	} else {
		a->enctypes = b->enctypes;
		a->has_enctypes = b->has_enctypes;
	}
	if ((a->fields & TDO_F_FLATNAME) && b->flat_name != NULL &&
	    strcasecmp(a->flat_name, b->flat_name) != 0)
		add_change(it, "flat_name", b->flat_name, a->flat_name);
	if ((a->fields & TDO_F_SID) && b->sid != NULL &&
	    strcasecmp(a->sid, b->sid) != 0)
		add_change(it, "sid", b->sid, a->sid);
	if (a->fields & TDO_F_SUFFIXES)
		diff_suffixes(it, b, a);
	else if (b->has_fti) {
		fti_release(&a->fti);
		fti_copy(&a->fti, &b->fti);
		a->has_fti = true;
	}
	if (a->flat_name == NULL && b->flat_name != NULL)
		a->flat_name = xstrdup(b->flat_name);
	if (a->sid == NULL && b->sid != NULL)
		a->sid = xstrdup(b->sid);
	if (a->trust != NULL && rules_for(a->trust, o) != NULL)
		apply_ignores(it, rules_for(a->trust, o), today);
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
		add_change(it, "trust_attributes", was, will);
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
	add_note(&it->notes, &it->n_notes, note);
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
	add_note(&p->domains, &p->n_domains, name);
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
	struct strmap seen;
	char today[11];
	int rc;

	plan_init(out);
	today_str(today, opts);
	if (!(opts != NULL && opts->skip_identity) &&
	    (rc = check_identity(m, s, err)) < 0)
		return rc;
	if ((rc = model_expand(&e, m, err)) < 0)
		return rc;
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
			add_note(&out->warnings, &out->n_warnings, w);
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

			add_note(&out->warnings, &out->n_warnings, w);
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
						diff_suffixes(it, NULL,
						              &it->after);
					continue;
				}
				model_tdo_copy(&it->before, o);
				it->has_before = true;
				if (system_kind(it, ds, o))
					continue;
				compare(it, ds, today, opts);
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
	rekey_partners(out);
	/* protection, now that actions are known */
	for (size_t i = 0; i < out->n_items; i++) {
		struct plan_item *it = &out->items[i];

		if ((it->action == PLAN_DELETE || it->action == PLAN_REPLACE) &&
		    it->protect && !(opts != NULL && opts->allow_destroy))
			it->blocked = true;
	}
	plan_count(out);
	model_expected_release(&e);
	return 0;
fail:
	model_expected_release(&e);
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
			if (model_side_managed(t, side[s], s == 0) &&
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

int
rec_plan_rekey(struct plan *p, const char *spec, bool allow_destroy,
               struct err *err)
{
	const char *colon = strchr(spec, ':');
	size_t hits = 0;

	if (colon == NULL || colon == spec || colon[1] == '\0')
		return err_set(err, ERR_INVALID,
		               "--rekey takes TRUSTING:TRUSTED, got '%s'",
		               spec);
	for (size_t i = 0; i < p->n_items; i++) {
		struct plan_item *it = &p->items[i];
		const struct model_trust *t = it->after.trust;

		if (t == NULL || !it->has_before ||
		    strncasecmp(t->trusting, spec, (size_t)(colon - spec)) !=
		            0 ||
		    t->trusting[colon - spec] != '\0' ||
		    strcasecmp(t->trusted, colon + 1) != 0)
			continue;
		hits++;
		if (it->action == PLAN_REPLACE || it->action == PLAN_DELETE)
			continue; /* gets a new secret anyway, or goes */
		it->action = PLAN_REPLACE;
		free(it->reason);
		if (t->sides != MODEL_SIDES_BOTH && t->password != NULL) {
			const struct model_secret *pw = t->password;
			const char *partner =
			        strcasecmp(it->domain, t->trusting) == 0
			                ? t->trusted
			                : t->trusting;

			/* the wizard's re-key: the other half is elsewhere */
			it->reason = xasprintf(
			        "re-keyed on request (--rekey) with the trust "
			        "password from %s%s%s; the trust fails until "
			        "%s's side is re-keyed with the same password: "
			        "'adtrust apply --rekey %s' with %s's own "
			        "file, "
			        "its password set to the same value",
			        pw->env    ? "{env: "
			        : pw->file ? "{file: "
			                   : "",
			        pw->env    ? pw->env
			        : pw->file ? pw->file
			                   : "the prompt",
			        pw->env || pw->file ? "}" : "", partner, spec,
			        partner);
		} else {
			it->reason = xstrdup(
			        "re-keyed on request (--rekey): Samba and "
			        "LSA set a trust's secret only when it is "
			        "created");
		}
		for (size_t k = 0; k < it->n_changes; k++)
			it->changes[k].in_place = false;
		add_change(it, "trust_password", "current", "new");
		it->changes[it->n_changes - 1].in_place = false;
		it->blocked = it->protect && !allow_destroy;
	}
	if (hits == 0)
		return err_set(
		        err, ERR_NOTFOUND,
		        "--rekey: no existing side of the trust '%s' in "
		        "the plan (name it TRUSTING:TRUSTED as declared)",
		        spec);
	plan_count(p);
	return 0;
}

void
rec_plan_repair(struct plan *p, const struct rec_leftovers *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		const struct rec_leftover *l = &ls->v[i];

		for (size_t k = 0; k < l->n_pairs; k++) {
			const struct rec_left_pair *lp = &l->pairs[k];
			size_t managed = 0, replaced = 0;
			const struct model_trust *t = NULL;
			char *line;

			if (!lp->open)
				continue;
			for (size_t j = 0; j < p->n_items; j++) {
				struct plan_item *it = &p->items[j];

				if (!((strcasecmp(it->domain, lp->a) == 0 &&
				       strcasecmp(it->partner, lp->b) == 0) ||
				      (strcasecmp(it->domain, lp->b) == 0 &&
				       strcasecmp(it->partner, lp->a) == 0)))
					continue;
				managed++;
				if (it->after.trust != NULL)
					t = it->after.trust;
				if (!it->has_before || !it->has_after ||
				    it->action == PLAN_DELETE)
					continue;
				if (it->action != PLAN_REPLACE) {
					it->action = PLAN_REPLACE;
					for (size_t c = 0; c < it->n_changes;
					     c++)
						it->changes[c].in_place = false;
					add_change(
					        it, "trust_password",
					        "possibly not shared",
					        "new, shared with the partner "
					        "side");
					it->changes[it->n_changes - 1]
					        .in_place = false;
				}
				free(it->reason);
				it->reason = xasprintf(
				        "repair: an interrupted apply (pid %ld "
				        "on %s, %s) left this trust unfinished "
				        "(%s); recreated with a new shared "
				        "secret",
				        l->pid, l->host, l->started, lp->last);
				it->blocked = false; /* it is already broken */
				replaced++;
			}
			if (managed == 0)
				line = xasprintf(
				        "%s <-> %s: left unfinished by the "
				        "apply "
				        "of pid %ld on %s at %s (%s; journal "
				        "'%s'); '%s' does not manage it: apply "
				        "the file that does",
				        lp->a, lp->b, l->pid, l->host,
				        l->started, lp->last, l->path,
				        p->source_path ? p->source_path : "?");
			else
				line = xasprintf(
				        "%s <-> %s: left unfinished by the "
				        "apply "
				        "of pid %ld on %s at %s (%s; journal "
				        "'%s'); this plan %s%s",
				        lp->a, lp->b, l->pid, l->host,
				        l->started, lp->last, l->path,
				        replaced > 0
				                ? "recreates it with a new "
				                  "shared secret"
				                : "brings it to the desired "
				                  "state",
				        t != NULL && t->sides !=
				                                MODEL_SIDES_BOTH
				                ? "; its partner side must be "
				                  "applied from the partner's "
				                  "file with the same password"
				                : "");
			p->interrupted = xreallocarray(p->interrupted,
			                               p->n_interrupted + 1,
			                               sizeof(char *));
			p->interrupted[p->n_interrupted++] = line;
		}
	}
	plan_count(p);
}
