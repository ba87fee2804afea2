#ifndef ADT_CMD_STATE_H
#define ADT_CMD_STATE_H

/*
 * adtrust's local state: the state directory (--state-dir, else
 * $ADTRUST_STATE_DIR, else /var/lib/adtrust) holds what was last applied
 * for desired files that do not come from git, and the per-domain apply
 * locks.
 */

#include <stddef.h>

#include "util/safefile.h"

struct err;
struct sbuf;

/*
 * The largest applied record state_applied_read accepts: it is a
 * desired-state text, so the one input cap.
 */
#define STATE_APPLIED_MAX SAFEFILE_INPUT_MAX

const char *state_dir(const char *opt);

/* The key of a desired file: the first 16 hex digits of sha256(realpath). */
void state_key(char out[17], const char *path);

/* Records the applied desired-state text for path (atomic, mode 0600). */
int state_applied_write(const char *dir, const char *path, const char *text,
                        struct err *err);
/*
 * Reads it back into *out (malloc'ed); ERR_NOTFOUND if never applied.
 * Only a regular file owned by the running user (or root) and writable by
 * nobody else, of at most STATE_APPLIED_MAX bytes, in a directory that
 * passes safefile_dir_check_read, is accepted: ERR_DENIED or ERR_INVALID
 * otherwise, with the reason.
 */
int state_applied_read(char **out, const char *dir, const char *path,
                       struct err *err);

/*
 * The state directory is checked first (safefile_dir_check: created 0700
 * if missing, refused if it is a symlink, another user's, or writable by
 * group or others) by state_applied_write and state_locks_take.
 *
 * Per-domain apply locks (flock on DIR/lock-<domain>; released by the
 * kernel when the process dies, so a dead holder never blocks).  Waits up
 * to timeout_s for each; then ERR_CONFLICT naming the holder (host, pid,
 * start time).  A stale holder record of a dead process is reported on
 * stderr and taken over.  A lock file that is a symlink, not a regular
 * file, or another user's is refused (ERR_DENIED) and left untouched.
 * state_locks_release closes them all.
 */
struct state_locks {
	int *fds;
	size_t n;
};
int state_locks_take(struct state_locks *l, const char *dir,
                     char *const *domains, size_t n, unsigned timeout_s,
                     struct err *err);
void state_locks_release(struct state_locks *l);

#endif
