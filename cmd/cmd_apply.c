/*
 * adtrust apply [-f FILE] [--auto-approve] [--allow-destroy] [--timeout SEC]
 * Plans against the live directories (LDAP), shows the plan, asks for 'yes'
 * on a terminal, then applies it: AD sides over LSA, the MIT half of realm
 * trusts through kadmind (kadm5).  --json: the plan, each step's fate and
 * a summary as one JSON document on stdout (docs/json.md); the text goes
 * to stderr then.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/state.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

static void
help(void)
{
	printf("usage: adtrust apply [-f FILE | PLAN.json] [--auto-approve] "
	       "[--rekey TRUSTING:TRUSTED]\n"
	       "                     [--allow-destroy] [--timeout SEC] "
	       "[--lock-timeout SEC] [--state-dir DIR]\n"
	       "                     [--no-git-check] [--no-verify] "
	       "[--json]\n\n"
	       "Shows the plan for FILE (default trusts.yaml) against the live "
	       "domains, asks for\n'yes' on a terminal, and applies it over "
	       "LSA.  Without a terminal --auto-approve\nis required.  A "
	       "protected trust is deleted or replaced only with "
	       "--allow-destroy.\n"
	       "With PLAN.json (from 'adtrust plan -o') it applies exactly "
	       "that plan and refuses\nif anything it read has changed since.  "
	       "Each domain is locked for the run\n(--lock-timeout SEC, "
	       "default "
	       "60; locks and the record of what was applied live\nin "
	       "--state-dir, default $ADTRUST_STATE_DIR or "
	       "/var/lib/adtrust).\n");
	printf("--rekey TRUSTING:TRUSTED gives the trust a new shared secret "
	       "(netdom /reset):\nits existing sides are replaced.\n");
	printf("--no-git-check applies a saved plan from git on its sha256 "
	       "alone.\n--no-verify skips the secure-channel reset and check "
	       "after a trust's secret changed.\n"
	       "Every write is journaled in the state directory; SIGINT, "
	       "SIGTERM and SIGHUP stop\nthe run between steps and settle "
	       "the trust in progress (rolled back, or finished\nwhen its "
	       "old secret is gone); a run that died is repaired by the next "
	       "apply.\n");
	printf("--json prints the plan, each step's fate and a summary as "
	       "one JSON document;\nthe text plan and report go to stderr "
	       "then.\n");
}

static bool
confirm(void)
{
	char line[16];
	FILE *tty;
	bool yes = false;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return false;
	fputs("\nDo you want to apply these changes? Only 'yes' is accepted: ",
	      tty);
	fflush(tty);
	if (fgets(line, sizeof(line), tty) != NULL)
		yes = strcmp(line, "yes\n") == 0;
	fclose(tty);
	return yes;
}

/*
 * After the writes: a Kerberos service ticket across each permitted
 * direction of every trust this run created or replaced on both sides
 * (NETLOGON was checked by the writer right after the secure-channel
 * reset).  Returns the number of failed checks.
 */
static size_t
check_kerberos(const struct cmd_session *s, FILE *text, struct rec_report *rp)
{
	const struct model_trust **ts = NULL;
	struct cmd_check_opts co = {
	        .kerberos_only = true,
	        .selective_is_skip = true,
	        .indent = "  ",
	        .secrets = s->secrets,
	};
	struct cmd_check_counts c = {0};
	size_t n = 0;

	for (size_t i = 0; i < s->plan.n_items; i++) {
		const struct plan_item *it = &s->plan.items[i];
		const struct model_trust *t;
		bool seen = false;

		if ((it->action != PLAN_CREATE && it->action != PLAN_REPLACE) ||
		    it->trust_index < 0 ||
		    (size_t)it->trust_index >= s->model->n_trusts)
			continue;
		t = &s->model->trusts[it->trust_index];
		/* the wizard's side: the trust works once the partner's
		 * file is applied too ('adtrust verify' then) */
		if (t->sides != MODEL_SIDES_BOTH)
			continue;
		for (size_t k = 0; k < n; k++)
			seen = seen || ts[k] == t;
		if (seen)
			continue;
		ts = xreallocarray(ts, n + 1, sizeof(*ts));
		ts[n++] = t;
	}
	if (n > 0 && rp == NULL) {
		fprintf(text,
		        "\nChecking Kerberos across the trusts written:\n");
		cmd_check_trusts(s->model, ts, n, &co, NULL, &c);
	} else if (n > 0) {
		json_t *checks = json_array(), *o;
		size_t i;

		cmd_check_trusts(s->model, ts, n, &co, checks, &c);
		json_array_foreach(checks, i, o)
		{
			const char *st =
			        json_string_value(json_object_get(o, "status"));

			rec_report_add(rp,
			               json_string_value(
			                       json_object_get(o, "trusting")),
			               json_string_value(
			                       json_object_get(o, "trusted")),
			               NULL, NULL, "kerberos",
			               st != NULL && strcmp(st, "ok") == 0
			                       ? REC_FATE_VERIFIED
			               : st != NULL && strcmp(st, "fail") == 0
			                       ? REC_FATE_FAILED
			                       : REC_FATE_NOTE,
			               json_string_value(
			                       json_object_get(o, "detail")));
			/* the check's own details, as verify --json has them */
			json_object_set(
			        json_array_get(rp->steps,
			                       json_array_size(rp->steps) - 1),
			        "check", o);
		}
		json_decref(checks);
	}
	free(ts);
	return c.fail;
}

/* Whether a record's value v (NULL: none) matches want (NULL: any). */
static bool
match(const char *v, const char *want)
{
	return want == NULL || (v != NULL && strcmp(v, want) == 0);
}

/* How many records of the report match action, step and fate (NULL: any). */
static size_t
count(const struct rec_report *rp, const char *action, const char *step,
      const char *fate)
{
	size_t n = 0, i;
	json_t *o;

	json_array_foreach(rp->steps, i, o)
	{
		const char *a = json_string_value(json_object_get(o, "action"));
		const char *st = json_string_value(json_object_get(o, "step"));
		const char *f = json_string_value(json_object_get(o, "fate"));

		if (match(a, action) && match(st, step) && match(f, fate))
			n++;
	}
	return n;
}

/*
 * apply --json: {format_version, adtrust_version, plan, report, summary,
 * ok, error}.  The counts are what was written and stayed (a create
 * rolled back is no create).
 */
static int
print_json(const struct plan *p, struct rec_report *rp, size_t failed, int sig,
           bool ok, const struct err *e)
{
	json_t *doc = cmd_json_new(), *sum = json_object();
	struct err werr;
	json_object_set_new(doc, "plan", plan_json_new(p));
	json_object_set(doc, "report", rp->steps);
	json_object_set_new(
	        sum, "created",
	        json_integer(
	                (json_int_t)(count(rp, "create", "create", "done") -
	                             count(rp, "create", "undo-create",
	                                   "undone"))));
	json_object_set_new(
	        sum, "updated",
	        json_integer(
	                (json_int_t)(count(rp, "update", "update", "done") -
	                             count(rp, "update", "undo-update",
	                                   "undone"))));
	json_object_set_new(sum, "replaced",
	                    json_integer((json_int_t)count(rp, "replace",
	                                                   "create", "done")));
	json_object_set_new(sum, "deleted",
	                    json_integer((json_int_t)count(rp, "delete",
	                                                   "delete", "done")));
	json_object_set_new(sum, "failed_checks",
	                    json_integer((json_int_t)failed));
	json_object_set_new(
	        sum, "incomplete",
	        json_integer((json_int_t)count(rp, NULL, NULL, "incomplete")));
	json_object_set_new(sum, "interrupted_by_signal",
	                    sig != 0 ? json_integer(sig) : json_null());
	json_object_set(sum, "unusable_seconds", rp->unusable);
	json_object_set_new(doc, "summary", sum);
	json_object_set_new(doc, "ok", json_boolean(ok));
	json_object_set_new(doc, "error",
	                    e != NULL && e->msg[0] != '\0' ? json_string(e->msg)
	                                                   : json_null());
	err_init(&werr);
	if (cmd_json_print(doc, &werr) < 0) {
		cmd_error(&werr);
		return -1;
	}
	return 0;
}

int
cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"auto-approve", no_argument, NULL, 'y'},
	        {"allow-destroy", no_argument, NULL, 'a'},
	        {"timeout", required_argument, NULL, 't'},
	        {"lock-timeout", required_argument, NULL, 'l'},
	        {"state-dir", required_argument, NULL, 'S'},
	        {"rekey", required_argument, NULL, 'k'},
	        {"no-git-check", no_argument, NULL, 'G'},
	        {"no-verify", no_argument, NULL, 'V'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct cmd_source src = {.file = "trusts.yaml"};
	struct rec_apply_opts ao = {.report = stdout};
	struct prov_cfg wc = {.timeout_ms = 60000};
	struct prov *writer = NULL, *kwriter = NULL;
	bool no_verify = false;
	size_t failed = 0;
	struct cmd_session s;
	const char *saved = NULL, *sdir = NULL, *rekey = NULL;
	struct state_locks locks = {0};
	unsigned lock_timeout = 60;
	bool auto_approve = false, git_check = true, json = false;
	bool have_plan = false;
	struct rec_report rp;
	FILE *text = stdout;
	struct err err;
	char *end;
	long t;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			src.file = optarg;
			break;
		case 'y':
			auto_approve = true;
			break;
		case 'a':
			src.allow_destroy = true;
			break;
		case 't':
			t = strtol(optarg, &end, 10);
			if (*end != '\0' || t <= 0 || t > 3600)
				return cmd_usage("apply",
				                 "--timeout takes seconds "
				                 "(1..3600)");
			wc.timeout_ms = (unsigned)t * 1000u;
			break;
		case 'l':
			t = strtol(optarg, &end, 10);
			if (*end != '\0' || t < 0 || t > 86400)
				return cmd_usage(
				        "apply",
				        "--lock-timeout takes seconds");
			lock_timeout = (unsigned)t;
			break;
		case 'S':
			sdir = optarg;
			break;
		case 'k':
			rekey = optarg;
			if (strchr(rekey, ':') == NULL || *rekey == ':' ||
			    rekey[strlen(rekey) - 1] == ':')
				return cmd_usage(
				        "apply",
				        "--rekey takes TRUSTING:TRUSTED");
			break;
		case 'G':
			git_check = false;
			break;
		case 'V':
			no_verify = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cmd_usage("apply", "unknown option");
		}
	}
	if (optind + 1 < argc)
		return cmd_usage("apply", "give at most one saved plan");
	if (optind < argc)
		saved = argv[optind];
	if (saved != NULL && rekey != NULL)
		return cmd_usage("apply", "--rekey goes with -f FILE: a saved "
		                          "plan is applied as it was reviewed");
	if (!auto_approve && !isatty(STDIN_FILENO))
		return cmd_usage("apply",
		                 "no terminal to confirm on: pass "
		                 "--auto-approve to apply without asking");
	/*
	 * Line by line: what a run killed by SIGKILL or a lost terminal
	 * already wrote (the plan, each step) is in the log, not in a buffer.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	err_init(&err);
	rec_report_init(&rp);
	if (json) {
		/* stdout holds the JSON only; the text is for a human */
		text = stderr;
		ao.report = stderr;
		ao.event = rec_report_event;
		ao.event_ctx = &rp;
	}
	src.state_dir = state_dir(sdir);
	rc = saved != NULL ? cmd_session_saved(&s, saved, src.allow_destroy,
	                                       git_check, src.state_dir, &err)
	                   : cmd_session_plan(&s, &src, &err);
	if (rc < 0)
		goto fail;
	have_plan = true;
	if (rekey != NULL &&
	    (rc = rec_plan_rekey(&s.plan, rekey, src.allow_destroy, &err)) < 0)
		goto fail;
	if ((rc = plan_render_text.render(
	             text, &s.plan,
	             cmd_g.colour && !json ? PLAN_RENDER_COLOUR : 0u, &err)) <
	    0)
		goto fail;
	if (plan_is_noop(&s.plan)) {
		struct err rec;

		/*
		 * Nothing to do, but this is now what was applied: recorded
		 * under the locks, if nothing moved meanwhile.
		 */
		err_init(&rec);
		if (state_locks_take(&locks, state_dir(sdir), s.plan.domains,
		                     s.plan.n_domains, lock_timeout,
		                     &rec) < 0 ||
		    cmd_session_recheck(&s, &rec) < 0 ||
		    cmd_record_applied(&s.plan, state_dir(sdir), &rec) < 0)
			fprintf(stderr,
			        "adtrust: warning: could not record the apply: "
			        "%s\n",
			        rec.msg);
		state_locks_release(&locks);
		rc = json ? print_json(&s.plan, &rp, 0, 0, true, NULL) : 0;
		cmd_session_release(&s);
		rec_report_release(&rp);
		return rc < 0 ? 1 : 0;
	}
	for (size_t i = 0; i < s.plan.n_items; i++)
		if (s.plan.items[i].blocked) {
			err_set(&err, ERR_DENIED,
			        "'%s' is protected: its %s needs "
			        "--allow-destroy; nothing was applied",
			        s.plan.items[i].address,
			        plan_action_name(s.plan.items[i].action));
			goto fail;
		}
	if (!auto_approve && !confirm()) {
		fprintf(text, "Apply cancelled; nothing was changed.\n");
		if (json) {
			err_set(&err, ERR_DENIED,
			        "apply cancelled; nothing was changed");
			print_json(&s.plan, &rp, 0, 0, false, &err);
		}
		cmd_session_release(&s);
		rec_report_release(&rp);
		return 1;
	}
	fprintf(text, "\n");
	rc = state_locks_take(&locks, state_dir(sdir), s.plan.domains,
	                      s.plan.n_domains, lock_timeout, &err);
	if (rc < 0)
		goto fail;
	/* the plan was made before the locks were ours: check once more */
	if ((rc = cmd_session_recheck(&s, &err)) < 0) {
		state_locks_release(&locks);
		goto fail;
	}
	wc.model = s.model;
	wc.secrets = s.secrets;
	wc.trace = cmd_trace();
	if ((rc = prov_open(&writer, &prov_lsa_ops, &wc, &err)) < 0 ||
	    (rc = prov_open(&kwriter, &prov_kadm_ops, &wc, &err)) < 0) {
		prov_close(writer);
		state_locks_release(&locks);
		goto fail;
	}
	ao.writer = writer;
	ao.realm_writer = kwriter; /* the MIT half of realm trusts */
	ao.journal_dir = state_dir(sdir);
	ao.leftovers = &s.leftovers;
	ao.no_verify = no_verify;
	ao.failed_checks = &failed;
	ao.stop = &cmd_stop;
	/* from here a signal stops the run between steps, never inside one */
	cmd_signals_catch(true);
	rc = rec_apply(&s.plan, s.model, &ao, &err);
	prov_close(writer);
	prov_close(kwriter);
	cmd_signals_catch(false);
	if (rc == 0) {
		struct err rec;

		/* the trusts did change: a missing record is only a warning */
		err_init(&rec);
		if (cmd_record_applied(&s.plan, state_dir(sdir), &rec) < 0)
			fprintf(stderr,
			        "adtrust: warning: the apply succeeded but "
			        "could not be recorded (drift will compare "
			        "with the desired state): %s\n",
			        rec.msg);
	}
	state_locks_release(&locks);
	if (rc < 0 && cmd_stop != 0) {
		cmd_error(&err);
		if (json)
			print_json(&s.plan, &rp, failed, cmd_stop, false, &err);
		cmd_session_release(&s);
		rec_report_release(&rp);
		return 128 + cmd_stop; /* what the shell reports for a signal */
	}
	if (rc < 0)
		goto fail;
	if (!no_verify)
		failed += check_kerberos(&s, text, json ? &rp : NULL);
	fprintf(text,
	        "\nApply complete: %zu created, %zu updated, %zu replaced, %zu "
	        "deleted; the live trusts now match '%s'.\n",
	        s.plan.n_create, s.plan.n_update, s.plan.n_replace,
	        s.plan.n_delete, s.plan.source_path);
	if (json && failed > 0)
		err_set(&err, ERR_FAIL,
		        "the changes were made, but %zu check%s of the trusts "
		        "written failed: they do not work yet",
		        failed, failed == 1 ? "" : "s");
	rc = json ? print_json(&s.plan, &rp, failed, 0, failed == 0, &err) : 0;
	cmd_session_release(&s);
	rec_report_release(&rp);
	if (rc < 0)
		return 1;
	if (failed > 0) {
		fprintf(stderr,
		        "adtrust: the changes were made, but %zu check%s of "
		        "the trusts written failed (FAIL/FAILED above): they "
		        "do not work yet; 'adtrust verify' tells more\n",
		        failed, failed == 1 ? "" : "s");
		return 1;
	}
	return 0;
fail:
	cmd_error(&err);
	if (json && have_plan)
		print_json(&s.plan, &rp, failed, 0, false, &err);
	cmd_session_release(&s);
	rec_report_release(&rp);
	return 1;
}
