/*
 * apply --json's report: each rec_event as a step record, in the order
 * the text report prints its lines (docs/json.md, "apply").  No secret
 * reaches an event, so none reaches this.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/xalloc.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

void
rec_report_init(struct rec_report *rp)
{
	rp->steps = json_array();
	rp->unusable = json_object();
}

void
rec_report_release(struct rec_report *rp)
{
	json_decref(rp->steps);
	json_decref(rp->unusable);
	rp->steps = rp->unusable = NULL;
}

/* "a.test|b.test", the journal's name of a trust (domains in order). */
static json_t *
pair_json(const char *a, const char *b)
{
	json_t *j;
	char *s;

	if (a == NULL || b == NULL)
		return json_null();
	if (strcasecmp(a, b) > 0) {
		const char *x = a;

		a = b;
		b = x;
	}
	s = xasprintf("%s|%s", a, b);
	j = json_string(s);
	free(s);
	return j;
}

void
rec_report_add(struct rec_report *rp, const char *a, const char *b,
               const char *address, const char *action, const char *step,
               enum rec_fate fate, const char *detail)
{
	json_t *o = json_object();

	json_object_set_new(o, "trust", pair_json(a, b));
	json_object_set_new(o, "address", str_or_null(address));
	json_object_set_new(o, "action", str_or_null(action));
	json_object_set_new(o, "step", str_or_null(step));
	json_object_set_new(o, "fate", json_string(rec_fate_name(fate)));
	json_object_set_new(o, "detail", str_or_null(detail));
	json_array_append_new(rp->steps, o);
}

void
rec_report_event(void *ctx, const struct rec_event *ev)
{
	struct rec_report *rp = ctx;

	rec_report_add(rp, ev->a, ev->b, ev->it ? ev->it->address : NULL,
	               ev->it ? plan_action_name(ev->it->action) : NULL,
	               ev->step, ev->fate, ev->detail);
	if (ev->unusable_s >= 0 && ev->a != NULL && ev->b != NULL) {
		json_t *k = pair_json(ev->a, ev->b);

		json_object_set_new(rp->unusable, json_string_value(k),
		                    json_real(ev->unusable_s));
		json_decref(k);
	}
}
