/* _GNU_SOURCE: posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34) */
#define _GNU_SOURCE 1
#include "providers/lsa.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/fti.h"
#include "util/err.h"
#include "util/trace.h"
#include "util/xalloc.h"

#ifndef ADT_LIBEXECDIR
#define ADT_LIBEXECDIR "/usr/local/libexec/adtrust"
#endif

#define HELPER_FD 3   /* the helper's end of the socketpair */
#define GRACE_MS 2000 /* how long a closing helper may take to exit */

extern char **environ;

struct lsa_session {
	pid_t pid; /* 0 once reaped */
	int fd;    /* -1 once closed */
	char *server;
	char *domain;              /* the login's realm in lower case, for -v */
	const struct trace *trace; /* -v; borrowed, may be NULL */
	unsigned timeout_ms;
	char dead[300]; /* why the helper is gone; "" while it runs */
};

/* ---- helper location ---- */

int
lsa_helper_path(char **out, struct err *err)
{
	const char *env = getenv("ADTRUST_LSA");
	char exe[PATH_MAX];
	char *slash, *cand;
	ssize_t n;

	(void)err;
	*out = NULL;
	if (env != NULL && *env != '\0') {
		*out = xstrdup(env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			cand = xasprintf("%s/adtrust-lsa", exe);
			if (access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			free(cand);
		}
	}
	*out = xstrdup(ADT_LIBEXECDIR "/adtrust-lsa");
	return 0;
}

/* ---- process handling ---- */

/*
 * The helper's environment: only what Kerberos, locale and sanitizers
 * need, so that no secret a caller keeps in its environment follows it.
 */
static bool
env_wanted(const char *kv)
{
	static const char *const keep[] = {
	        "KRB5",  "LANG=",   "LC_",   "TZ=",    "PATH=",
	        "HOME=", "TMPDIR=", "ASAN_", "UBSAN_", "LSAN_",
	};

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strncmp(kv, keep[i], strlen(keep[i])) == 0)
			return true;
	return false;
}

static char **
helper_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ != NULL && environ[n] != NULL)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (env_wanted(environ[i]))
			env[k++] = environ[i];
	env[k] = NULL;
	return env;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Describes a wait status: "exited with status 1", "died: signal 6". */
static void
describe_status(char *buf, size_t len, int st)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "died: signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(buf, len, "ended (wait status 0x%x)", (unsigned)st);
}

/*
 * Reaps the helper, waiting up to grace_ms for it to exit on its own
 * before SIGKILL.  Describes how it ended in buf.
 */
static void
reap(struct lsa_session *s, long grace_ms, char *buf, size_t len)
{
	pid_t r;
	int st = 0;

	snprintf(buf, len, "ended");
	if (s->pid <= 0)
		return;
	for (long waited = 0;; waited += 10) {
		r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid || (r < 0 && errno != EINTR))
			break;
		if (r == 0 && waited >= grace_ms) {
			kill(s->pid, SIGKILL);
			while ((r = waitpid(s->pid, &st, 0)) < 0 &&
			       errno == EINTR)
				;
			break;
		}
		if (r == 0)
			sleep_ms(10);
	}
	if (r == s->pid)
		describe_status(buf, len, st);
	s->pid = 0;
}

static void
close_fd(struct lsa_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * The helper failed us (timeout, EOF, garbage): make sure it is gone and
 * turn what happened into the session's permanent error.
 */
static int
helper_failed(struct lsa_session *s, const struct err *io, struct err *err)
{
	char how[128];

	if (io->sys == ETIMEDOUT) {
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
		close_fd(s);
		reap(s, 0, how, sizeof(how));
		if (s->timeout_ms % 1000 == 0)
			snprintf(s->dead, sizeof(s->dead),
			         "adtrust-lsa for '%s' timed out after %u s",
			         s->server, s->timeout_ms / 1000);
		else
			snprintf(s->dead, sizeof(s->dead),
			         "adtrust-lsa for '%s' timed out after %u ms",
			         s->server, s->timeout_ms);
	} else if (io->code == ERR_INVALID) {
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
		close_fd(s);
		reap(s, 0, how, sizeof(how));
		snprintf(s->dead, sizeof(s->dead),
		         "adtrust-lsa for '%s' broke the protocol: %.200s",
		         s->server, io->msg);
	} else {
		/* EOF or a broken pipe: it died or exited; find out how */
		close_fd(s);
		reap(s, GRACE_MS, how, sizeof(how));
		snprintf(s->dead, sizeof(s->dead), "adtrust-lsa for '%s' %s",
		         s->server, how);
	}
	return err_set(err, ERR_IO, "%s", s->dead);
}

static int
spawn_helper(struct lsa_session *s, const char *path, struct err *err)
{
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	int sv[2] = {-1, -1}, child = -1, rc, e;
	char fdarg[] = "--fd=3";
	char *argv[3] = {NULL, fdarg, NULL};
	char **env = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = err_set_errno(err, ERR_IO, "socketpair");
		goto out;
	}
	/* above HELPER_FD so that the dup2 below always really duplicates */
	if ((child = fcntl(sv[1], F_DUPFD_CLOEXEC, 10)) < 0) {
		rc = err_set_errno(err, ERR_IO, "fcntl");
		goto out;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = e;
		rc = err_set_errno(err, ERR_IO,
		                   "posix_spawn_file_actions_init");
		goto out;
	}
	fa_ok = true;
	e = posix_spawn_file_actions_adddup2(&fa, child, HELPER_FD);
	if (e == 0)
		e = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		                                     "/dev/null", O_RDONLY, 0);
	if (e == 0) /* nothing of the helper's may land on our stdout */
		e = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
		                                     STDOUT_FILENO);
	if (e == 0)
		e = posix_spawn_file_actions_addclosefrom_np(&fa,
		                                             HELPER_FD + 1);
	if (e != 0) {
		errno = e;
		rc = err_set_errno(err, ERR_IO, "posix_spawn_file_actions");
		goto out;
	}
	argv[0] = xstrdup(path); /* posix_spawn's argv is not const */
	env = helper_env();
	e = posix_spawn(&s->pid, path, &fa, NULL, argv, env);
	if (e != 0) {
		s->pid = 0;
		errno = e;
		rc = err_set_errno(err, ERR_IO, "cannot start '%s'", path);
		goto out;
	}
	s->fd = sv[0];
	sv[0] = -1;
	if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) < 0) {
		rc = err_set_errno(err, ERR_IO, "fcntl");
		goto out;
	}
	rc = 0;
out:
	free(argv[0]);
	free(env);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (child >= 0)
		close(child);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return rc;
}

/* -v: what a request does on the DC, in MS-LSAD / MS-NRPC names. */
static const char *
rpc_name(const struct lsa_msg *req)
{
	switch (req->type) {
	case LSA_MSG_LOGIN:
		return req->login_flags & LSA_LOGIN_WRITE
		               ? "login (SMB3 sealed, OpenPolicy2 for writing)"
		               : "login (SMB3 sealed, OpenPolicy2)";
	case LSA_MSG_INFO:
		return "QueryInfoPolicy2";
	case LSA_MSG_QUERY_TDO:
		return "QueryTrustedDomainInfoByName";
	case LSA_MSG_CREATE_TDO:
		return "CreateTrustedDomainEx2";
	case LSA_MSG_SET_INFO_EX:
		return "SetInformationTrustedDomain(INFO_EX)";
	case LSA_MSG_SET_ENCTYPES:
		return "SetInformationTrustedDomain(SUPPORTED_ENCRYPTION_"
		       "TYPES)";
	case LSA_MSG_SET_FTI:
		return req->check_only ? "lsaRSetForestTrustInformation(check "
		                         "only)"
		                       : "lsaRSetForestTrustInformation";
	case LSA_MSG_QUERY_FTI:
		return "lsaRQueryForestTrustInformation";
	case LSA_MSG_FETCH_FTI:
		return "DsRGetForestTrustInformation";
	case LSA_MSG_DELETE_TDO:
		return "OpenTrustedDomainByName+DeleteObject";
	case LSA_MSG_VALIDATE:
		return "LogonControl2Ex(TC_VERIFY)";
	case LSA_MSG_SC_RESET:
		return "LogonControl2Ex(REDISCOVER)";
	}
	return lsa_msg_type_name(req->type);
}

/*
 * -v: one line per request.  Only names go in: the partner (req->name),
 * the login's user; never req->password.
 */
static void
trace_step(const struct lsa_session *s, const struct lsa_msg *req, int64_t t0,
           int rc, const struct err *err)
{
	char who[300] = "", tail[300] = "";

	if (!trace_on(s->trace))
		return;
	if (req->type == LSA_MSG_LOGIN)
		snprintf(who, sizeof(who), " as %s",
		         req->user != NULL ? req->user : "(Kerberos ccache)");
	else if (req->name != NULL)
		snprintf(who, sizeof(who), " %s", req->name);
	if (rc < 0) /* messages never hold a password (lsa.h) */
		snprintf(tail, sizeof(tail), ", failed: %.200s", err->msg);
	trace_log(s->trace, "lsa %s (%s): %s%s: %lld ms%s", s->server,
	          s->domain != NULL ? s->domain : "?", rpc_name(req), who,
	          (long long)(trace_now_ms() - t0), tail);
}

/*
 * One request/reply exchange.  *rep is the decoded reply (release it); a
 * reply carrying an error becomes that error here.
 */
static int
xchange(struct lsa_session *s, const struct lsa_msg *req, struct lsa_msg *rep,
        struct err *err)
{
	int64_t deadline = lsa_proto_deadline(s->timeout_ms);
	struct err io;
	int rc;

	lsa_msg_init(rep);
	if (s->dead[0] != '\0' || s->fd < 0)
		return err_set(err, ERR_IO, "%s",
		               s->dead[0] ? s->dead
		                          : "adtrust-lsa not running");
	err_init(&io);
	if (lsa_proto_send(s->fd, req, deadline, &io) < 0) {
		if (io.code == ERR_INVALID) /* our own request: not its fault */
			return err_set(err, ERR_INVALID, "%s", io.msg);
		return helper_failed(s, &io, err);
	}
	if ((rc = lsa_proto_recv(s->fd, rep, deadline, &io)) < 0)
		return helper_failed(s, &io, err);
	if (rep->type != (req->type | LSA_MSG_REPLY)) {
		lsa_msg_release(rep);
		err_set(&io, ERR_INVALID, "%s instead of a reply to %s",
		        lsa_msg_type_name(rep->type),
		        lsa_msg_type_name(req->type));
		return helper_failed(s, &io, err);
	}
	if (rep->code != 0) {
		rc = err_set(err, (enum err_code)rep->code, "%s",
		             rep->message ? rep->message
		                          : "adtrust-lsa failed");
		err->sys = (int)rep->status;
		lsa_msg_release(rep);
		return rc;
	}
	return 0;
}

/* One request/reply exchange (xchange), logged with -v. */
static int
roundtrip(struct lsa_session *s, const struct lsa_msg *req, struct lsa_msg *rep,
          struct err *err)
{
	int64_t t0 = trace_now_ms();
	int rc = xchange(s, req, rep, err);

	trace_step(s, req, t0, rc, err);
	return rc;
}

/* A request with no reply body. */
static int
simple(struct lsa_session *s, struct lsa_msg *req, struct err *err)
{
	struct lsa_msg rep;
	int rc;

	rc = roundtrip(s, req, &rep, err);
	lsa_msg_release(&rep);
	lsa_msg_release(req);
	return rc;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Moves a string out of a reply. */
static char *
take(char **p)
{
	char *s = *p;

	*p = NULL;
	return s;
}

/* ---- sessions ---- */

int
lsa_session_open(struct lsa_session **out, const char *helper_path,
                 const struct lsa_login *l, unsigned timeout_ms,
                 struct err *err)
{
	struct lsa_session *s = NULL;
	struct lsa_msg req;
	char *path = NULL;
	int rc;

	*out = NULL;
	lsa_msg_init(&req);
	if (l->server == NULL || *l->server == '\0') {
		rc = err_set(err, ERR_INVALID, "lsa login needs a server");
		goto out;
	}
	if (helper_path == NULL) {
		if ((rc = lsa_helper_path(&path, err)) < 0)
			goto out;
		helper_path = path;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	s->server = xstrdup(l->server);
	s->trace = l->trace;
	if (l->realm != NULL) {
		s->domain = xstrdup(l->realm);
		for (char *q = s->domain; *q != '\0'; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
	}
	s->timeout_ms = timeout_ms;
	if ((rc = spawn_helper(s, helper_path, err)) < 0)
		goto out;
	req.type = LSA_MSG_LOGIN;
	req.server = xstrdup(l->server);
	req.realm = dup_or_null(l->realm);
	req.user = dup_or_null(l->user);
	req.password = dup_or_null(l->password);
	req.ccache = dup_or_null(l->ccache);
	req.login_flags = l->write ? LSA_LOGIN_WRITE : 0;
	if ((rc = simple(s, &req, err)) < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	lsa_msg_release(&req); /* wipes the password copy */
	lsa_session_close(s);
	free(path);
	return rc;
}

void
lsa_session_close(struct lsa_session *s)
{
	char how[128];

	if (s == NULL)
		return;
	close_fd(s); /* end of stream: the helper logs off and exits */
	reap(s, GRACE_MS, how, sizeof(how));
	free(s->server);
	free(s->domain);
	free(s);
}

const char *
lsa_session_server(const struct lsa_session *s)
{
	return s->server;
}

/* ---- operations ---- */

int
lsa_info(struct lsa_session *s, struct lsa_domain_info *out, struct err *err)
{
	struct lsa_msg req, rep;
	int rc;

	memset(out, 0, sizeof(*out));
	lsa_msg_init(&req);
	req.type = LSA_MSG_INFO;
	if ((rc = roundtrip(s, &req, &rep, err)) < 0)
		return rc;
	out->dns_domain = take(&rep.name);
	out->netbios = take(&rep.netbios);
	out->sid = take(&rep.sid);
	out->forest = take(&rep.forest);
	lsa_msg_release(&rep);
	return 0;
}

void
lsa_domain_info_release(struct lsa_domain_info *d)
{
	free(d->dns_domain);
	free(d->netbios);
	free(d->sid);
	free(d->forest);
	memset(d, 0, sizeof(*d));
}

int
lsa_query_tdo(struct lsa_session *s, const char *name, struct lsa_tdo *out,
              struct err *err)
{
	struct lsa_msg req, rep;
	int rc;

	memset(out, 0, sizeof(*out));
	lsa_msg_init(&req);
	req.type = LSA_MSG_QUERY_TDO;
	req.name = xstrdup(name);
	rc = roundtrip(s, &req, &rep, err);
	lsa_msg_release(&req);
	if (rc < 0)
		return rc;
	out->name = take(&rep.name);
	out->netbios = take(&rep.netbios);
	out->sid = take(&rep.sid);
	out->direction = rep.direction;
	out->type = rep.trust_type;
	out->attributes = rep.attributes;
	out->enctypes = rep.enctypes;
	lsa_msg_release(&rep);
	return 0;
}

void
lsa_tdo_release(struct lsa_tdo *t)
{
	free(t->name);
	free(t->netbios);
	free(t->sid);
	memset(t, 0, sizeof(*t));
}

int
lsa_create_tdo(struct lsa_session *s, const struct lsa_create *c,
               struct err *err)
{
	struct lsa_msg req;

	lsa_msg_init(&req);
	req.type = LSA_MSG_CREATE_TDO;
	req.name = dup_or_null(c->name);
	req.netbios = dup_or_null(c->netbios);
	req.sid = dup_or_null(c->sid);
	req.direction = c->direction;
	req.trust_type = c->type;
	req.attributes = c->attributes;
	req.enctypes = c->enctypes;
	req.password = dup_or_null(c->password);
	return simple(s, &req, err); /* releases req: wipes the copy */
}

int
lsa_set_info_ex(struct lsa_session *s, const char *name, uint32_t direction,
                uint32_t type, uint32_t attributes, struct err *err)
{
	struct lsa_msg req;

	lsa_msg_init(&req);
	req.type = LSA_MSG_SET_INFO_EX;
	req.name = xstrdup(name);
	req.direction = direction;
	req.trust_type = type;
	req.attributes = attributes;
	return simple(s, &req, err);
}

int
lsa_set_enctypes(struct lsa_session *s, const char *name, uint32_t enctypes,
                 struct err *err)
{
	struct lsa_msg req;

	lsa_msg_init(&req);
	req.type = LSA_MSG_SET_ENCTYPES;
	req.name = xstrdup(name);
	req.enctypes = enctypes;
	return simple(s, &req, err);
}

int
lsa_delete_tdo(struct lsa_session *s, const char *name, struct err *err)
{
	struct lsa_msg req;

	lsa_msg_init(&req);
	req.type = LSA_MSG_DELETE_TDO;
	req.name = xstrdup(name);
	return simple(s, &req, err);
}

int
lsa_set_fti(struct lsa_session *s, const char *partner,
            const struct fti *records, bool check_only,
            struct lsa_collisions *out, struct err *err)
{
	struct lsa_msg req, rep;
	struct fti copy;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	lsa_msg_init(&req);
	fti_copy(&copy, records); /* the message wants non-const records */
	req.type = LSA_MSG_SET_FTI;
	req.name = xstrdup(partner);
	req.check_only = check_only ? 1u : 0u;
	req.rec = copy.rec;
	req.nrec = copy.n;
	rc = roundtrip(s, &req, &rep, err);
	req.rec = NULL; /* still owned by copy */
	req.nrec = 0;
	lsa_msg_release(&req);
	fti_release(&copy);
	if (rc < 0)
		return rc;
	if (out != NULL) {
		out->v = rep.coll;
		out->n = rep.ncoll;
		rep.coll = NULL;
		rep.ncoll = 0;
	}
	lsa_msg_release(&rep);
	return 0;
}

void
lsa_collisions_release(struct lsa_collisions *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int
get_fti(struct lsa_session *s, uint8_t type, const char *partner,
        struct fti *out, struct err *err)
{
	struct lsa_msg req, rep;
	int rc;

	fti_init(out);
	lsa_msg_init(&req);
	req.type = type;
	req.name = xstrdup(partner);
	rc = roundtrip(s, &req, &rep, err);
	lsa_msg_release(&req);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < rep.nrec; i++)
		fti_add(out, &rep.rec[i]);
	lsa_msg_release(&rep);
	return 0;
}

int
lsa_query_fti(struct lsa_session *s, const char *partner, struct fti *out,
              struct err *err)
{
	return get_fti(s, LSA_MSG_QUERY_FTI, partner, out, err);
}

int
lsa_fetch_partner_fti(struct lsa_session *s, const char *partner,
                      struct fti *out, struct err *err)
{
	return get_fti(s, LSA_MSG_FETCH_FTI, partner, out, err);
}

int
lsa_validate(struct lsa_session *s, const char *partner,
             struct lsa_validation *out, struct err *err)
{
	struct lsa_msg req, rep;
	int rc;

	memset(out, 0, sizeof(*out));
	lsa_msg_init(&req);
	req.type = LSA_MSG_VALIDATE;
	req.name = xstrdup(partner);
	rc = roundtrip(s, &req, &rep, err);
	lsa_msg_release(&req);
	if (rc < 0)
		return rc;
	out->flags = rep.tc_flags;
	out->dc_name = take(&rep.dc_name);
	out->pdc_status = rep.pdc_status;
	out->tc_status = rep.tc_status;
	out->pdc_text = take(&rep.pdc_text);
	out->tc_text = take(&rep.tc_text);
	lsa_msg_release(&rep);
	if (out->pdc_status != 0 || out->tc_status != 0) {
		rc = err_set(err, ERR_BACKEND,
		             "trust '%s' on '%s' does not validate: trust %s, "
		             "connection %s",
		             partner, s->server,
		             out->pdc_text ? out->pdc_text : "?",
		             out->tc_text ? out->tc_text : "?");
		err->sys = (int)(out->pdc_status ? out->pdc_status
		                                 : out->tc_status);
		return rc;
	}
	return 0;
}

void
lsa_validation_release(struct lsa_validation *v)
{
	free(v->dc_name);
	free(v->pdc_text);
	free(v->tc_text);
	memset(v, 0, sizeof(*v));
}

int
lsa_sc_reset(struct lsa_session *s, const char *partner, struct err *err)
{
	struct lsa_msg req, rep;
	int rc;

	lsa_msg_init(&req);
	req.type = LSA_MSG_SC_RESET;
	req.name = xstrdup(partner);
	rc = roundtrip(s, &req, &rep, err);
	lsa_msg_release(&req);
	if (rc < 0)
		return rc;
	/* Samba answers a failed rebuild as the result; others may not */
	if (rep.tc_status != 0 || rep.pdc_status != 0) {
		rc = err_set(
		        err, ERR_BACKEND,
		        "secure channel to '%s' on '%s' not re-established: "
		        "trust %s, connection %s",
		        partner, s->server, rep.pdc_text ? rep.pdc_text : "?",
		        rep.tc_text ? rep.tc_text : "?");
		err->sys =
		        (int)(rep.tc_status ? rep.tc_status : rep.pdc_status);
	}
	lsa_msg_release(&rep);
	return rc;
}

bool
lsa_session_alive(const struct lsa_session *s)
{
	return s != NULL && s->dead[0] == '\0' && s->fd >= 0;
}
