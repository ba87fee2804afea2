/*
 * Secrets from a reference: {env: NAME}, {file: PATH} or {prompt: TEXT}.
 * Never from argv or YAML text.  The value is returned in a heap buffer the
 * caller wipes (explicit_bzero) and frees; no message ever contains it.
 */
#include "model/model.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "model/model.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SECRET_MAX 1024

/*
 * Waits until fd can be read or, with sigfd >= 0, a signal arrives there
 * (*sig is set to it).  Returns false on a signal or an error.
 */
static bool
wait_input(int fd, int sigfd, int *sig)
{
	struct pollfd pf[2] = {{.fd = fd, .events = POLLIN},
	                       {.fd = sigfd, .events = POLLIN}};
	struct signalfd_siginfo si;

	if (sigfd < 0)
		return true;
	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (pf[1].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				*sig = (int)si.ssi_signo;
			return false;
		}
		if (pf[0].revents != 0)
			return true;
	}
}

static int
read_line_sig(char **out, int fd, int sigfd, int *sig, const char *what,
              struct err *err)
{
	char *buf = xmalloc(SECRET_MAX + 1);
	size_t n = 0;
	ssize_t r;

	while (n < SECRET_MAX && wait_input(fd, sigfd, sig) &&
	       (r = read(fd, buf + n, 1)) == 1 && buf[n] != '\n')
		n++;
	if (sig != NULL && *sig != 0) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		return err_set(err, ERR_FAIL, "%s: interrupted at the prompt",
		               what);
	}
	if (n == SECRET_MAX) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		return err_set(err, ERR_INVALID, "%s is longer than %d bytes",
		               what, SECRET_MAX);
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n == 0) {
		free(buf);
		return err_set(err, ERR_INVALID, "%s is empty", what);
	}
	*out = buf;
	return 0;
}

static int
read_line(char **out, int fd, const char *what, struct err *err)
{
	return read_line_sig(out, fd, -1, NULL, what, err);
}

/*
 * Asks on the terminal with echo off.  Meanwhile SIGINT, SIGTERM, SIGHUP
 * and SIGQUIT are blocked and read from a signalfd: the echo is back
 * before such a signal takes its course (raised again under the caller's
 * own disposition), so Ctrl-C at the prompt never leaves a shell that
 * does not reset the terminal itself (sh) without echo.
 */
static int
prompt(char **out, const char *text, const char *what, struct err *err)
{
	struct termios old, quiet;
	sigset_t stop, saved;
	bool restore = false;
	int fd, sigfd, sig = 0, rc;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
		return err_set(err, ERR_DENIED,
		               "cannot prompt for %s: no terminal (use "
		               "{ env: NAME } or { file: PATH } in automation)",
		               what);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &stop, &saved);
	sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fd, TCSANOW, &quiet) == 0;
	}
	if (write(fd, text, strlen(text)) < 0 || write(fd, ": ", 2) < 0) {
		/* nothing to do: the read below still works */
	}
	rc = read_line_sig(out, fd, sigfd, &sig, what, err);
	if (restore)
		tcsetattr(fd, TCSANOW, &old);
	if (write(fd, "\n", 1) < 0) {
		/* ignore */
	}
	close(fd);
	if (sigfd >= 0)
		close(sigfd);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (sig != 0)
		raise(sig); /* the terminal is itself again: now stop */
	return rc;
}

int
model_secret_resolve(char **out, const struct model_secret *ref,
                     const char *what, struct err *err)
{
	int fd, rc;

	*out = NULL;
	if (ref == NULL)
		return err_set(err, ERR_INVALID, "no secret is given for %s",
		               what);
	if (ref->env != NULL) {
		const char *v = getenv(ref->env);

		if (v == NULL || *v == '\0')
			return err_set(err, ERR_NOTFOUND,
			               "%s: environment variable '%s' is not "
			               "set",
			               what, ref->env);
		*out = xstrdup(v);
		return 0;
	}
	if (ref->file != NULL) {
		if ((fd = open(ref->file, O_RDONLY | O_CLOEXEC)) < 0)
			return err_set_errno(err, ERR_IO,
			                     "%s: cannot open '%s'", what,
			                     ref->file);
		rc = read_line(out, fd, what, err);
		close(fd);
		return rc;
	}
	if (ref->prompt != NULL)
		return prompt(out, ref->prompt, what, err);
	return err_set(err, ERR_INVALID, "no secret is given for %s", what);
}

void
model_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

struct cached {
	const struct model_secret *ref;
	char *value;
};

struct model_secret_cache {
	struct cached *v;
	size_t n;
};

struct model_secret_cache *
model_secret_cache_new(void)
{
	return xcalloc(1, sizeof(struct model_secret_cache));
}

void
model_secret_cache_free(struct model_secret_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		model_secret_free(c->v[i].value);
	free(c->v);
	free(c);
}

int
model_secret_get(struct model_secret_cache *c, char **out,
                 const struct model_secret *ref, const char *what,
                 struct err *err)
{
	char *v;
	int rc;

	*out = NULL;
	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (c->v[i].ref == ref) {
			*out = xstrdup(c->v[i].value);
			return 0;
		}
	if ((rc = model_secret_resolve(&v, ref, what, err)) < 0)
		return rc;
	if (c != NULL) {
		c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
		c->v[c->n].ref = ref;
		c->v[c->n++].value = xstrdup(v);
	}
	*out = v;
	return 0;
}
