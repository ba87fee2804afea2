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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/err.h"

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
}

struct cmd_spec {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd_spec cmds[] = {
        {"validate", cmd_validate, "check a desired-state file"},
        {"plan", cmd_plan, "show what apply would change"},
        {"apply", cmd_apply, "make the live trusts match the desired state"},
        {"show", cmd_show, "render a saved plan"},
        {"drift", cmd_drift,
         "report live changes and pending ones (read-only)"},
        {"export", cmd_export, "write a domain's live trusts as YAML"},
        {"verify", cmd_verify,
         "check that each trust works (NETLOGON and Kerberos)"},
        {"audit", cmd_audit,
         "report risky trusts; SARIF, metrics, a graph (read-only)"},
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: adtrust [--no-color] [-q] <command> [options]\n\n"
	            "commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(fp, "\nexit codes: 0 ok/no changes, 1 error, 2 changes or "
	            "drift pending, 64 usage\n"
	            "'adtrust <command> --help' describes a command.\n");
}

void
cmd_error(const struct err *err)
{
	fputs("adtrust: ", stderr);
	err_print(err, stderr);
}

int
cmd_usage(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "adtrust %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'adtrust %s --help')\n", verb);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"no-color", no_argument, NULL, 'n'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *nc = getenv("NO_COLOR");
	int c, rc = EXIT_USAGE;

	/* secrets pass through memory: never into a core file */
	{
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	cmd_g.colour = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cmd_g.colour = false;
			break;
		case 'q':
			cmd_g.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0;
			rc = cmds[i].fn(argc, argv);
			goto out;
		}
	}
	fprintf(stderr, "adtrust: unknown command '%s'\n\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("adtrust: cannot write to standard output");
		return 1;
	}
	return rc;
}
