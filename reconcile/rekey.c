/*
 * Re-keys: the partner side of a generated-password trust that gets a new
 * side, --rekey TRUSTING:TRUSTED, and the repair of trusts an interrupted
 * apply left open.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>

#include "reconcile/rec_int.h"
#include "util/err.h"
#include "util/xalloc.h"

/*
 * A trust whose password adtrust generates (sides: both, no password)
 * cannot get a new side alone: the new side's secret would not match the
 * old one's.  Its other side is replaced too, so both share the new one.
 */
void
rec_rekey_partners(struct plan *p)
{
	size_t n_ti = 0, *head, *next;

	/* the items of each trust, chained: linear in the plan's size */
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].trust_index >= 0 &&
		    (size_t)p->items[i].trust_index >= n_ti)
			n_ti = (size_t)p->items[i].trust_index + 1;
	head = xmalloc((n_ti ? n_ti : 1) * sizeof(*head));
	next = xmalloc((p->n_items ? p->n_items : 1) * sizeof(*next));
	for (size_t k = 0; k < n_ti; k++)
		head[k] = SIZE_MAX;
	for (size_t i = p->n_items; i-- > 0;) {
		long ti = p->items[i].trust_index;

		next[i] = SIZE_MAX;
		if (ti < 0)
			continue;
		next[i] = head[ti];
		head[ti] = i;
	}
	for (size_t i = 0; i < p->n_items; i++) {
		struct plan_item *it = &p->items[i];
		const struct model_trust *t = it->after.trust;

		if ((it->action != PLAN_CREATE && it->action != PLAN_REPLACE) ||
		    t == NULL || t->password != NULL ||
		    t->sides != MODEL_SIDES_BOTH || it->trust_index < 0)
			continue;
		for (size_t j = head[it->trust_index]; j != SIZE_MAX;
		     j = next[j]) {
			struct plan_item *o = &p->items[j];

			if (j == i || !o->has_before ||
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
			rec_add_change(o, "trust_password", "current",
			               "new, shared with the partner side");
			o->changes[o->n_changes - 1].in_place = false;
		}
	}
	free(head);
	free(next);
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
		if (it->after.realm_side) {
			/* kadmind re-keys in place: new keys at kvno + 1 */
			char was[64], will[64];
			uint32_t kv = 0;

			for (unsigned k = 0; k < 2; k++)
				if (it->before.princ[k].present &&
				    it->before.princ[k].kvno > kv)
					kv = it->before.princ[k].kvno;
			snprintf(was, sizeof(was), "current (kvno %u)", kv);
			snprintf(will, sizeof(will), "new (kvno %u)", kv + 1);
			it->action = PLAN_UPDATE;
			rec_add_change(it, "trust_password", was, will);
			continue;
		}
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
		rec_add_change(it, "trust_password", "current", "new");
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
					rec_add_change(
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
