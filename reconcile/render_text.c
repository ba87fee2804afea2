/*
 * The text plan: terraform-like, the sides of each trust under the trust's
 * place in the file, fields by their YAML names with the raw AD value as
 * a note, unchanged sides counted in one line (--show-unchanged lists them).
 */
#include "reconcile/rec.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/esc.h"
#include "util/xalloc.h"

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_MAGENTA "\033[35m"
#define C_BOLD "\033[1m"

#define N_SAFE 16

struct out {
	FILE *fp;
	bool colour;
	char *safe[N_SAFE]; /* escaped copies, reused round robin */
	size_t next;
};

/*
 * Data (names from a directory, a saved plan's strings) with its control
 * characters escaped: it can neither drive the terminal nor forge a line.
 * The copy lives until N_SAFE later calls: enough for one fprintf.
 */
static const char *
txt(struct out *o, const char *s)
{
	char **slot;

	if (s == NULL || !esc_needed(s))
		return s;
	slot = &o->safe[o->next++ % N_SAFE];
	free(*slot);
	*slot = esc_str(s);
	return *slot;
}

static const char *
col(const struct out *o, const char *c)
{
	return o->colour ? c : "";
}

/* A realm side: its cross-realm principals, not a TDO. */
static void
realm_lines(const struct out *o, const struct model_tdo *t, const char *mark)
{
	char buf[256], name[600];

	fprintf(o->fp,
	        "      %s partner:    %s (an MIT realm side: "
	        "cross-realm principals in its KDC)\n",
	        mark, t->partner);
	fprintf(o->fp, "      %s direction:  %s\n", mark,
	        model_dir_name(t->direction));
	model_enctypes_str(buf, sizeof(buf), t->enctypes & ~MODEL_ENC_MIXED);
	for (unsigned k = 0; k < 2; k++) {
		uint32_t bit = k == MODEL_PRINC_IN ? TDO_DIR_INBOUND
		                                   : TDO_DIR_OUTBOUND;

		if (!(t->direction & bit))
			continue;
		model_princ_name(name, sizeof(name), t, k);
		if (t->princ[k].present) {
			model_enctypes_str(buf, sizeof(buf),
			                   t->princ[k].enctypes);
			fprintf(o->fp, "      %s principal:  %s, kvno %u, %s\n",
			        mark, name, t->princ[k].kvno, buf);
		} else {
			fprintf(o->fp, "      %s principal:  %s, %s\n", mark,
			        name, buf);
		}
	}
}

enum model_trust_type
rec_bits_type(const struct model_tdo *t)
{
	if (t->type == TDO_TYPE_MIT)
		return MODEL_TYPE_REALM;
	if (t->attributes & TA_FOREST_TRANSITIVE)
		return MODEL_TYPE_FOREST;
	return MODEL_TYPE_EXTERNAL;
}

/* The first field reading its bit on this type (two read one on forests). */
static bool
first_of_bit(size_t i, enum model_trust_type type)
{
	for (size_t j = 0; j < i; j++)
		if (model_bool_fields[j].bit == model_bool_fields[i].bit &&
		    model_bool_field_applies(&model_bool_fields[j], type))
			return false;
	return true;
}

/*
 * The raw value beside a YAML name: "trustAttributes 0x4
 * QUARANTINED_DOMAIN" for the bits of mask that are set, or "... clear".
 */
static void
attr_note(char *buf, size_t len, uint32_t mask, uint32_t attributes)
{
	uint32_t set = mask & attributes, show = set ? set : mask;
	size_t off;

	off = (size_t)snprintf(buf, len, "trustAttributes 0x%x", show);
	for (size_t i = 0; i < model_n_attr_bits && off < len; i++)
		if (show & model_attr_bits[i].bit)
			off += (size_t)snprintf(buf + off, len - off, " %s",
			                        model_attr_bits[i].name);
	if (set == 0 && off < len)
		snprintf(buf + off, len - off, " clear");
}

/* The boolean fields of a side, as the YAML names them; the bits shown. */
static uint32_t
bool_lines(struct out *o, const struct model_tdo *t, const char *mark)
{
	const enum model_trust_type type = rec_bits_type(t);
	uint32_t shown = 0;
	char note[256];

	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		uint32_t bits = f->bit | f->pair;

		if (!model_bool_field_applies(f, type) ||
		    !first_of_bit(i, type))
			continue;
		/*
		 * a field at its server default is noise, unless the file
		 * defaults it on a side it applies to
		 */
		if (!(t->attributes & bits) &&
		    (f->create_default == MODEL_DEFAULT_NONE ||
		     (f->outbound && !(t->direction & TDO_DIR_OUTBOUND))))
			continue;
		shown |= bits;
		attr_note(note, sizeof(note), bits, t->attributes);
		fprintf(o->fp, "      %s %s: %s  (%s)\n", mark, f->name,
		        model_bool_field_value(f, t->attributes) ? "true"
		                                                 : "false",
		        note);
	}
	return shown;
}

/* "[aes128, aes256]": the YAML's list. */
static void
enc_names(char *buf, size_t len, uint32_t enctypes)
{
	size_t off = (size_t)snprintf(buf, len, "[");
	bool first = true;

	for (size_t i = 0; i < model_n_enctypes && off < len; i++) {
		if (!(enctypes & model_enctypes[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        first ? "" : ", ",
		                        model_enctypes[i].name);
		first = false;
	}
	if (off < len)
		snprintf(buf + off, len - off, "]");
}

static void
tdo_lines(struct out *o, const struct model_tdo *t, const char *mark)
{
	char buf[256], note[300];
	uint32_t shown, rest;

	if (t->realm_side) {
		realm_lines(o, t, mark);
		return;
	}

	fprintf(o->fp, "      %s partner: %s", mark, txt(o, t->partner));
	if (t->flat_name != NULL)
		fprintf(o->fp, " (%s)", txt(o, t->flat_name));
	if (t->sid != NULL)
		fprintf(o->fp, " %s", txt(o, t->sid));
	fputc('\n', o->fp);
	fprintf(o->fp, "      %s direction: %s\n", mark,
	        model_dir_name(t->direction));
	/* the bits no field names come with the type (FOREST_TRANSITIVE) */
	shown = 0;
	for (size_t i = 0; i < model_n_bool_fields; i++)
		if (model_bool_field_applies(&model_bool_fields[i],
		                             rec_bits_type(t)))
			shown |= model_bool_fields[i].bit |
			         model_bool_fields[i].pair;
	rest = t->attributes & ~shown;
	note[0] = '\0';
	if (rest != 0) {
		attr_note(buf, sizeof(buf), rest, t->attributes);
		snprintf(note, sizeof(note), ", %s", buf);
	}
	fprintf(o->fp, "      %s type: %s  (trustType %s%s)\n", mark,
	        model_tdo_kind(t, NULL), model_type_name(t->type), note);
	bool_lines(o, t, mark);
	if (t->has_enctypes) {
		enc_names(buf, sizeof(buf), t->enctypes);
		fprintf(o->fp,
		        "      %s encryption: %s  "
		        "(msDS-SupportedEncryptionTypes 0x%x)\n",
		        mark, buf, t->enctypes);
	}
	for (size_t i = 0; i < t->fti.n; i++) {
		const struct fti_record *r = &t->fti.rec[i];

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		fprintf(o->fp, "      %s name_suffixes[%s]: %s\n", mark,
		        txt(o, r->name),
		        r->type == FTI_TLN_EX               ? "excluded"
		        : (r->flags & FTI_DISABLED_REASONS) ? "disabled"
		                                            : "enabled");
	}
}

/* An update of a boolean field: the bit it stands for, as a note. */
static void
change_note(char *buf, size_t len, const struct plan_item *it,
            const struct plan_change *ch)
{
	const struct model_tdo *t = it->has_after ? &it->after : &it->before;
	const enum model_trust_type type = rec_bits_type(t);

	buf[0] = '\0';
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		uint32_t bits = f->bit | f->pair;
		char note[200];

		if (strcmp(f->name, ch->field) != 0 ||
		    !model_bool_field_applies(f, type))
			continue;
		attr_note(note, sizeof(note), bits, t->attributes);
		snprintf(buf, len, "  (%s)", note);
		return;
	}
}

/* Where a new trust password comes from; never its value. */
static void
secret_line(struct out *o, const struct plan_item *it)
{
	bool rekeys = false;

	for (size_t i = 0; i < it->n_changes; i++)
		if (strcmp(it->changes[i].field, "trust_password") == 0)
			rekeys = true;
	if (it->secret_from == NULL || !(it->action == PLAN_CREATE ||
	                                 it->action == PLAN_REPLACE || rekeys))
		return;
	if (strcmp(it->secret_from, "generated") == 0)
		fprintf(o->fp, "      # new trust password: generated at apply "
		               "(random, the same on both sides, never "
		               "shown)\n");
	else if (strcmp(it->secret_from, "prompt") == 0)
		fprintf(o->fp,
		        "      # new trust password: asked for at apply "
		        "({prompt: \"%s\"})\n",
		        txt(o, it->secret_ref ? it->secret_ref : ""));
	else
		fprintf(o->fp, "      # new trust password: from {%s: %s}\n",
		        txt(o, it->secret_from),
		        txt(o, it->secret_ref ? it->secret_ref : ""));
}

static void
item(struct out *o, const struct plan_item *it)
{
	const char *sym, *c;
	char note[256];

	switch (it->action) {
	case PLAN_CREATE:
		sym = "+";
		c = C_GREEN;
		break;
	case PLAN_UPDATE:
		sym = "~";
		c = C_YELLOW;
		break;
	case PLAN_REPLACE:
		sym = "-/+";
		c = C_MAGENTA;
		break;
	case PLAN_DELETE:
		sym = "-";
		c = C_RED;
		break;
	default:
		sym = "=";
		c = "";
		break;
	}
	fprintf(o->fp, "  %s%s %s%s %s%s%s\n", col(o, c), sym,
	        plan_action_name(it->action), col(o, C_RESET), col(o, C_BOLD),
	        txt(o, it->address), col(o, C_RESET));
	if (it->reason != NULL && it->action != PLAN_CREATE)
		fprintf(o->fp, "      # %s\n", txt(o, it->reason));
	if (it->action == PLAN_REPLACE) {
		const struct model_trust *t = it->after.trust;

		fprintf(o->fp, "      # %s\n",
		        t != NULL && t->sides != MODEL_SIDES_BOTH
		                ? "what it costs: this side is deleted and "
		                  "created again with the trust password; the "
		                  "trust is unusable until then, and until the "
		                  "partner side holds the same password"
		                : "what it costs: deleted and created again "
		                  "with a new shared secret (both sides, back "
		                  "to back); the trust is unusable until both "
		                  "sides are back and verified");
	}
	if (it->blocked)
		fprintf(o->fp,
		        "      %s! blocked: the trust is protected; "
		        "--allow-destroy lets apply do this%s\n",
		        col(o, C_RED), col(o, C_RESET));
	if (it->action == PLAN_CREATE)
		tdo_lines(o, &it->after, "+");
	else if (it->action == PLAN_DELETE)
		tdo_lines(o, &it->before, "-");
	for (size_t i = 0; i < it->n_changes; i++) {
		const struct plan_change *ch = &it->changes[i];

		if (it->action == PLAN_CREATE)
			continue;
		change_note(note, sizeof(note), it, ch);
		fprintf(o->fp, "      ~ %s: %s -> %s%s\n", txt(o, ch->field),
		        txt(o, ch->before), txt(o, ch->after), note);
	}
	secret_line(o, it);
	for (size_t i = 0; i < it->n_notes; i++)
		fprintf(o->fp, "      # %s\n", txt(o, it->notes[i]));
	/* unchanged sides are one line each, kept together */
	if (it->action != PLAN_NOOP || it->n_notes > 0)
		fputc('\n', o->fp);
}

static bool
changed(const struct plan_item *it)
{
	return it->action != PLAN_NOOP || it->n_notes > 0;
}

/*
 * The plan's items grouped by trust, in the file's order: sorted by the
 * trust's index in the file, then by item; sides of no declared trust
 * (trust_index < 0) last, each a group of its own.  One sort, so a plan
 * of 50,000 trusts renders in n log n.
 */
struct slot {
	long trust; /* LONG_MAX: no declared trust */
	size_t item;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->trust != y->trust)
		return x->trust < y->trust ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

static struct slot *
slots_by_trust(const struct plan *p)
{
	struct slot *s = xcalloc(p->n_items ? p->n_items : 1, sizeof(*s));

	for (size_t i = 0; i < p->n_items; i++) {
		s[i].trust = p->items[i].trust_index >= 0
		                     ? p->items[i].trust_index
		                     : LONG_MAX;
		s[i].item = i;
	}
	qsort(s, p->n_items, sizeof(*s), slot_cmp);
	return s;
}

/* The length of the group starting at s[i]. */
static size_t
group_len(const struct slot *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (s[i].trust == LONG_MAX)
		return 1;
	while (j < n && s[j].trust == s[i].trust)
		j++;
	return j - i;
}

/* Whether any side of the group changes (or has a note). */
static bool
group_changed(const struct plan *p, const struct slot *g, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (changed(&p->items[g[k].item]))
			return true;
	return false;
}

/*
 * The sides of one trust, under one heading: the trust's place in the
 * file (file:line, else its YAML path), then the changed sides, then the
 * unchanged ones.
 */
static void
group(struct out *o, const struct plan *p, const struct slot *g, size_t len)
{
	const struct plan_item *first = &p->items[g[0].item];
	bool plain = false;

	if (first->trust_index >= 0) {
		fprintf(o->fp, "%s", col(o, C_BOLD));
		if (first->line > 0)
			fprintf(o->fp, "%s:%u", txt(o, p->source_path),
			        first->line);
		else
			fprintf(o->fp, "trusts[%ld]", first->trust_index);
		fprintf(o->fp, ": trust between %s", txt(o, first->domain));
		fprintf(o->fp, " and %s%s\n", txt(o, first->partner),
		        col(o, C_RESET));
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < len; k++) {
			const struct plan_item *it = &p->items[g[k].item];

			if (changed(it) != (pass == 0))
				continue;
			item(o, it);
			plain = !changed(it);
		}
	if (plain)
		fputc('\n', o->fp);
}

static int
render(FILE *fp, const struct plan *p, unsigned flags, struct err *err)
{
	struct out o = {.fp = fp,
	                .colour = (flags & PLAN_RENDER_COLOUR) != 0,
	                .safe = {NULL},
	                .next = 0};
	struct slot *s = slots_by_trust(p);
	size_t n_same = 0, n_trusts = 0, len;

	if (plan_is_noop(p)) {
		fprintf(fp,
		        "No changes. The live trusts of %zu domain%s match "
		        "'%s'.\n",
		        p->n_domains, p->n_domains == 1 ? "" : "s",
		        txt(&o, p->source_path));
	} else {
		fprintf(fp,
		        "adtrust will make these changes (desired state: %s",
		        txt(&o, p->source_path));
		if (p->git_commit != NULL)
			fprintf(fp, " at commit %.12s%s",
			        txt(&o, p->git_commit),
			        p->git_dirty ? ", working tree differs" : "");
		fprintf(fp, "):\n\n");
	}
	if (p->n_interrupted > 0) {
		fprintf(fp, "Interrupted apply (its trusts may be one-sided or "
		            "hold different secrets):\n");
		for (size_t i = 0; i < p->n_interrupted; i++)
			fprintf(fp, "  ! %s\n", txt(&o, p->interrupted[i]));
		fputc('\n', fp);
	}
	for (size_t i = 0; i < p->n_items; i += len) {
		len = group_len(s, p->n_items, i);
		if (group_changed(p, s + i, len))
			group(&o, p, s + i, len);
		else {
			n_same += len;
			n_trusts++;
		}
	}
	if (n_same > 0 && (flags & PLAN_RENDER_UNCHANGED)) {
		if (plan_is_noop(p))
			fputc('\n', fp);
		for (size_t i = 0; i < p->n_items; i += len) {
			len = group_len(s, p->n_items, i);
			if (!group_changed(p, s + i, len))
				group(&o, p, s + i, len);
		}
	} else if (n_same > 0 && !plan_is_noop(p)) {
		fprintf(fp,
		        "  = %zu unchanged side%s of %zu trust%s "
		        "(--show-unchanged lists them)\n\n",
		        n_same, n_same == 1 ? "" : "s", n_trusts,
		        n_trusts == 1 ? "" : "s");
	}
	free(s);
	if (p->n_warnings > 0) {
		fprintf(fp, "Warnings:\n");
		for (size_t i = 0; i < p->n_warnings; i++)
			fprintf(fp, "  ! %s\n", txt(&o, p->warnings[i]));
		fputc('\n', fp);
	}
	if (!plan_is_noop(p)) {
		fprintf(fp,
		        "Plan: %zu to create, %zu to update, %zu to replace, "
		        "%zu to delete",
		        p->n_create, p->n_update, p->n_replace, p->n_delete);
		if (p->n_blocked > 0)
			fprintf(fp, " (%zu blocked by protect)", p->n_blocked);
		fprintf(fp, ".\n");
	}
	for (size_t i = 0; i < N_SAFE; i++)
		free(o.safe[i]);
	if (ferror(fp))
		return err_set(err, ERR_IO, "cannot write the plan");
	return 0;
}

const struct plan_renderer plan_render_text = {
        .name = "text",
        .render = render,
};
