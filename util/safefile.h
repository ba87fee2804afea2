#ifndef ADT_UTIL_SAFEFILE_H
#define ADT_UTIL_SAFEFILE_H

/*
 * Files adtrust writes as root in directories other users may write (a
 * node-exporter textfile directory, a shared CI workspace, the state
 * directory): nothing here follows a symlink planted in such a directory,
 * reuses a file another user created, or trusts a file another user could
 * have written.
 *
 * Errors name the path and say what is wrong in words ("'/x/lock-a.test'
 * is a symbolic link: refused"); ERR_DENIED for an ownership or mode
 * problem, ERR_INVALID for a file over its size cap, ERR_NOTFOUND for a
 * missing file (reads), ERR_IO for the rest (errno in err->sys).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct err;

/*
 * The one size cap of every input adtrust reads: desired-state files (a
 * path, stdin, a git: blob), LDIF snapshot files and applied records.  A
 * saved plan holds a desired-state text (escaped as JSON) and the plan
 * made from it: PLAN_JSON_MAX is derived from this.
 */
#define SAFEFILE_INPUT_MAX ((size_t)16 << 20)

/*
 * Writes path atomically: a new temporary file in path's directory with
 * an unpredictable name, created O_CREAT|O_EXCL|O_NOFOLLOW with 'mode'
 * (fchmod'ed on our own descriptor, so the umask does not matter), the
 * data written and fsync'ed, renamed over path, and the directory
 * fsync'ed.  A symlink at path is replaced, never followed.  On failure
 * the temporary file is removed and path is untouched.
 */
int safefile_write(const char *path, const void *data, size_t len, mode_t mode,
                   struct err *err);

/* What safefile_read insists on. */
enum safefile_flags {
	/*
	 * Owned by the effective uid (or by root) and writable by nobody
	 * else: for state adtrust wrote itself (applied records, journals).
	 */
	SAFEFILE_OWNED = 1 << 0,
};

/*
 * Reads a regular file (opened O_NOFOLLOW|O_NONBLOCK, then fstat'ed: a
 * FIFO, device or directory is refused) of at most max bytes into *out
 * (malloc'ed, NUL-terminated; *len without the NUL, len may be NULL).
 * On failure *out is NULL.
 */
int safefile_read(char **out, size_t *len, const char *path, size_t max,
                  unsigned flags, struct err *err);

/*
 * Checks a state directory: it must be a real directory (not a symlink),
 * owned by the effective uid, and not writable by group or others.  With
 * create, a missing directory is made with mode 0700 (its parent must
 * exist).  The error gives the reason and the fix ("'/var/lib/adtrust' is
 * writable by other users (mode 0777): chmod go-w it, or use
 * --state-dir").
 */
int safefile_dir_check(const char *dir, bool create, struct err *err);

/*
 * The same check for a directory adtrust only reads state from (drift
 * reading what apply recorded): never creates it (ERR_NOTFOUND if
 * missing), and a directory owned by root is accepted too, as
 * SAFEFILE_OWNED accepts root's files.  Reading through a directory
 * others may write would let them swap or roll back the files in it.
 */
int safefile_dir_check_read(const char *dir, struct err *err);

/*
 * Opens (creating with 0600 if missing) a lock file without following a
 * symlink and without truncating it; refuses anything but a regular file
 * owned by the effective uid.  *fd is O_CLOEXEC.
 */
int safefile_open_lock(int *fd, const char *path, struct err *err);

/*
 * Creates a new file for appending: O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|
 * O_APPEND|O_CLOEXEC with 'mode'.  ERR_CONFLICT if it exists.
 */
int safefile_create(int *fd, const char *path, mode_t mode, struct err *err);

#endif
