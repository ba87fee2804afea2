/* Plan lifecycle. */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

void
plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n_items; i++) {
		struct plan_item *it = &p->items[i];

		free(it->address);
		free(it->domain);
		free(it->partner);
		free(it->reason);
		free(it->secret_from);
		free(it->secret_ref);
		for (size_t j = 0; j < it->n_changes; j++) {
			free(it->changes[j].field);
			free(it->changes[j].before);
			free(it->changes[j].after);
		}
		free(it->changes);
		free_strv(it->notes, it->n_notes);
		model_tdo_release(&it->before);
		model_tdo_release(&it->after);
	}
	free(p->items);
	free_strv(p->warnings, p->n_warnings);
	free_strv(p->interrupted, p->n_interrupted);
	for (size_t i = 0; i < p->n_prints; i++) {
		free(p->prints[i].domain);
		free(p->prints[i].partner);
	}
	free(p->prints);
	free_strv(p->domains, p->n_domains);
	free(p->source_path);
	free(p->source_abspath);
	free(p->git_commit);
	free(p->git_repo);
	free(p->git_path);
	free(p->desired_text);
	free(p->snapshot);
	plan_init(p);
}

bool
plan_is_noop(const struct plan *p)
{
	return p->n_create + p->n_update + p->n_replace + p->n_delete == 0 &&
	       p->n_interrupted == 0;
}

const char *
plan_action_name(enum plan_action a)
{
	switch (a) {
	case PLAN_NOOP:
		return "no-op";
	case PLAN_CREATE:
		return "create";
	case PLAN_UPDATE:
		return "update";
	case PLAN_REPLACE:
		return "replace";
	case PLAN_DELETE:
		return "delete";
	}
	return "unknown";
}

void
plan_count(struct plan *p)
{
	p->n_create = p->n_update = p->n_replace = p->n_delete = 0;
	p->n_blocked = 0;
	for (size_t i = 0; i < p->n_items; i++) {
		switch (p->items[i].action) {
		case PLAN_CREATE:
			p->n_create++;
			break;
		case PLAN_UPDATE:
			p->n_update++;
			break;
		case PLAN_REPLACE:
			p->n_replace++;
			break;
		case PLAN_DELETE:
			p->n_delete++;
			break;
		case PLAN_NOOP:
			break;
		}
		if (p->items[i].blocked)
			p->n_blocked++;
	}
}
