/*
 * adtrust drift -f FILE [--snapshot DIR] [--json] [--metrics FILE]
 *               [--state-dir DIR] [--verify]
 * Read-only: it reads the domains (LDAP or a snapshot); only --verify
 * starts the LSA helper, for read sessions (TC_VERIFY).  It tells apart
 *   drift:   the live trusts differ from what was last applied, and
 *   pending: the desired state changed since the last apply and applying
 *            it would change something that is not drift,
 * with the current file's ignore rules in force on both.  Without a
 * recorded apply everything that differs from the file is drift.
 * --verify adds each trust's health: both sides present and consistent,
 * and the checks of 'adtrust verify' (NETLOGON, Kerberos); a broken trust
 * is drift even when every attribute matches.
 * Exit 0 nothing, 2 drift, pending or an unhealthy trust, 1 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/state.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/esc.h"
#include "util/version.h"
#include "util/safefile.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

struct finding {
	const struct plan_item *it;
	const struct plan_change *ch; /* NULL: the whole item */
};

/* One trust's health (--verify). */
struct health {
	const struct model_trust *t;
	char *sides; /* NULL when both sides agree, else what is wrong */
	struct cmd_check_counts c;
};

struct report {
	struct finding *drift, *pending;
	size_t n_drift, n_pending;
	struct health *health; /* --verify */
	size_t n_health, n_unhealthy;
	json_t *checks;            /* --verify --json: the checks */
	struct rec_leftovers left; /* journals of interrupted applies */
	size_t n_interrupted;      /* the trusts they left open */
};

static void
add(struct finding **v, size_t *n, const struct plan_item *it,
    const struct plan_change *ch)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].it = it;
	(*v)[(*n)++].ch = ch;
}

static bool
has_change(const struct plan *p, const struct plan_item *it,
           const struct plan_change *ch)
{
	for (size_t i = 0; i < p->n_items; i++) {
		const struct plan_item *x = &p->items[i];

		if (strcasecmp(x->address, it->address) != 0 ||
		    x->action == PLAN_NOOP)
			continue;
		if (ch == NULL || x->action != it->action)
			return x->action == it->action;
		for (size_t j = 0; j < x->n_changes; j++)
			if (strcmp(x->changes[j].field, ch->field) == 0 &&
			    strcmp(x->changes[j].after, ch->after) == 0)
				return true;
	}
	return false;
}

/* Every change of a plan, one finding per field (or per item). */
static void
findings(struct finding **v, size_t *n, const struct plan *p,
         const struct plan *except)
{
	for (size_t i = 0; i < p->n_items; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->action == PLAN_NOOP)
			continue;
		if (it->action == PLAN_REPLACE && it->n_changes == 1 &&
		    strcmp(it->changes[0].field, "trust_password") == 0)
			continue; /* a re-key with its partner: not drift */
		if (it->action != PLAN_UPDATE && it->action != PLAN_REPLACE) {
			if (except == NULL || !has_change(except, it, NULL))
				add(v, n, it, NULL);
			continue;
		}
		for (size_t j = 0; j < it->n_changes; j++)
			if (strcmp(it->changes[j].field, "trust_password") !=
			            0 &&
			    (except == NULL ||
			     !has_change(except, it, &it->changes[j])))
				add(v, n, it, &it->changes[j]);
	}
}

static const char *
what(const struct finding *f)
{
	switch (f->it->action) {
	case PLAN_CREATE:
		return "missing";
	case PLAN_DELETE:
		return "present";
	default:
		return "changed";
	}
}

/*
 * Pieces of a report line: literal text at even positions, outside text
 * at odd ones (NULL: nothing), escaped: names and values come from the
 * directory and the files, and must not drive the terminal or forge a
 * line (util/esc.h).
 */
static void
pieces(FILE *fp, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != NULL && i % 2 == 0)
			fputs(v[i], fp);
		else if (v[i] != NULL)
			esc_fputs(v[i], fp);
	fputc('\n', fp);
}
#define PIECES(fp, ...)                                                        \
	pieces((fp), (const char *const[]){__VA_ARGS__},                       \
	       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void
text(FILE *fp, const struct report *r, const struct plan *pd,
     const char *applied)
{
	if (applied == NULL)
		fprintf(fp, "No apply of this file is recorded: comparing the "
		            "live trusts with it.\n\n");
	if (r->n_interrupted > 0) {
		fprintf(fp, "Interrupted apply (these trusts may be one-sided "
		            "or hold two different secrets):\n");
		for (size_t i = 0; i < r->left.n; i++) {
			const struct rec_leftover *l = &r->left.v[i];

			for (size_t k = 0; k < l->n_pairs; k++)
				if (l->pairs[k].open)
					fprintf(fp,
					        "  ! %s <-> %s: left "
					        "unfinished "
					        "by the apply of pid %ld on %s "
					        "at %s (%s; journal '%s'); "
					        "'adtrust apply' repairs it\n",
					        l->pairs[k].a, l->pairs[k].b,
					        l->pid, l->host, l->started,
					        l->pairs[k].last, l->path);
		}
	}
	if (r->n_drift == 0 && r->n_pending == 0 && r->n_interrupted == 0)
		fprintf(fp, "No drift: the live trusts match %s.\n",
		        applied != NULL ? "what was last applied"
		                        : "the desired state");
	if (r->n_drift > 0) {
		fprintf(fp, "Drift (the live trusts differ from %s):\n",
		        applied != NULL ? "what was last applied"
		                        : "the desired state");
		for (size_t i = 0; i < r->n_drift; i++) {
			const struct finding *f = &r->drift[i];

			if (f->ch != NULL)
				PIECES(fp, "  ~ ", f->it->address, " ",
				       f->ch->field, ": live ", f->ch->before,
				       ", applied ", f->ch->after);
			else
				PIECES(fp, "  ! ", f->it->address,
				       ": the trust is ", what(f));
		}
	}
	if (r->n_pending > 0) {
		fprintf(fp, "Pending (the desired state changed since the last "
		            "apply; not applied yet):\n");
		for (size_t i = 0; i < r->n_pending; i++) {
			const struct finding *f = &r->pending[i];

			if (f->ch != NULL)
				PIECES(fp, "  ~ ", f->it->address, " ",
				       f->ch->field, ": ", f->ch->before,
				       " -> ", f->ch->after);
			else
				PIECES(fp, "  + ", f->it->address, ": ",
				       plan_action_name(f->it->action));
		}
	}
	for (size_t i = 0; i < pd->n_items; i++)
		for (size_t j = 0; j < pd->items[i].n_notes; j++)
			PIECES(fp, "  # ", pd->items[i].address, ": ",
			       pd->items[i].notes[j]);
	for (size_t i = 0; i < pd->n_warnings; i++)
		PIECES(fp, "  ! ", pd->warnings[i]);
}

static json_t *
json_findings(const struct finding *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "address",
		                    json_string(v[i].it->address));
		json_object_set_new(o, "domain", json_string(v[i].it->domain));
		json_object_set_new(o, "partner",
		                    json_string(v[i].it->partner));
		json_object_set_new(
		        o, "action",
		        json_string(plan_action_name(v[i].it->action)));
		json_object_set_new(o, "field",
		                    v[i].ch ? json_string(v[i].ch->field)
		                            : json_null());
		json_object_set_new(o, "live",
		                    v[i].ch ? json_string(v[i].ch->before)
		                            : json_null());
		json_object_set_new(o, "wanted",
		                    v[i].ch ? json_string(v[i].ch->after)
		                            : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static void
json_out(FILE *fp, const struct report *r, const struct plan *pd,
         const char *applied_sha)
{
	json_t *root = cmd_json_new(), *ign = json_array(), *exp = json_array();

	json_object_set_new(root, "drift",
	                    json_boolean(r->n_drift + r->n_interrupted > 0));
	{
		json_t *intr = json_array();

		for (size_t i = 0; i < r->left.n; i++)
			for (size_t k = 0; k < r->left.v[i].n_pairs; k++) {
				const struct rec_left_pair *lp =
				        &r->left.v[i].pairs[k];

				if (!lp->open)
					continue;
				json_array_append_new(
				        intr,
				        json_pack(
				                "{s:s, s:s, s:s, s:s, s:I}",
				                "domain", lp->a, "partner",
				                lp->b, "last", lp->last,
				                "journal", r->left.v[i].path,
				                "pid",
				                (json_int_t)r->left.v[i].pid));
			}
		json_object_set_new(root, "interrupted", intr);
	}
	json_object_set_new(root, "pending", json_boolean(r->n_pending > 0));
	if (r->checks != NULL) {
		json_t *h = json_object(), *bad = json_array();

		for (size_t i = 0; i < r->n_health; i++) {
			const struct health *x = &r->health[i];
			json_t *o;

			if (x->sides == NULL && x->c.fail == 0)
				continue;
			o = json_object();
			json_object_set_new(o, "trusting",
			                    json_string(x->t->trusting));
			json_object_set_new(o, "trusted",
			                    json_string(x->t->trusted));
			json_object_set_new(o, "sides",
			                    x->sides ? json_string(x->sides)
			                             : json_null());
			json_object_set_new(
			        o, "failed_checks",
			        json_integer((json_int_t)x->c.fail));
			json_array_append_new(bad, o);
		}
		json_object_set_new(h, "healthy",
		                    json_boolean(r->n_unhealthy == 0));
		json_object_set_new(h, "unhealthy", bad);
		json_object_set(h, "checks", r->checks);
		json_object_set_new(root, "health", h);
	}
	json_object_set_new(root, "desired_sha256",
	                    json_string(pd->source_sha256));
	json_object_set_new(root, "applied_sha256",
	                    applied_sha ? json_string(applied_sha)
	                                : json_null());
	json_object_set_new(root, "drift_changes",
	                    json_findings(r->drift, r->n_drift));
	json_object_set_new(root, "pending_changes",
	                    json_findings(r->pending, r->n_pending));
	for (size_t i = 0; i < pd->n_items; i++)
		for (size_t j = 0; j < pd->items[i].n_notes; j++)
			json_array_append_new(
			        ign, json_string(pd->items[i].notes[j]));
	json_object_set_new(root, "ignored", ign);
	for (size_t i = 0; i < pd->n_warnings; i++)
		json_array_append_new(exp, json_string(pd->warnings[i]));
	json_object_set_new(root, "expired_ignore_rules", exp);
	json_dumpf(root, fp, JSON_INDENT(2));
	fputc('\n', fp);
	json_decref(root);
}

/*
 * The last success timestamp of a previous metrics file, or 0.  The file
 * sits in a directory other users may write (a textfile collector's), so
 * it is read like state: no symlink, FIFO or device, ours, and small.
 */
static long long
last_success(const char *path)
{
	static const char key[] =
	        "adtrust_drift_last_success_timestamp_seconds ";
	char *buf = NULL, *line, *save = NULL;
	long long t = 0;
	struct err e;

	err_init(&e);
	if (safefile_read(&buf, NULL, path, (size_t)1 << 20, SAFEFILE_OWNED,
	                  &e) < 0) {
		if (e.code != ERR_NOTFOUND)
			fprintf(stderr,
			        "adtrust: note: not keeping the last success "
			        "time: %s\n",
			        e.msg);
		return 0;
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, sizeof(key) - 1) == 0 &&
		    sscanf(line + sizeof(key) - 1, "%lld", &t) == 1)
			break;
	free(buf);
	return t;
}

/*
 * What interrupted applies left on the domains: a trust one of them left
 * open is drift even when every attribute matches (its two sides may hold
 * different secrets, which no directory attribute shows).
 */
static int
journals(struct report *r, const struct plan *pd, const char *sdir,
         struct err *err)
{
	int rc;

	if ((rc = cmd_journals(&r->left, state_dir(sdir), pd->domains,
	                       pd->n_domains, err)) < 0)
		return rc;
	r->n_interrupted = rec_leftovers_open(&r->left);
	return 0;
}

/*
 * The textfile-collector file.  After a failed check only the build info,
 * the success gauge (0) and the last success time are written: a gauge
 * the check could not measure is absent, never a misleading 0.
 */
static int
metrics(const char *path, const struct report *r, const struct plan *pd,
        bool ok, struct err *err)
{
	struct sbuf sb;
	long long now = (long long)time(NULL);
	int rc;

	sbuf_init(&sb);
	sbuf_adds(&sb, "# HELP adtrust_build_info The adtrust that wrote this "
	               "file.\n# TYPE adtrust_build_info gauge\n");
	sbuf_addf(&sb, "adtrust_build_info{version=\"%s\"} 1\n",
	          version_string());
	if (ok) {
		sbuf_adds(&sb,
		          "# HELP adtrust_drift_fields Fields of a trust side "
		          "that differ from what was last applied.\n"
		          "# TYPE adtrust_drift_fields gauge\n");
		for (size_t i = 0; i < pd->n_items; i++) {
			size_t n = 0;

			for (size_t j = 0; j < r->n_drift; j++)
				n += strcasecmp(r->drift[j].it->address,
				                pd->items[i].address) == 0;
			sbuf_addf(&sb,
			          "adtrust_drift_fields{domain=\"%s\",partner="
			          "\"%s\"} %zu\n",
			          pd->items[i].domain, pd->items[i].partner, n);
		}
		sbuf_adds(&sb, "# HELP adtrust_interrupted_trusts Trusts an "
		               "interrupted apply left unfinished.\n"
		               "# TYPE adtrust_interrupted_trusts gauge\n");
		sbuf_addf(&sb, "adtrust_interrupted_trusts %zu\n",
		          r->n_interrupted);
	}
	if (ok && (r->checks != NULL || r->n_health > 0)) {
		sbuf_adds(&sb, "# HELP adtrust_trust_healthy 1 if both sides "
		               "of the trust agree and every check passed "
		               "(drift --verify).\n"
		               "# TYPE adtrust_trust_healthy gauge\n");
		for (size_t i = 0; i < r->n_health; i++) {
			const struct health *h = &r->health[i];

			sbuf_addf(&sb,
			          "adtrust_trust_healthy{trusting=\"%s\","
			          "trusted=\"%s\"} %d\n",
			          h->t->trusting, h->t->trusted,
			          h->sides == NULL && h->c.fail == 0);
		}
	}
	if (ok) {
		sbuf_adds(&sb, "# HELP adtrust_pending_changes Changes of the "
		               "desired state not applied yet.\n"
		               "# TYPE adtrust_pending_changes gauge\n");
		sbuf_addf(&sb, "adtrust_pending_changes %zu\n", r->n_pending);
		sbuf_adds(&sb, "# HELP adtrust_expired_ignore_rules Ignore "
		               "rules past their date.\n"
		               "# TYPE adtrust_expired_ignore_rules gauge\n");
		sbuf_addf(&sb, "adtrust_expired_ignore_rules %zu\n",
		          pd->n_warnings);
	}
	/* its 0 is the failure: no separate error gauge */
	sbuf_adds(&sb, "# HELP adtrust_drift_check_success 1 if the last check "
	               "read every domain, 0 if it failed.\n"
	               "# TYPE adtrust_drift_check_success gauge\n");
	sbuf_addf(&sb, "adtrust_drift_check_success %d\n", ok ? 1 : 0);
	sbuf_adds(
	        &sb,
	        "# HELP adtrust_drift_last_success_timestamp_seconds "
	        "When a check last succeeded.\n"
	        "# TYPE adtrust_drift_last_success_timestamp_seconds gauge\n");
	sbuf_addf(&sb, "adtrust_drift_last_success_timestamp_seconds %lld\n",
	          ok ? now : last_success(path));
	rc = cmd_write_file(path, sb.buf, sb.len, 0644, err);
	sbuf_release(&sb);
	return rc;
}

/* A TDO of domain for partner in the live state, or NULL. */
static const struct model_tdo *
live_tdo(const struct model_state *st, const char *domain, const char *partner)
{
	const struct model_domain_state *ds = model_state_find(st, domain);

	for (size_t i = 0; ds != NULL && i < ds->n_tdos; i++)
		if (strcasecmp(ds->tdos[i].partner, partner) == 0)
			return &ds->tdos[i];
	return NULL;
}

/*
 * What is wrong between the two sides of t as read, or NULL: a missing
 * side, directions that do not mirror, different trust types.  Only for
 * trusts whose two domains were both read.
 */
static char *
sides_problem(const struct model_state *st, const struct model_trust *t)
{
	const struct model_tdo *a, *b;

	if (model_state_find(st, t->trusting) == NULL ||
	    model_state_find(st, t->trusted) == NULL)
		return NULL;
	a = live_tdo(st, t->trusting, t->trusted);
	b = live_tdo(st, t->trusted, t->trusting);
	if (a == NULL && b == NULL)
		return xasprintf("neither side exists");
	if (a == NULL || b == NULL)
		return xasprintf("one-sided: %s has no trusted domain object "
		                 "for %s",
		                 a == NULL ? t->trusting : t->trusted,
		                 a == NULL ? t->trusted : t->trusting);
	/* inbound (1) on one side is outbound (2) on the other */
	if (((a->direction & 1u) << 1 | (a->direction & 2u) >> 1) !=
	    (b->direction & 3u))
		return xasprintf("the directions do not mirror: %s says %u, "
		                 "%s says %u (trustDirection)",
		                 t->trusting, (unsigned)a->direction,
		                 t->trusted, (unsigned)b->direction);
	if (a->type != b->type)
		return xasprintf("the trust types differ: %s says %u, %s says "
		                 "%u (trustType)",
		                 t->trusting, (unsigned)a->type, t->trusted,
		                 (unsigned)b->type);
	return NULL;
}

/* --verify: the health of every present trust of d. */
static void
check_health(struct report *r, const struct model *d,
             const struct model_state *st, struct model_secret_cache *sc,
             bool json)
{
	struct cmd_check_opts co = {.indent = "  ", .secrets = sc};

	if (json)
		r->checks = json_array();
	else
		printf("\nHealth (both sides, NETLOGON and Kerberos, as "
		       "'adtrust verify'):\n");
	for (size_t i = 0; i < d->n_trusts; i++) {
		const struct model_trust *t = &d->trusts[i];
		struct health *h;

		if (t->ensure != MODEL_PRESENT)
			continue;
		r->health = xreallocarray(r->health, r->n_health + 1,
		                          sizeof(*r->health));
		h = &r->health[r->n_health++];
		memset(h, 0, sizeof(*h));
		h->t = t;
		h->sides = sides_problem(st, t);
		if (h->sides != NULL && !json) {
			char *e = esc_str(h->sides);

			printf("  FAIL  %s:%s  sides     %s\n", t->trusting,
			       t->trusted, e);
			free(e);
		}
		cmd_check_trusts(d, &t, 1, &co, r->checks, &h->c);
		if (h->sides != NULL || h->c.fail > 0)
			r->n_unhealthy++;
	}
	if (json)
		return;
	if (r->n_unhealthy == 0) {
		printf("All %zu trust%s healthy.\n", r->n_health,
		       r->n_health == 1 ? "" : "s");
		return;
	}
	printf("Unhealthy (drift even if every attribute matches):\n");
	for (size_t i = 0; i < r->n_health; i++) {
		const struct health *h = &r->health[i];

		if (h->sides == NULL && h->c.fail == 0)
			continue;
		char *e = esc_str(h->sides ? h->sides : "");

		printf("  ! %s:%s: %s%s%zu check%s failed\n", h->t->trusting,
		       h->t->trusted, e, h->sides ? "; " : "", h->c.fail,
		       h->c.fail == 1 ? "" : "s");
		free(e);
	}
}

static int
read_live(struct model_state *st, const struct model *conn,
          const struct model *also, const char *snapshot, struct err *err)
{
	struct prov_cfg cfg = {
	        .model = conn, .snapshot_dir = snapshot, .trace = cmd_trace()};
	char **a = NULL, **b = NULL, **all;
	size_t na = 0, nb = 0, n = 0;
	int rc;

	if ((rc = rec_managed_domains(&a, &na, conn, err)) < 0)
		return rc;
	if (also != NULL && (rc = rec_managed_domains(&b, &nb, also, err)) < 0)
		goto out;
	all = xcalloc(na + nb + 1, sizeof(char *));
	for (size_t i = 0; i < na; i++)
		all[n++] = a[i];
	for (size_t i = 0; i < nb; i++) {
		bool dup = false;

		for (size_t j = 0; j < na; j++)
			dup = dup || strcasecmp(a[j], b[i]) == 0;
		if (!dup && model_domain_find(conn, b[i]) != NULL)
			all[n++] = b[i];
	}
	rc = cmd_read_state(st, &cfg, (const char *const *)all, n, err);
	free(all);
out:
	rec_names_free(a);
	rec_names_free(b);
	return rc;
}

int
cmd_drift(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"snapshot", required_argument, NULL, 's'},
	        {"json", no_argument, NULL, 'j'},
	        {"metrics", required_argument, NULL, 'm'},
	        {"state-dir", required_argument, NULL, 'S'},
	        {"verify", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *file = "trusts.yaml", *snapshot = NULL, *mfile = NULL,
	           *sdir = NULL;
	struct model *d = NULL, *a = NULL;
	struct model_state st;
	struct plan pd, pa;
	struct rec_opts ro = {0};
	struct report r = {0};
	struct diags dg;
	struct cmd_desired info = {0};
	char *atext = NULL;
	bool json = false, verify = false;
	struct model_secret_cache *sc = NULL;
	struct err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			snapshot = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'm':
			mfile = optarg;
			break;
		case 'S':
			sdir = optarg;
			break;
		case 'V':
			verify = true;
			break;
		case 'h':
			printf("usage: adtrust drift [-f FILE] [--snapshot "
			       "DIR] "
			       "[--json] [--metrics FILE] [--state-dir DIR] "
			       "[--verify]\n"
			       "Read-only.  --verify adds each trust's health: "
			       "both sides present and\nconsistent, NETLOGON "
			       "and Kerberos checks as 'adtrust verify'.\n"
			       "Exit 0: no drift; 2: drift, pending changes or "
			       "an unhealthy trust;\n1: error.\n");
			return 0;
		default:
			return cmd_usage("drift", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage("drift", "unexpected argument '%s'",
		                 argv[optind]);
	if (verify && snapshot != NULL)
		return cmd_usage("drift", "--verify checks the live trusts: "
		                          "it does not go with --snapshot");
	err_init(&err);
	diags_init(&dg);
	model_state_init(&st);
	plan_init(&pd);
	plan_init(&pa);
	if ((rc = cmd_load_desired(&d, &info, file, &err)) < 0)
		goto fail;
	rc = cmd_applied_text(&atext, &info, file, state_dir(sdir), &err);
	if (rc == 0) {
		diags_release(&dg);
		rc = model_load_buf(&a, "the last applied state", atext,
		                    strlen(atext), &dg, &err);
		if (rc < 0)
			goto fail;
	} else if (rc != ERR_NOTFOUND) {
		goto fail;
	}
	if ((rc = read_live(&st, d, a, snapshot, &err)) < 0)
		goto fail;
	ro.today = getenv("ADTRUST_TODAY");
	if ((rc = rec_diff(&pd, d, &st, &ro, &err)) < 0)
		goto fail;
	if (a != NULL) {
		ro.ignores = d;
		ro.skip_unread = true; /* a domain the file no longer names */
		ro.skip_identity = true;
		if ((rc = rec_diff(&pa, a, &st, &ro, &err)) < 0)
			goto fail;
		findings(&r.drift, &r.n_drift, &pa, NULL);
		findings(&r.pending, &r.n_pending, &pd, &pa);
	} else {
		findings(&r.drift, &r.n_drift, &pd, NULL);
	}
	if (snapshot == NULL && (rc = journals(&r, &pd, sdir, &err)) < 0)
		goto fail;
	if (!json)
		text(stdout, &r, &pd, a != NULL ? a->sha256 : NULL);
	if (verify) {
		fflush(stdout);
		sc = model_secret_cache_new();
		check_health(&r, d, &st, sc, json);
	}
	if (json)
		json_out(stdout, &r, &pd, a != NULL ? a->sha256 : NULL);
	if (mfile != NULL && (rc = metrics(mfile, &r, &pd, true, &err)) < 0)
		goto fail;
	rc = r.n_drift + r.n_pending + r.n_interrupted + r.n_unhealthy > 0
	             ? EXIT_CHANGES
	             : 0;
	goto out;
fail:
	cmd_error(&err);
	if (mfile != NULL) {
		struct err e2;

		err_init(&e2);
		if (metrics(mfile, &r, &pd, false, &e2) < 0)
			cmd_error(&e2);
	}
	rc = 1;
out:
	for (size_t i = 0; i < r.n_health; i++)
		free(r.health[i].sides);
	free(r.health);
	json_decref(r.checks);
	model_secret_cache_free(sc);
	free(r.drift);
	free(r.pending);
	rec_leftovers_release(&r.left);
	free(atext);
	cmd_desired_release(&info);
	plan_release(&pd);
	plan_release(&pa);
	model_state_release(&st);
	model_free(d);
	model_free(a);
	diags_release(&dg);
	return rc;
}
