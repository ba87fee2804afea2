/*
 * adtrust: keeps Active Directory trusts the way a YAML file says.
 * main() parses global options, dispatches to cmd_<verb> and checks that
 * stdout was written (a full disk is an error).  The only globals live here.
 */
#include <getopt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/err.h"
#include "util/trace.h"
#include "util/version.h"

struct cmd_global cmd_g;
volatile sig_atomic_t cmd_stop;

static void
on_stop(int sig)
{
	static const char msg[] = "\nadtrust: signal received: stopping after "
	                          "the current step, then settling the trust "
	                          "in progress\n";

	if (cmd_stop == 0) {
		ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);

		(void)w;
		cmd_stop = sig; /* the first one is what the exit reports */
	}
}

void
cmd_signals_catch(bool on)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sa.sa_flags = SA_RESTART; /* a step in flight completes */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/*
	 * A reader that went away (`apply | tee log` when the terminal
	 * closes) must not kill the run mid-trust: the report's writes
	 * fail instead, and the SIGHUP that comes with it settles the run.
	 */
	sa.sa_handler = on ? SIG_IGN : SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
}

struct cmd_spec {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	/*
	 * The command's options as its getopt table has them, for usage
	 * errors, "did you mean" and global options after the command:
	 * "[x|]long[=]", '=' when it takes an argument; NULL: none known.
	 * tests/cli/completion.sh checks them against cmd_<verb>.c, the
	 * completions and the man page.
	 */
	const char *opts;
};

static const struct cmd_spec cmds[] = {
        {"validate", cmd_validate, "check a desired-state file",
         "f|file= json h|help"},
        {"plan", cmd_plan, "show what apply would change",
         "f|file= snapshot= json o|out= detailed-exitcode allow-destroy "
         "git-dir= rev= state-dir= show-unchanged h|help"},
        {"apply", cmd_apply, "make the live trusts match the desired state",
         "f|file= auto-approve allow-destroy timeout= lock-timeout= "
         "state-dir= rekey= no-git-check no-verify json h|help"},
        {"show", cmd_show, "render a saved plan", "json show-unchanged h|help"},
        {"drift", cmd_drift, "report live changes and pending ones (read-only)",
         "f|file= snapshot= json metrics= state-dir= verify h|help"},
        {"export", cmd_export, "write a domain's live trusts as YAML",
         "d|domain= f|file= snapshot= json o|out= h|help"},
        {"verify", cmd_verify,
         "check that each trust works (NETLOGON and Kerberos)",
         "f|file= trust= json timeout= h|help"},
        {"audit", cmd_audit,
         "report risky trusts; SARIF, metrics, a graph (read-only)",
         "f|file= snapshot= json sarif= metrics= graph= fail-on= enable= "
         "disable= allow= max-secret-age= rules h|help"},
        {"version", NULL, "print the adtrust version", ""},
};

/* The verb being run and its arguments, for cmd_usage. */
static const struct cmd_spec *cur_cmd;
static char **cur_argv;

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: adtrust [--no-color] [-q] [-v] [--version] <command> "
	        "[options]\n\n"
	        "commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(fp, "\nglobal options (before or after the command):\n"
	            "  --no-color  no colour (also NO_COLOR=1, TERM=dumb or "
	            "not a terminal)\n"
	            "  -q, --quiet print less\n"
	            "  -v, --verbose\n"
	            "              log each LDAP, LSA and kadm5 step (server, "
	            "domain,\n"
	            "              duration) to stderr; never a secret\n"
	            "\nexit codes: 0 ok/no changes, 1 error, 2 changes or "
	            "drift pending, 64 usage\n"
	            "'adtrust <command> --help' describes a command; "
	            "man adtrust, man adtrust-yaml.\n");
}

static int
version(void)
{
	printf("adtrust %s\n", version_string());
	return 0;
}

/* One whole line per call: stderr is unbuffered and fprintf locks it. */
static void
trace_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "adtrust: %s\n", line);
}

const struct trace *
cmd_trace(void)
{
	static const struct trace t = {.fn = trace_stderr};

	return cmd_g.verbose ? &t : NULL;
}

void
cmd_error(const struct err *err)
{
	fputs("adtrust: ", stderr);
	err_print(err, stderr);
}

/* Optimal string alignment distance, capped: "did you mean" only. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[32][32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = a[i - 1] != b[j - 1],
			       v = d[i - 1][j - 1] + c;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* Close enough to be what was meant: a typo or two, not another word. */
static bool
near(const char *typed, const char *name)
{
	size_t n = strlen(name), dist = distance(typed, name);

	return dist <= (n < 5 ? 1 : 2) && dist < n;
}

/*
 * One option of a cmd_spec's opts: *name and *len its long name, *sh its
 * short letter or 0, *arg whether it takes an argument.  Returns the rest
 * of the string, or NULL at its end.
 */
static const char *
next_opt(const char *s, const char **name, size_t *len, char *sh, bool *arg)
{
	size_t n;

	while (s != NULL && *s == ' ')
		s++;
	if (s == NULL || *s == '\0')
		return NULL;
	n = strcspn(s, " ");
	*sh = 0;
	if (n > 2 && s[1] == '|') {
		*sh = s[0];
		s += 2;
		n -= 2;
	}
	*arg = s[n - 1] == '=';
	*name = s;
	*len = *arg ? n - 1 : n;
	return s + n;
}

/*
 * The long options of spec that the long option typed (without "--" and
 * "=value") selects as getopt_long does: an exact name, else a unique
 * prefix.  Returns how many matched; *arg tells whether the (last) match
 * takes an argument, and names lists them.
 */
static size_t
match_long(const struct cmd_spec *spec, const char *typed, size_t tlen,
           bool *arg, char *names, size_t size)
{
	const char *s = spec->opts, *name;
	size_t len, n = 0, used = 0;
	bool a;
	char sh;

	*arg = false;
	if (names != NULL && size > 0)
		names[0] = '\0';
	while ((s = next_opt(s, &name, &len, &sh, &a)) != NULL) {
		if (tlen > len || strncmp(name, typed, tlen) != 0)
			continue;
		if (tlen == len) {
			*arg = a;
			return 1;
		}
		*arg = a;
		n++;
		if (names != NULL && used < size)
			used += (size_t)snprintf(names + used, size - used,
			                         "%s--%.*s", n > 1 ? ", " : "",
			                         (int)len, name);
	}
	return n;
}

/* Whether the short option c of spec takes an argument (or is unknown). */
static bool
short_arg(const struct cmd_spec *spec, char c, bool *known)
{
	const char *s = spec->opts, *name;
	size_t len;
	bool a;
	char sh;

	*known = false;
	while ((s = next_opt(s, &name, &len, &sh, &a)) != NULL)
		if (sh == c) {
			*known = true;
			return a;
		}
	return false;
}

/* The option of spec nearest to typed, or NULL: "did you mean". */
static const char *
suggest_opt(const struct cmd_spec *spec, const char *typed, char *buf,
            size_t size)
{
	const char *s = spec->opts, *name;
	size_t len;
	bool a;
	char sh;

	while ((s = next_opt(s, &name, &len, &sh, &a)) != NULL) {
		snprintf(buf, size, "%.*s", (int)len, name);
		if (near(typed, buf))
			return buf;
	}
	return NULL;
}

/*
 * What getopt_long refused, in one sentence (opterr is 0: getopt prints
 * nothing itself).  optind has passed the offending word, except in the
 * middle of a cluster of short options (-xy).
 */
static void
describe_bad_option(char *out, size_t size)
{
	const char *word = optind > 0 ? cur_argv[optind - 1] : "";
	char names[256], typed[64], hint[64];
	size_t tlen;
	bool arg, known;

	if (strncmp(word, "--", 2) == 0) {
		tlen = strcspn(word + 2, "=");
		snprintf(typed, sizeof(typed), "%.*s", (int)tlen, word + 2);
		if (match_long(cur_cmd, word + 2, tlen, &arg, names,
		               sizeof(names)) > 1) {
			snprintf(out, size, "option '--%s' is ambiguous: %s",
			         typed, names);
		} else if (match_long(cur_cmd, word + 2, tlen, &arg, NULL, 0) ==
		           1) {
			snprintf(out, size,
			         arg ? "option '--%s' needs an argument"
			             : "option '--%s' takes no argument",
			         typed);
		} else if (suggest_opt(cur_cmd, typed, hint, sizeof(hint))) {
			snprintf(out, size,
			         "unknown option '--%s'; did you mean '--%s'?",
			         typed, hint);
		} else {
			snprintf(out, size, "unknown option '--%s'", typed);
		}
		return;
	}
	if (short_arg(cur_cmd, (char)optopt, &known) && known)
		snprintf(out, size, "option '-%c' needs an argument", optopt);
	else if (optopt > ' ' && optopt < 127)
		snprintf(out, size, "unknown option '-%c'", optopt);
	else
		snprintf(out, size, "unknown option '%s'", word);
}

int
cmd_usage(const char *verb, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	/* the verbs call it with this right after getopt_long's '?' */
	if (strcmp(fmt, "unknown option") == 0 && cur_cmd != NULL) {
		describe_bad_option(what, sizeof(what));
	} else {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "adtrust %s: %s (see 'adtrust %s --help')\n", verb,
	        what, verb);
	return EXIT_USAGE;
}

/*
 * Global options after the command (adtrust plan -q): taken out of argv
 * before the command parses it, up to "--", skipping option arguments.
 */
static int
take_globals(const struct cmd_spec *spec, int argc, char **argv)
{
	int n = 1;
	bool arg;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		bool known;

		if (strcmp(w, "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (strcmp(w, "--no-color") == 0 ||
		    strcmp(w, "--no-colour") == 0) {
			cmd_g.colour = false;
			continue;
		}
		if (strcmp(w, "-q") == 0 || strcmp(w, "--quiet") == 0) {
			cmd_g.quiet = true;
			continue;
		}
		if (strcmp(w, "-v") == 0 || strcmp(w, "--verbose") == 0) {
			cmd_g.verbose = true;
			continue;
		}
		argv[n++] = argv[i];
		/* the next word is this option's argument: keep it */
		if (strncmp(w, "--", 2) == 0 && strchr(w, '=') == NULL)
			arg = match_long(spec, w + 2, strlen(w + 2), &arg, NULL,
			                 0) == 1 &&
			      arg;
		else if (w[0] == '-' && w[1] != '-' && w[1] != '\0' &&
		         w[2] == '\0')
			arg = short_arg(spec, w[1], &known);
		else
			arg = false;
		if (arg && i + 1 < argc)
			argv[n++] = argv[++i];
	}
	argv[n] = NULL;
	return n;
}

static bool
want_colour(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
	       term != NULL && *term != '\0' && strcmp(term, "dumb") != 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"no-color", no_argument, NULL, 'n'},
	        {"no-colour", no_argument, NULL, 'n'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"verbose", no_argument, NULL, 'v'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	const struct cmd_spec *spec = NULL;
	const char *hint = NULL;
	int c, rc = EXIT_USAGE;

	/* secrets pass through memory: never into a core file */
	{
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	cmd_g.colour = want_colour();
	opterr = 0; /* every usage error is one line of ours */
	while ((c = getopt_long(argc, argv, "+qvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cmd_g.colour = false;
			break;
		case 'q':
			cmd_g.quiet = true;
			break;
		case 'v':
			cmd_g.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return version();
		default:
			if (optopt != 0 && optopt != 'n' && optopt != 'V')
				fprintf(stderr,
				        "adtrust: unknown option '-%c' (see "
				        "'adtrust --help')\n",
				        optopt);
			else
				fprintf(stderr,
				        "adtrust: unknown option '%s' (see "
				        "'adtrust --help'; command options go "
				        "after the command)\n",
				        argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name) == 0)
			spec = &cmds[i];
		else if (hint == NULL && near(argv[optind], cmds[i].name))
			hint = cmds[i].name;
	}
	if (spec == NULL) {
		if (hint != NULL)
			fprintf(stderr,
			        "adtrust: unknown command '%s'; did you mean "
			        "'%s'?\n",
			        argv[optind], hint);
		else
			fprintf(stderr,
			        "adtrust: unknown command '%s' (see 'adtrust "
			        "--help')\n",
			        argv[optind]);
		return EXIT_USAGE;
	}
	if (spec->fn == NULL)
		return version();
	argv += optind;
	argc = take_globals(spec, argc - optind, argv);
	optind = 0;
	cur_cmd = spec;
	cur_argv = argv;
	rc = spec->fn(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("adtrust: cannot write to standard output");
		return 1;
	}
	return rc;
}
