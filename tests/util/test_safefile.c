#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/safefile.h"

/*
 * The attacks of issue 7 against util/safefile, each in a fresh mkdtemp
 * directory T.  "Another user" is uid 65534 (chown needs root; those
 * checks are skipped otherwise).  T/victim stands in for /etc/passwd: a
 * file of ours, mode 0600, that no attack may change or re-mode.
 */
static char T[64];

#define NOBODY 65534
#define VICTIM_TEXT "root:x:0:0:root:/root:/bin/bash\n"

static void
setup(void)
{
	snprintf(T, sizeof(T), "/tmp/adt-safefile-XXXXXX");
	cr_assert_not_null(mkdtemp(T));
	umask(077);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", T);
}

TestSuite(safefile, .init = setup, .fini = teardown);

/* T/name, in a caller's buffer. */
static const char *
at(char out[512], const char *name)
{
	snprintf(out, 512, "%s/%s", T, name);
	return out;
}

static void
put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_geq(fd, 0, "cannot create %s", path);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* The whole file in a static buffer ("" when missing). */
static const char *
slurp(const char *path)
{
	static char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "lstat %s", path);
	return st.st_mode & 07777;
}

static void
victim(char out[512])
{
	put(at(out, "victim"), VICTIM_TEXT, 0600);
}

static void
victim_intact(const char *v)
{
	cr_assert_str_eq(slurp(v), VICTIM_TEXT, "the victim was overwritten");
	cr_assert_eq(mode_of(v), 0600, "the victim was re-moded to %04o",
	             (unsigned)mode_of(v));
}

/* Files in T whose name contains ".tmp." and is not in planted. */
static size_t
leftover_temps(void)
{
	char cmd[256];
	FILE *fp;
	char line[512];
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", T);
	cr_assert_not_null(fp = popen(cmd, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, ".tmp.") != NULL &&
		     strncmp(line, "planted", 7) != 0;
	pclose(fp);
	return n;
}

/*
 * A test that could block (a FIFO, /dev/zero) dies of SIGALRM after 10 s
 * instead of hanging the run (Criterion's .timeout leaks in its runner).
 */
static void
no_hang(void)
{
	alarm(10);
}

static bool
root(void)
{
	return geteuid() == 0;
}

/* A skipped test does not reach .fini: remove T first. */
static void
skip_not_root(void)
{
	teardown();
	cr_skip_test("chown to uid 65534 needs root");
}

/* --- safefile_write --- */

Test(safefile, write_sets_mode_whatever_the_umask)
{
	char p[512];
	struct err err;

	err_init(&err);
	umask(0777);
	cr_assert_eq(safefile_write(at(p, "m.prom"), "a 1\n", 4, 0644, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(slurp(p), "a 1\n");
	cr_assert_eq(mode_of(p), 0644);
	cr_assert_eq(leftover_temps(), 0);
}

Test(safefile, write_replaces_a_symlink_at_the_target)
{
	char p[512], v[512];
	struct stat st;
	struct err err;

	victim(v);
	cr_assert_eq(symlink(v, at(p, "plan.json")), 0);
	err_init(&err);
	cr_assert_eq(safefile_write(p, "{}\n", 3, 0644, &err), 0, "%s",
	             err.msg);
	victim_intact(v);
	cr_assert_eq(lstat(p, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "the target is still a symlink");
	cr_assert_str_eq(slurp(p), "{}\n");
	cr_assert_eq(st.st_mode & 07777, 0644);
}

Test(safefile, write_ignores_symlinks_at_guessable_temp_names)
{
	char p[512], v[512], name[128], q[512];
	struct err err;
	pid_t me = getpid();

	/* the old code's names: PATH.tmp.<pid>, for every pid near ours */
	victim(v);
	for (long pid = me > 2000 ? me - 2000 : 1; pid < me + 2000; pid++) {
		snprintf(name, sizeof(name), "plan.json.tmp.%ld", pid);
		cr_assert_eq(symlink(v, at(q, name)), 0);
	}
	err_init(&err);
	cr_assert_eq(safefile_write(at(p, "plan.json"), "{}\n", 3, 0644, &err),
	             0, "%s", err.msg);
	victim_intact(v);
	cr_assert_str_eq(slurp(p), "{}\n");
	snprintf(name, sizeof(name), "plan.json.tmp.%ld", (long)me);
	cr_assert_eq(mode_of(at(q, name)), 0777, "a planted link was replaced");
}

Test(safefile, write_replaces_another_users_file_with_ours)
{
	char p[512], name[128], q[512];
	struct stat before, after;
	struct err err;

	put(at(p, "plan.json"), "{\"evil\": true}\n", 0666);
	snprintf(name, sizeof(name), "plan.json.tmp.%ld", (long)getpid());
	put(at(q, name), "planted\n", 0666);
	if (root()) {
		cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
		cr_assert_eq(chown(q, NOBODY, NOBODY), 0);
	}
	cr_assert_eq(lstat(p, &before), 0);
	err_init(&err);
	cr_assert_eq(safefile_write(p, "{}\n", 3, 0600, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(lstat(p, &after), 0);
	cr_assert_neq(after.st_ino, before.st_ino, "the file was reused");
	cr_assert_eq(after.st_uid, geteuid(), "the plan is owned by uid %lu",
	             (unsigned long)after.st_uid);
	cr_assert_eq(after.st_mode & 07777, 0600);
	cr_assert_str_eq(slurp(p), "{}\n");
	cr_assert_str_eq(slurp(q), "planted\n", "the planted temp was used");
}

Test(safefile, write_failure_leaves_the_target_and_no_temp)
{
	char p[512];
	struct err err;

	/* rename over a directory fails after the temp was written */
	cr_assert_eq(mkdir(at(p, "out"), 0700), 0);
	err_init(&err);
	cr_assert_eq(safefile_write(p, "x", 1, 0600, &err), ERR_IO);
	cr_assert_not_null(strstr(err.msg, p), "%s", err.msg);
	cr_assert_eq(leftover_temps(), 0, "a temporary file was left");
	cr_assert_eq(mode_of(p), 0700);
}

Test(safefile, write_into_a_missing_directory_names_it)
{
	char p[512];
	struct err err;

	err_init(&err);
	cr_assert_eq(
	        safefile_write(at(p, "no/such/x.prom"), "x", 1, 0644, &err),
	        ERR_IO);
	cr_assert_not_null(strstr(err.msg, "cannot open its directory"), "%s",
	                   err.msg);
	cr_assert_not_null(strstr(err.msg, p), "%s", err.msg);
	cr_assert_eq(err.sys, ENOENT);
}

Test(safefile, write_refuses_a_path_that_names_no_file)
{
	char p[512];
	struct err err;

	err_init(&err);
	cr_assert_eq(safefile_write(at(p, "dir/"), "x", 1, 0644, &err),
	             ERR_INVALID);
	err_init(&err);
	cr_assert_eq(safefile_write("", "x", 1, 0644, &err), ERR_INVALID);
}

/* --- safefile_read --- */

Test(safefile, read_returns_the_text_nul_terminated)
{
	char p[512], *s;
	size_t len;
	struct err err;

	put(at(p, "r"), "hello\n", 0600);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, &len, p, 100, SAFEFILE_OWNED, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(s, "hello\n");
	cr_assert_eq(len, 6);
	free(s);
	put(p, "", 0600);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), 0);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(safefile, read_missing_is_notfound)
{
	char p[512], *s = (char *)1;
	struct err err;

	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, at(p, "nope"), 100, 0, &err),
	             ERR_NOTFOUND);
	cr_assert_null(s);
}

Test(safefile, read_refuses_a_symlink)
{
	char p[512], v[512], *s = (char *)1;
	struct err err;

	victim(v);
	cr_assert_eq(symlink(v, at(p, "applied-x.yaml")), 0);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "is a symbolic link"), "%s",
	                   err.msg);
	cr_assert_not_null(strstr(err.msg, p), "%s", err.msg);
}

Test(safefile, read_refuses_a_symlink_to_dev_zero)
{
	char p[512], *s = (char *)1;
	struct err err;

	no_hang();
	cr_assert_eq(symlink("/dev/zero", at(p, "applied-x.yaml")), 0);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 1 << 20, SAFEFILE_OWNED, &err),
	             ERR_DENIED);
	cr_assert_null(s);
}

Test(safefile, read_refuses_a_device)
{
	char *s = (char *)1;
	struct err err;

	no_hang();
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, "/dev/zero", 1 << 20, 0, &err),
	             ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "character device"), "%s", err.msg);
}

Test(safefile, read_refuses_a_fifo_without_hanging)
{
	char p[512], *s = (char *)1;
	struct err err;

	no_hang();
	cr_assert_eq(mkfifo(at(p, "applied-x.yaml"), 0600), 0);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "FIFO"), "%s", err.msg);
}

Test(safefile, read_refuses_a_directory)
{
	char p[512], *s = (char *)1;
	struct err err;

	cr_assert_eq(mkdir(at(p, "d"), 0700), 0);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "a directory"), "%s", err.msg);
}

Test(safefile, read_refuses_a_file_over_the_cap)
{
	char p[512], *s = (char *)1;
	char big[102];
	struct err err;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(at(p, "big"), big, 0600);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), ERR_INVALID);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "101 bytes"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "limit of 100 bytes"), "%s",
	                   err.msg);
	big[100] = '\0'; /* exactly at the cap is fine */
	put(p, big, 0600);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(strlen(s), 100);
	free(s);
}

Test(safefile, read_owned_refuses_another_users_file)
{
	char p[512], *s = (char *)1;
	struct err err;

	if (!root())
		skip_not_root();
	put(at(p, "applied-x.yaml"), "version: 1\n", 0644);
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, SAFEFILE_OWNED, &err),
	             ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "is owned by uid 65534"), "%s",
	                   err.msg);
	/* without SAFEFILE_OWNED the owner does not matter */
	cr_assert_eq(safefile_read(&s, NULL, p, 100, 0, &err), 0);
	free(s);
}

Test(safefile, read_owned_refuses_a_file_others_may_write)
{
	char p[512], *s = (char *)1;
	struct err err;

	put(at(p, "applied-x.yaml"), "version: 1\n", 0664);
	err_init(&err);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, SAFEFILE_OWNED, &err),
	             ERR_DENIED);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "writable by other users (mode "
	                                   "0664)"),
	                   "%s", err.msg);
	cr_assert_eq(chmod(p, 0606), 0);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, SAFEFILE_OWNED, &err),
	             ERR_DENIED);
	cr_assert_eq(chmod(p, 0644), 0);
	cr_assert_eq(safefile_read(&s, NULL, p, 100, SAFEFILE_OWNED, &err), 0,
	             "%s", err.msg);
	free(s);
}

/* --- safefile_dir_check --- */

Test(safefile, dir_check_creates_a_missing_directory_0700)
{
	char p[512];
	struct err err;

	umask(0);
	err_init(&err);
	cr_assert_eq(safefile_dir_check(at(p, "state"), true, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(mode_of(p), 0700);
	cr_assert_eq(safefile_dir_check(p, false, &err), 0, "%s", err.msg);
}

Test(safefile, dir_check_missing_without_create_is_notfound)
{
	char p[512];
	struct err err;

	err_init(&err);
	cr_assert_eq(safefile_dir_check(at(p, "state"), false, &err),
	             ERR_NOTFOUND);
	cr_assert_eq(access(p, F_OK), -1);
}

Test(safefile, dir_check_cannot_create_without_a_parent)
{
	char p[512];
	struct err err;

	err_init(&err);
	cr_assert_eq(safefile_dir_check(at(p, "a/b"), true, &err), ERR_IO);
	cr_assert_not_null(strstr(err.msg, p), "%s", err.msg);
}

Test(safefile, dir_check_accepts_our_0755_directory)
{
	char p[512];
	struct err err;

	cr_assert_eq(mkdir(at(p, "state"), 0700), 0);
	cr_assert_eq(chmod(p, 0755), 0);
	err_init(&err);
	cr_assert_eq(safefile_dir_check(p, true, &err), 0, "%s", err.msg);
	cr_assert_eq(mode_of(p), 0755, "the check must not change the mode");
}

Test(safefile, dir_check_refuses_group_or_other_writable)
{
	static const mode_t modes[] = {0777, 01777, 0770, 0702};
	char p[512], want[64];
	struct err err;

	cr_assert_eq(mkdir(at(p, "state"), 0700), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		cr_assert_eq(chmod(p, modes[i]), 0);
		err_init(&err);
		cr_assert_eq(safefile_dir_check(p, true, &err), ERR_DENIED,
		             "mode %04o accepted", (unsigned)modes[i]);
		snprintf(want, sizeof(want), "(mode %04o)", (unsigned)modes[i]);
		cr_assert_not_null(strstr(err.msg, want), "%s", err.msg);
		cr_assert_not_null(strstr(err.msg, "chmod go-w"), "%s",
		                   err.msg);
		cr_assert_not_null(strstr(err.msg, p), "%s", err.msg);
	}
}

Test(safefile, dir_check_refuses_another_users_directory)
{
	char p[512];
	struct err err;

	if (!root())
		skip_not_root();
	cr_assert_eq(mkdir(at(p, "state"), 0700), 0);
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	err_init(&err);
	cr_assert_eq(safefile_dir_check(p, true, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "is owned by uid 65534"), "%s",
	                   err.msg);
	cr_assert_not_null(strstr(err.msg, "chown it"), "%s", err.msg);
}

Test(safefile, dir_check_refuses_a_symlinked_directory)
{
	char p[512], real[512], slash[520];
	struct err err;

	cr_assert_eq(mkdir(at(real, "real"), 0700), 0);
	cr_assert_eq(symlink(real, at(p, "state")), 0);
	err_init(&err);
	cr_assert_eq(safefile_dir_check(p, true, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "symbolic link"), "%s", err.msg);
	snprintf(slash, sizeof(slash), "%s//", p);
	cr_assert_eq(safefile_dir_check(slash, true, &err), ERR_DENIED,
	             "a trailing slash let the link through");
	/* a dangling link is not "missing": nothing is created through it */
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(rmdir(real), 0);
	cr_assert_eq(symlink(real, p), 0);
	cr_assert_eq(safefile_dir_check(p, true, &err), ERR_DENIED);
	cr_assert_eq(access(real, F_OK), -1);
}

Test(safefile, dir_check_refuses_a_file)
{
	char p[512];
	struct err err;

	put(at(p, "state"), "", 0600);
	err_init(&err);
	cr_assert_eq(safefile_dir_check(p, true, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "not a directory"), "%s", err.msg);
}

/* --- safefile_open_lock --- */

Test(safefile, lock_is_created_0600_and_not_truncated)
{
	char p[512];
	struct stat st;
	struct err err;
	int fd = -1;

	umask(0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, at(p, "lock-a.test"), &err), 0,
	             "%s", err.msg);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	cr_assert_eq(write(fd, "holder\n", 7), 7);
	close(fd);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), 0, "%s", err.msg);
	close(fd);
	cr_assert_str_eq(slurp(p), "holder\n", "opening truncated the lock");
}

Test(safefile, lock_refuses_a_symlink_and_leaves_the_victim)
{
	char p[512], v[512];
	struct err err;
	int fd = 7;

	victim(v);
	cr_assert_eq(symlink(v, at(p, "lock-a.test")), 0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_eq(fd, -1);
	cr_assert_not_null(strstr(err.msg, "is a symbolic link"), "%s",
	                   err.msg);
	victim_intact(v);
}

Test(safefile, lock_refuses_a_dangling_symlink_without_creating)
{
	char p[512], v[512];
	struct err err;
	int fd = 7;

	cr_assert_eq(symlink(at(v, "created"), at(p, "lock-a.test")), 0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_eq(access(v, F_OK), -1, "a file was created through it");
}

Test(safefile, lock_refuses_a_hard_link_to_another_file)
{
	char p[512], v[512];
	struct err err;
	int fd = 7;

	victim(v);
	cr_assert_eq(link(v, at(p, "lock-a.test")), 0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "hard links"), "%s", err.msg);
	victim_intact(v);
}

Test(safefile, lock_refuses_another_users_file)
{
	char p[512];
	struct err err;
	int fd = 7;

	if (!root())
		skip_not_root();
	put(at(p, "lock-a.test"), "host=x pid=1\n", 0600);
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "is owned by uid 65534"), "%s",
	                   err.msg);
	cr_assert_str_eq(slurp(p), "host=x pid=1\n");
}

Test(safefile, lock_refuses_a_file_others_may_write)
{
	char p[512];
	struct err err;
	int fd = 7;

	put(at(p, "lock-a.test"), "", 0666);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "(mode 0666)"), "%s", err.msg);
}

Test(safefile, lock_refuses_a_fifo_without_hanging)
{
	char p[512];
	struct err err;
	int fd = 7;

	no_hang();
	cr_assert_eq(mkfifo(at(p, "lock-a.test"), 0600), 0);
	err_init(&err);
	cr_assert_eq(safefile_open_lock(&fd, p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "FIFO"), "%s", err.msg);
}

/* --- safefile_create --- */

Test(safefile, create_makes_a_new_append_only_file)
{
	char p[512];
	struct err err;
	int fd = -1;

	umask(0);
	err_init(&err);
	cr_assert_eq(safefile_create(&fd, at(p, "journal"), 0600, &err), 0,
	             "%s", err.msg);
	cr_assert_eq(mode_of(p), 0600);
	cr_assert_eq(fcntl(fd, F_GETFL) & O_APPEND, O_APPEND);
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	cr_assert_eq(write(fd, "a\n", 2), 2);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(write(fd, "b\n", 2), 2);
	close(fd);
	cr_assert_str_eq(slurp(p), "a\nb\n");
}

Test(safefile, create_refuses_an_existing_file_or_symlink)
{
	char p[512], v[512];
	struct err err;
	int fd = 7;

	victim(v);
	put(at(p, "journal"), "old\n", 0600);
	err_init(&err);
	cr_assert_eq(safefile_create(&fd, p, 0600, &err), ERR_CONFLICT);
	cr_assert_eq(fd, -1);
	cr_assert_not_null(strstr(err.msg, "already exists"), "%s", err.msg);
	cr_assert_str_eq(slurp(p), "old\n", "an existing file was removed");
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(symlink(v, p), 0);
	cr_assert_lt(safefile_create(&fd, p, 0644, &err), 0);
	victim_intact(v);
}

/* --- safefile_dir_check_read --- */

Test(safefile, dir_check_read_never_creates)
{
	char p[512];
	struct err err;

	err_init(&err);
	cr_assert_eq(safefile_dir_check_read(at(p, "state"), &err),
	             ERR_NOTFOUND);
	cr_assert_eq(access(p, F_OK), -1);
}

Test(safefile, dir_check_read_refuses_what_dir_check_refuses)
{
	char p[512], real[512];
	struct err err;

	cr_assert_eq(mkdir(at(p, "state"), 0700), 0);
	err_init(&err);
	cr_assert_eq(safefile_dir_check_read(p, &err), 0, "%s", err.msg);
	cr_assert_eq(chmod(p, 01777), 0);
	cr_assert_eq(safefile_dir_check_read(p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "(mode 1777)"), "%s", err.msg);
	cr_assert_eq(chmod(p, 0755), 0);
	cr_assert_eq(symlink(p, at(real, "link")), 0);
	cr_assert_eq(safefile_dir_check_read(real, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "symbolic link"), "%s", err.msg);
	if (!root())
		return;
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	cr_assert_eq(safefile_dir_check_read(p, &err), ERR_DENIED);
	cr_assert_not_null(strstr(err.msg, "is owned by uid 65534"), "%s",
	                   err.msg);
}

Test(safefile, dir_check_read_accepts_roots_directory_for_any_user)
{
	struct err err;

	/* "/" is root's and not writable by others on any sane system */
	err_init(&err);
	cr_assert_eq(safefile_dir_check_read("/", &err), 0, "%s", err.msg);
	if (geteuid() != 0)
		cr_assert_eq(safefile_dir_check("/", false, &err), ERR_DENIED);
}
