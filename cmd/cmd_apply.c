/*
 * adtrust apply [-f FILE] [--auto-approve] [--allow-destroy] [--timeout SEC]
 * Plans against the live directories (LDAP), shows the plan, asks for 'yes'
 * on a terminal, then applies it: AD sides over LSA, the MIT half of realm
 * trusts through kadmind (kadm5).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	       "                     [--no-git-check] [--no-verify]\n\n"
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
check_kerberos(const struct cmd_session *s)
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
	if (n > 0) {
		printf("\nChecking Kerberos across the trusts written:\n");
		cmd_check_trusts(s->model, ts, n, &co, NULL, &c);
	}
	free(ts);
	return c.fail;
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
	bool auto_approve = false, git_check = true;
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
	src.state_dir = state_dir(sdir);
	rc = saved != NULL ? cmd_session_saved(&s, saved, src.allow_destroy,
	                                       git_check, src.state_dir, &err)
	                   : cmd_session_plan(&s, &src, &err);
	if (rc < 0)
		goto fail;
	if (rekey != NULL &&
	    (rc = rec_plan_rekey(&s.plan, rekey, src.allow_destroy, &err)) < 0)
		goto fail;
	if ((rc = plan_render_text.render(
	             stdout, &s.plan, cmd_g.colour ? PLAN_RENDER_COLOUR : 0u,
	             &err)) < 0)
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
		cmd_session_release(&s);
		return 0;
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
		printf("Apply cancelled; nothing was changed.\n");
		cmd_session_release(&s);
		return 1;
	}
	printf("\n");
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
		cmd_session_release(&s);
		return 128 + cmd_stop; /* what the shell reports for a signal */
	}
	if (rc < 0)
		goto fail;
	if (!no_verify)
		failed += check_kerberos(&s);
	printf("\nApply complete: %zu created, %zu updated, %zu replaced, %zu "
	       "deleted; the live trusts now match '%s'.\n",
	       s.plan.n_create, s.plan.n_update, s.plan.n_replace,
	       s.plan.n_delete, s.plan.source_path);
	cmd_session_release(&s);
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
	cmd_session_release(&s);
	return 1;
}
