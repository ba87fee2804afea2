/*
 * adtrust audit [-f FILE] [--snapshot DIR] [--json] [--sarif FILE]
 *               [--metrics FILE] [--graph FILE] [--fail-on SEVERITY]
 *               [--enable RULE]... [--disable RULE]... [--allow DOMAIN]...
 *               [--max-secret-age DAYS] [--rules]
 * Read-only: the risk rules of reconcile/audit_rules.c over every trusted
 * domain object read, managed by a file or not.  Live: every AD domain
 * FILE names with an ldap: URI, over LDAP with its credentials.  Offline
 * (--snapshot): every domain the snapshot holds; FILE, when given, adds
 * its policy and YAML positions.  A desired state's policy enables its
 * enforced rules, its allow-list and secret age, and its waivers mark
 * findings waived.  Exit 0: nothing at or above --fail-on (default low);
 * 2: findings; 1: error; 64: usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "providers/prov.h"
#include "reconcile/audit.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

struct strs {
	const char **v;
	size_t n;
};

static void
push(struct strs *s, const char *x)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = x;
}

static void
rules_list(void)
{
	for (size_t i = 0; i < rec_n_rules; i++) {
		const struct rec_rule *r = &rec_rules[i];

		printf("%s  %-27s %-8s %s%s\n        %s\n", r->id, r->name,
		       rec_severity_name(r->severity), r->title,
		       r->default_on ? "" : " (off by default)", r->references);
	}
}

/* "2026-11-30" from ADTRUST_TODAY (tests), else today (UTC). */
static void
today(char out[11], long long *now)
{
	const char *t = getenv("ADTRUST_TODAY");
	struct tm tm;
	time_t x = time(NULL);

	memset(&tm, 0, sizeof(tm));
	if (t != NULL && sscanf(t, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	                        &tm.tm_mday) == 3) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		x = timegm(&tm);
	} else {
		gmtime_r(&x, &tm);
	}
	strftime(out, 11, "%Y-%m-%d", &tm);
	*now = (long long)x;
}

/* The AD domains of m that name an LDAP server. */
static char **
live_domains(const struct model *m, size_t *n)
{
	char **v = xcalloc(m->n_domains + 1, sizeof(char *));

	*n = 0;
	for (unsigned i = 0; i < m->n_domains; i++) {
		const struct model_domain *d = &m->domains[i];

		if (d->kind != MODEL_KIND_AD || d->ldap == NULL) {
			fprintf(stderr,
			        "adtrust: note: '%s' is not read (%s)\n",
			        d->name,
			        d->kind != MODEL_KIND_AD ? "an MIT realm"
			                                 : "no ldap: URI");
			continue;
		}
		v[(*n)++] = d->name;
	}
	return v;
}

/*
 * The SVG of the DOT file at path, when Graphviz's dot is installed:
 * written next to it (.svg), through the safe writer.  ERR_NOTFOUND when
 * dot is not there.
 */
static int
svg(const char *dotpath, struct err *err)
{
	const char *dot = strrchr(dotpath, '.');
	char *out = NULL, buf[8192];
	struct sbuf sb;
	int fds[2], status = 0, rc = 0;
	pid_t pid;
	ssize_t got;

	if (dot != NULL &&
	    (strcmp(dot, ".dot") == 0 || strcmp(dot, ".gv") == 0))
		out = xasprintf("%.*s.svg", (int)(dot - dotpath), dotpath);
	else
		out = xasprintf("%s.svg", dotpath);
	if (pipe(fds) < 0) {
		rc = err_set_errno(err, ERR_IO, "pipe");
		goto out;
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		rc = err_set_errno(err, ERR_IO, "fork");
		goto out;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("dot", "dot", "-Tsvg", dotpath, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(fds[1]);
	sbuf_init(&sb);
	while ((got = read(fds[0], buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, (size_t)got);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = err_set(err, ERR_NOTFOUND, "dot is not installed");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || sb.len == 0)
		rc = err_set(err, ERR_FAIL, "dot could not render '%s'",
		             dotpath);
	else
		rc = cmd_write_file(out, sb.buf, sb.len, 0644, err);
	sbuf_release(&sb);
	if (rc == 0 && !cmd_g.quiet)
		fprintf(stderr, "adtrust: wrote %s and %s\n", dotpath, out);
out:
	free(out);
	return rc;
}

static int
write_json(const char *path, json_t *j, struct err *err)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	struct sbuf sb;
	int rc;

	sbuf_init(&sb);
	sbuf_adds(&sb, s);
	sbuf_addch(&sb, '\n');
	free(s);
	rc = cmd_write_file(path, sb.buf, sb.len, 0644, err);
	sbuf_release(&sb);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"snapshot", required_argument, NULL, 's'},
	        {"json", no_argument, NULL, 'j'},
	        {"sarif", required_argument, NULL, 'S'},
	        {"metrics", required_argument, NULL, 'm'},
	        {"graph", required_argument, NULL, 'g'},
	        {"fail-on", required_argument, NULL, 'F'},
	        {"enable", required_argument, NULL, 'e'},
	        {"disable", required_argument, NULL, 'd'},
	        {"allow", required_argument, NULL, 'a'},
	        {"max-secret-age", required_argument, NULL, 'A'},
	        {"rules", no_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *file = NULL, *snapshot = NULL, *sarif = NULL, *mfile = NULL,
	           *graph = NULL;
	struct strs en = {0}, dis = {0}, allow = {0};
	struct rec_audit_opts o = {0}, po;
	struct rec_audit a = {0};
	struct rec_audit_view view = {0};
	struct cmd_desired info = {0};
	struct model *m = NULL;
	struct model_state st;
	struct prov_cfg cfg = {0};
	struct sbuf sb;
	char **names = NULL, day[11], *end;
	size_t n_names = 0;
	int c, rc, fail_on = REC_SEV_LOW;
	unsigned long age = 0;
	bool json = false, ok = false;
	long long now;
	struct err err;

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
		case 'S':
			sarif = optarg;
			break;
		case 'm':
			mfile = optarg;
			break;
		case 'g':
			graph = optarg;
			break;
		case 'F':
			if ((fail_on = rec_severity_parse(optarg)) < 0)
				return cmd_usage(
				        "audit",
				        "--fail-on takes info, low, "
				        "medium, high or critical, not "
				        "'%s'",
				        optarg);
			break;
		case 'e':
		case 'd':
			if (rec_rule_find(optarg) == NULL)
				return cmd_usage("audit",
				                 "unknown rule '%s' ('adtrust "
				                 "audit --rules' lists them)",
				                 optarg);
			push(c == 'e' ? &en : &dis, optarg);
			break;
		case 'a':
			push(&allow, optarg);
			break;
		case 'A':
			errno = 0;
			age = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || age == 0 ||
			    age > 36500)
				return cmd_usage("audit",
				                 "--max-secret-age takes days "
				                 "(1 to 36500), not '%s'",
				                 optarg);
			break;
		case 'r':
			rules_list();
			return 0;
		case 'h':
			printf("usage: adtrust audit [-f FILE] [--snapshot "
			       "DIR] "
			       "[--json] [--sarif FILE]\n"
			       "         [--metrics FILE] [--graph FILE.dot] "
			       "[--fail-on SEVERITY]\n"
			       "         [--enable RULE] [--disable RULE] "
			       "[--allow DOMAIN] [--max-secret-age DAYS]\n"
			       "         [--rules]\n"
			       "Read-only risk audit of every trusted domain "
			       "object read: the domains FILE\nnames (LDAP), "
			       "or "
			       "every domain of a snapshot.  --rules lists the "
			       "rules.\n"
			       "Exit 0: no finding at or above --fail-on "
			       "(default low); 2: findings;\n1: error.\n");
			return 0;
		default:
			return cmd_usage("audit", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage("audit", "unexpected argument '%s'",
		                 argv[optind]);
	if (file == NULL && snapshot == NULL)
		file = "trusts.yaml";
	err_init(&err);
	model_state_init(&st);
	sbuf_init(&sb);
	today(day, &now);
	if (file != NULL && (rc = cmd_load_desired(&m, &info, file, &err)) < 0)
		goto fail;
	rec_audit_opts_from_policy(&po, m);
	for (size_t i = 0; i < po.n_enable; i++)
		push(&en, po.enable[i]);
	for (size_t i = 0; i < po.n_allow; i++)
		push(&allow, po.allow[i]);
	o.enable = en.v;
	o.n_enable = en.n;
	o.disable = dis.v;
	o.n_disable = dis.n;
	o.allow = allow.v;
	o.n_allow = allow.n;
	o.max_secret_age_days =
	        age > 0 ? (unsigned)age : po.max_secret_age_days;
	o.now = now;
	cfg.model = m;
	cfg.snapshot_dir = snapshot;
	cfg.trace = cmd_trace();
	if (snapshot == NULL)
		names = live_domains(m, &n_names);
	if ((rc = cmd_read_state(&st, &cfg, (const char *const *)names, n_names,
	                         &err)) < 0)
		goto fail;
	rec_audit_run(&a, &st, &o);
	rec_audit_waive(&a, m, day);
	ok = true;
	view.state = &st;
	view.model = m;
	view.snapshot = snapshot;
	view.opts = &o;
	view.colour = cmd_g.colour && !json;
	if (json) {
		json_t *j = rec_audit_json(&a, &view);

		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		rec_audit_text(&sb, &a, &view);
		fputs(sb.buf, stdout);
		sbuf_reset(&sb);
	}
	if (sarif != NULL) {
		json_t *j = rec_audit_sarif(&a, &view);

		rc = write_json(sarif, j, &err);
		json_decref(j);
		if (rc < 0)
			goto fail;
	}
	if (graph != NULL) {
		struct err e2;

		rec_audit_dot(&sb, &a, &view);
		if ((rc = cmd_write_file(graph, sb.buf, sb.len, 0644, &err)) <
		    0)
			goto fail;
		sbuf_reset(&sb);
		err_init(&e2);
		if (svg(graph, &e2) < 0)
			fprintf(stderr, "adtrust: note: no SVG: %s\n", e2.msg);
	}
	if (mfile != NULL) {
		rec_audit_metrics(&sb, &a, true, now);
		if ((rc = cmd_write_file(mfile, sb.buf, sb.len, 0644, &err)) <
		    0)
			goto fail;
	}
	rc = rec_audit_count(&a, (enum rec_severity)fail_on) > 0 ? EXIT_CHANGES
	                                                         : 0;
	goto out;
fail:
	cmd_error(&err);
	if (mfile != NULL && !ok) {
		struct err e2;

		err_init(&e2);
		sbuf_reset(&sb);
		rec_audit_metrics(&sb, &a, false, now);
		if (cmd_write_file(mfile, sb.buf, sb.len, 0644, &e2) < 0)
			cmd_error(&e2);
	}
	rc = 1;
out:
	free(names);
	free(en.v);
	free(dis.v);
	free(allow.v);
	rec_audit_release(&a);
	model_state_release(&st);
	cmd_desired_release(&info);
	model_free(m);
	sbuf_release(&sb);
	return rc;
}
