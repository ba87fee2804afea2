#ifndef ADT_CMD_CMD_H
#define ADT_CMD_CMD_H

/* The subcommands and the little state main() shares with them. */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#define EXIT_CHANGES 2
#define EXIT_USAGE 64

struct cmd_global {
	bool colour; /* stdout is a terminal and NO_COLOR is unset */
	bool quiet;
};

extern struct cmd_global cmd_g;

/*
 * Set to the signal's number by SIGINT, SIGTERM or SIGHUP while
 * cmd_signals_catch is in force: the apply stops between steps.
 */
extern volatile sig_atomic_t cmd_stop;
/* Catches SIGINT, SIGTERM and SIGHUP into cmd_stop (on), or restores the
 * default actions (off). */
void cmd_signals_catch(bool on);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Prints "adtrust: <err>" (with file:line:col when known) to stderr. */
struct err;
void cmd_error(const struct err *err);
/* Prints a usage error and returns EXIT_USAGE. */
int cmd_usage(const char *verb, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
