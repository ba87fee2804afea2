#include "util/safefile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xalloc.h"

/*
 * Why each step is there (issue 7): a directory another user may write
 * lets that user plant a symlink or a file of their own under any name we
 * can guess.  So a temporary name is random and created O_EXCL|O_NOFOLLOW
 * (a planted name makes us pick another one, never open it), the mode is
 * set on our own descriptor, and the final step is a rename, which
 * replaces whatever is at the target (a symlink included) without
 * following it.  Reads and locks open with O_NOFOLLOW and judge the file
 * by fstat on the descriptor they will use, so there is no window between
 * the check and the use.
 */

#define TMP_TRIES 64

/* "uid 65534 (nobody)", or "uid 1234" when the name is unknown. */
static void
who(char *buf, size_t len, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	int saved = errno;

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		snprintf(buf, len, "uid %lu (%s)", (unsigned long)uid,
		         res->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
	errno = saved;
}

/* What a non-regular file is, in words. */
static const char *
kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* An open that failed: ELOOP under O_NOFOLLOW means a symlink. */
static int
open_failed(const char *path, const char *what, struct err *err)
{
	if (errno == ELOOP)
		return err_set(
		        err, ERR_DENIED,
		        "'%s' is a symbolic link: refused (adtrust never "
		        "follows a link here; remove it)",
		        path);
	if (errno == EACCES || errno == EPERM)
		return err_set_errno(err, ERR_IO,
		                     "cannot %s '%s' (check the permissions of "
		                     "the file and of its directory)",
		                     what, path);
	return err_set_errno(err, ERR_IO, "cannot %s '%s'", what, path);
}

/* Refuses a file another user owns or may write (ERR_DENIED), else 0. */
static int
check_owner(const char *path, const struct stat *st, bool root_ok,
            const char *fix, struct err *err)
{
	char owner[300], me[300];
	uid_t euid = geteuid();

	if (st->st_uid != euid && !(root_ok && st->st_uid == 0)) {
		who(owner, sizeof(owner), st->st_uid);
		who(me, sizeof(me), euid);
		return err_set(err, ERR_DENIED,
		               "'%s' is owned by %s, not by %s who runs "
		               "adtrust: refused (%s)",
		               path, owner, me, fix);
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(err, ERR_DENIED,
		               "'%s' is writable by other users (mode %04o): "
		               "refused (%s)",
		               path, (unsigned)(st->st_mode & 07777), fix);
	return 0;
}

/* path's directory and last component, as two new strings. */
static int
split(char **dir, char **base, const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');

	*dir = *base = NULL;
	if (*path == '\0' || (slash != NULL && slash[1] == '\0'))
		return err_set(err, ERR_INVALID,
		               "'%s' does not name a file (it is empty or ends "
		               "in '/')",
		               path);
	if (slash == NULL) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else {
		*dir = slash == path ? xstrdup("/")
		                     : xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
	return 0;
}

static uint64_t
random64(unsigned attempt)
{
	uint64_t r = 0;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	/*
	 * Without getrandom the name is guessable, which only costs a retry:
	 * O_EXCL|O_NOFOLLOW still never opens what someone else put there.
	 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	       ((uint64_t)getpid() << 40) ^ attempt;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync a directory; a file system that cannot (EINVAL) is not an error. */
static int
sync_dir(int dfd)
{
	if (fsync(dfd) < 0 && errno != EINVAL && errno != ENOTSUP)
		return -1;
	return 0;
}

int
safefile_write(const char *path, const void *data, size_t len, mode_t mode,
               struct err *err)
{
	char *dir = NULL, *base = NULL, tmp[256] = "";
	int dfd = -1, fd = -1, rc;

	if ((rc = split(&dir, &base, path, err)) < 0)
		goto out;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = err_set_errno(err, ERR_IO,
		                   "cannot write '%s': cannot open its "
		                   "directory '%s'",
		                   path, dir);
		goto out;
	}
	for (unsigned i = 0; fd < 0; i++) {
		if (i == TMP_TRIES) {
			rc = err_set(err, ERR_IO,
			             "cannot write '%s': %u random temporary "
			             "names in '%s' were all taken (someone is "
			             "filling the directory)",
			             path, i, dir);
			goto out;
		}
		snprintf(tmp, sizeof(tmp), "%.200s.tmp.%016llx", base,
		         (unsigned long long)random64(i));
		fd = openat(dfd, tmp,
		            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		                    O_CLOEXEC,
		            mode & 0777);
		if (fd < 0 && errno != EEXIST) {
			rc = err_set_errno(err, ERR_IO,
			                   "cannot write '%s': cannot create a "
			                   "temporary file in '%s'",
			                   path, dir);
			tmp[0] = '\0';
			goto out;
		}
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot write '%s'", path);
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot write '%s'", path);
		goto out;
	}
	/* rename replaces a symlink or another user's file at path */
	if (renameat(dfd, tmp, dfd, base) < 0) {
		rc = err_set_errno(err, ERR_IO,
		                   "cannot write '%s': cannot rename the "
		                   "temporary file '%s/%s' over it",
		                   path, dir, tmp);
		goto out;
	}
	tmp[0] = '\0';
	if (sync_dir(dfd) < 0)
		rc = err_set_errno(err, ERR_IO,
		                   "wrote '%s' but cannot sync its directory "
		                   "'%s'",
		                   path, dir);
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
	return rc;
}

int
safefile_read(char **out, size_t *len, const char *path, size_t max,
              unsigned flags, struct err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;
	int fd, rc = 0;

	assert((flags & ~(unsigned)SAFEFILE_OWNED) == 0);
	assert(max < SIZE_MAX / 2);
	*out = NULL;
	if (len != NULL)
		*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(err, ERR_NOTFOUND, "'%s' does not exist",
			               path);
		return open_failed(path, "read", err);
	}
	if (fstat(fd, &st) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot read '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(err, ERR_DENIED,
		             "'%s' is %s, not a regular file: refused", path,
		             kind(st.st_mode));
		goto out;
	}
	if ((flags & SAFEFILE_OWNED) != 0 &&
	    (rc = check_owner(path, &st, true,
	                      "adtrust trusts only files it wrote itself; "
	                      "remove it",
	                      err)) < 0)
		goto out;
	if ((uintmax_t)st.st_size > (uintmax_t)max) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' is %jd bytes, over the limit of %zu bytes: "
		             "refused",
		             path, (intmax_t)st.st_size, max);
		goto out;
	}
	/* room for one byte more than fstat said, to see a growing file */
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	while (n <= max) {
		ssize_t r;

		if (n == cap) {
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_set_errno(err, ERR_IO, "cannot read '%s'",
			                   path);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' grew past the limit of %zu bytes while "
		             "being read: refused",
		             path, max);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = n;
out:
	free(buf);
	close(fd);
	return rc;
}

/* dir without trailing slashes (so lstat sees a symlink), new string. */
static char *
trim_slashes(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xstrndup(dir, n);
}

static int
check_dir(const char *dir, bool create, bool root_ok, struct err *err)
{
	char *d = trim_slashes(dir);
	char owner[300], me[300];
	struct stat st;
	int r, rc = 0;

	r = lstat(d, &st);
	if (r < 0 && errno == ENOENT && create) {
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			rc = err_set_errno(err, ERR_IO,
			                   "cannot create the directory '%s'",
			                   dir);
			goto out;
		}
		/* ours now, or someone's who was faster: judged below */
		r = lstat(d, &st);
	}
	if (r < 0) {
		rc = errno == ENOENT
		             ? err_set(err, ERR_NOTFOUND,
		                       "the directory '%s' does not "
		                       "exist",
		                       dir)
		             : err_set_errno(err, ERR_IO, "cannot inspect '%s'",
		                             dir);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = err_set(err, ERR_DENIED,
		             "'%s' is a symbolic link: refused (give the real "
		             "directory with --state-dir)",
		             dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = err_set(err, ERR_DENIED, "'%s' is %s, not a directory",
		             dir, kind(st.st_mode));
		goto out;
	}
	if (st.st_uid != geteuid() && !(root_ok && st.st_uid == 0)) {
		who(owner, sizeof(owner), st.st_uid);
		who(me, sizeof(me), geteuid());
		rc = err_set(err, ERR_DENIED,
		             "'%s' is owned by %s, not by %s who runs adtrust: "
		             "chown it, or use --state-dir",
		             dir, owner, me);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		rc = err_set(err, ERR_DENIED,
		             "'%s' is writable by other users (mode %04o): "
		             "chmod go-w it, or use --state-dir",
		             dir, (unsigned)(st.st_mode & 07777));
out:
	free(d);
	return rc;
}

int
safefile_dir_check(const char *dir, bool create, struct err *err)
{
	return check_dir(dir, create, false, err);
}

int
safefile_dir_check_read(const char *dir, struct err *err)
{
	return check_dir(dir, false, true, err);
}

int
safefile_open_lock(int *fd, const char *path, struct err *err)
{
	struct stat st;
	int f, fl, rc = 0;

	*fd = -1;
	/*
	 * No O_TRUNC: the holder record is only rewritten once the flock is
	 * held on this verified file.  O_NONBLOCK so a FIFO cannot hang us.
	 */
	f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	         0600);
	if (f < 0)
		return open_failed(path, "open the lock file", err);
	if (fstat(f, &st) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot inspect '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(err, ERR_DENIED,
		             "the lock file '%s' is %s, not a regular file: "
		             "refused (remove it)",
		             path, kind(st.st_mode));
		goto out;
	}
	if ((rc = check_owner(path, &st, false, "remove it", err)) < 0)
		goto out;
	/* a hard link to someone's file would have us truncate that file */
	if (st.st_nlink != 1) {
		rc = err_set(err, ERR_DENIED,
		             "the lock file '%s' has %lu hard links: refused "
		             "(remove it)",
		             path, (unsigned long)st.st_nlink);
		goto out;
	}
	if ((fl = fcntl(f, F_GETFL)) < 0 ||
	    fcntl(f, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot set up '%s'", path);
		goto out;
	}
	*fd = f;
	f = -1;
out:
	if (f >= 0)
		close(f);
	return rc;
}

int
safefile_create(int *fd, const char *path, mode_t mode, struct err *err)
{
	char *dir = NULL, *base = NULL;
	int f = -1, dfd = -1, rc;

	*fd = -1;
	if ((rc = split(&dir, &base, path, err)) < 0)
		goto out;
	f = open(path,
	         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND |
	                 O_CLOEXEC,
	         mode & 0777);
	if (f < 0) {
		rc = errno == EEXIST ? err_set(err, ERR_CONFLICT,
		                               "'%s' already exists", path)
		                     : open_failed(path, "create", err);
		goto out;
	}
	if (fchmod(f, mode) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot set the mode of '%s'",
		                   path);
		goto out;
	}
	/* the new name must survive a crash as much as what is appended */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    sync_dir(dfd) < 0) {
		rc = err_set_errno(err, ERR_IO,
		                   "cannot sync the directory '%s' of '%s'",
		                   dir, path);
		goto out;
	}
	*fd = f;
	f = -1;
out:
	if (f >= 0) {
		close(f);
		unlink(path);
	}
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
	return rc;
}
