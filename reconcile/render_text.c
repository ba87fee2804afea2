/* The text plan: terraform-like, one block per TDO side. */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/esc.h"

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

static void
tdo_lines(struct out *o, const struct model_tdo *t, const char *mark)
{
	char buf[256];

	if (t->realm_side) {
		realm_lines(o, t, mark);
		return;
	}

	fprintf(o->fp, "      %s partner:    %s", mark, txt(o, t->partner));
	if (t->flat_name != NULL)
		fprintf(o->fp, " (%s)", txt(o, t->flat_name));
	if (t->sid != NULL)
		fprintf(o->fp, " %s", txt(o, t->sid));
	fputc('\n', o->fp);
	fprintf(o->fp, "      %s direction:  %s\n", mark,
	        model_dir_name(t->direction));
	fprintf(o->fp, "      %s type:       %s (trustType %s)\n", mark,
	        model_tdo_kind(t, NULL), model_type_name(t->type));
	model_attrs_str(buf, sizeof(buf), t->attributes);
	fprintf(o->fp, "      %s attributes: %s\n", mark, buf);
	if (t->has_enctypes) {
		model_enctypes_str(buf, sizeof(buf), t->enctypes);
		fprintf(o->fp, "      %s encryption: %s\n", mark, buf);
	}
	for (size_t i = 0; i < t->fti.n; i++) {
		const struct fti_record *r = &t->fti.rec[i];

		if (r->type != FTI_TLN && r->type != FTI_TLN_EX)
			continue;
		fprintf(o->fp, "      %s name suffix %s%s%s\n", mark,
		        txt(o, r->name),
		        r->type == FTI_TLN_EX ? " (excluded)" : "",
		        r->type == FTI_TLN && (r->flags & FTI_DISABLED_REASONS)
		                ? " (disabled)"
		                : "");
	}
}

static void
item(struct out *o, const struct plan_item *it)
{
	const char *sym, *c;

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
	fprintf(o->fp, "  %s%s %s%s %s%s%s", col(o, c), sym,
	        plan_action_name(it->action), col(o, C_RESET), col(o, C_BOLD),
	        txt(o, it->address), col(o, C_RESET));
	if (it->trust_index >= 0)
		fprintf(o->fp, "  (trusts[%ld])", it->trust_index);
	fputc('\n', o->fp);
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
		fprintf(o->fp, "      ~ %s: %s -> %s\n", txt(o, ch->field),
		        txt(o, ch->before), txt(o, ch->after));
	}
	for (size_t i = 0; i < it->n_notes; i++)
		fprintf(o->fp, "      # %s\n", txt(o, it->notes[i]));
	/* unchanged sides are one line each, kept together */
	if (it->action != PLAN_NOOP || it->n_notes > 0)
		fputc('\n', o->fp);
}

static int
render(FILE *fp, const struct plan *p, bool colour, struct err *err)
{
	struct out o = {.fp = fp, .colour = colour, .safe = {NULL}, .next = 0};

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
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].action != PLAN_NOOP)
			item(&o, &p->items[i]);
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].action == PLAN_NOOP)
			item(&o, &p->items[i]);
	if (p->n_items > p->n_create + p->n_update + p->n_replace + p->n_delete)
		fputc('\n', fp);
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
