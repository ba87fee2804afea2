#include "cmd/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "cmd/common.h"
#include "util/err.h"
#include "util/safefile.h"
#include "util/xalloc.h"

const char *
state_dir(const char *opt)
{
	const char *e = getenv("ADTRUST_STATE_DIR");

	if (opt != NULL)
		return opt;
	return e != NULL && *e != '\0' ? e : "/var/lib/adtrust";
}

/*
 * The state directory decides what apply and drift trust, so it must be
 * ours alone: a real directory (not a symlink), owned by the effective
 * uid, not writable by group or others.  A missing one is made 0700.
 */
static int
ensure_dir(const char *dir, struct err *err)
{
	int rc = safefile_dir_check(dir, true, err);

	if (rc == ERR_DENIED)
		err_prefix(err, "unsafe state directory");
	else if (rc < 0)
		err_prefix(err, "cannot use the state directory");
	return rc;
}

void
state_key(char out[17], const char *path)
{
	char *real = realpath(path, NULL);
	const char *p = real != NULL ? real : path;
	unsigned char d[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, p, strlen(p), d);
	for (size_t i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	free(real);
}

static char *
applied_path(const char *dir, const char *path)
{
	char key[17];

	state_key(key, path);
	return xasprintf("%s/applied-%s.yaml", dir, key);
}

int
state_applied_write(const char *dir, const char *path, const char *text,
                    struct err *err)
{
	char *f;
	int rc;

	if ((rc = ensure_dir(dir, err)) < 0)
		return rc;
	f = applied_path(dir, path);
	rc = cmd_write_file(f, text, strlen(text), 0600, err);
	free(f);
	return rc;
}

int
state_applied_read(char **out, const char *dir, const char *path,
                   struct err *err)
{
	char *f = applied_path(dir, path);
	char why[sizeof(err->msg)];
	int rc;

	/*
	 * Only a record adtrust wrote (owned by us or root, writable by
	 * nobody else, in a directory nobody else may write, where it could
	 * be swapped for another record or an older one) decides what counts
	 * as drift; the cap keeps a record that is a link to /dev/zero or a
	 * huge file from exhausting memory.
	 */
	*out = NULL;
	if ((rc = safefile_dir_check_read(dir, err)) == ERR_DENIED) {
		err_prefix(err, "unsafe state directory");
		goto out;
	}
	if (rc == 0)
		rc = safefile_read(out, NULL, f, STATE_APPLIED_MAX,
		                   SAFEFILE_OWNED, err);
	if (rc == ERR_NOTFOUND) {
		rc = err_set(err, ERR_NOTFOUND,
		             "no apply of '%s' is recorded in '%s'", path, dir);
	} else if (rc == ERR_INVALID) {
		snprintf(why, sizeof(why), "%s", err->msg);
		rc = err_set(err, ERR_INVALID,
		             "%s (a desired-state file is at most 16 MiB, so "
		             "this is not a record adtrust wrote; remove it)",
		             why);
	} else if (rc < 0) {
		err_prefix(err, "cannot use the applied record of '%s'", path);
	}
out:
	free(f);
	return rc;
}

static void
holder_line(char *buf, size_t len)
{
	char host[256] = "?";
	time_t now = time(NULL);
	struct tm tm;
	char when[32];

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf, len, "host=%s pid=%ld started=%s\n", host, (long)getpid(),
	         when);
}

static void
read_holder(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? (size_t)n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* A holder record naming a process of this host that no longer runs. */
static bool
stale(const char *holder)
{
	char host[256] = "", mine[256] = "";
	long pid = 0;

	if (sscanf(holder, "host=%255s pid=%ld", host, &pid) != 2)
		return false;
	gethostname(mine, sizeof(mine) - 1);
	return strcmp(host, mine) == 0 && pid > 0 && kill((pid_t)pid, 0) < 0 &&
	       errno == ESRCH;
}

int
state_locks_take(struct state_locks *l, const char *dir, char *const *domains,
                 size_t n, unsigned timeout_s, struct err *err)
{
	char holder[512], line[512];
	int rc;

	l->fds = xcalloc(n ? n : 1, sizeof(int));
	l->n = 0;
	if ((rc = ensure_dir(dir, err)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char *f = xasprintf("%s/lock-%s", dir, domains[i]);

		/* DNS names are case-insensitive: so are the locks */
		for (char *q = f + strlen(dir); *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
		struct timespec nap = {0, 200 * 1000 * 1000};
		unsigned waited_ms = 0;
		int fd = -1;

		/* never follows a link, never truncates before the flock */
		if (strchr(domains[i], '/') != NULL || domains[i][0] == '.' ||
		    domains[i][0] == '\0') {
			rc = err_set(
			        err, ERR_INVALID,
			        "'%s' is not a domain name that can name a "
			        "lock file",
			        domains[i]);
			free(f);
			goto fail;
		}
		if ((rc = safefile_open_lock(&fd, f, err)) < 0) {
			err_prefix(err, "cannot lock domain '%s'", domains[i]);
			free(f);
			goto fail;
		}
		while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (waited_ms >= timeout_s * 1000u) {
				read_holder(fd, holder, sizeof(holder));
				rc = err_set(err, ERR_CONFLICT,
				             "domain '%s' is locked by another "
				             "apply (%s); gave up after %u s",
				             domains[i], holder, timeout_s);
				close(fd);
				free(f);
				goto fail;
			}
			nanosleep(&nap, NULL);
			waited_ms += 200;
		}
		read_holder(fd, holder, sizeof(holder));
		if (holder[0] != '\0' && stale(holder))
			fprintf(stderr,
			        "adtrust: note: the lock of '%s' was left by a "
			        "process that is gone (%s); taking it over\n",
			        domains[i], holder);
		holder_line(line, sizeof(line));
		if (ftruncate(fd, 0) < 0 ||
		    pwrite(fd, line, strlen(line), 0) < 0) {
			/* the lock holds without the record */
		}
		l->fds[l->n++] = fd;
		free(f);
	}
	return 0;
fail:
	state_locks_release(l);
	return rc;
}

void
state_locks_release(struct state_locks *l)
{
	for (size_t i = 0; i < l->n; i++) {
		/* clear the holder record: only a crash leaves one behind */
		if (ftruncate(l->fds[i], 0) < 0) {
			/* nothing to do */
		}
		close(l->fds[i]);
	}
	free(l->fds);
	l->fds = NULL;
	l->n = 0;
}
