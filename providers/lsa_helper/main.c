/*
 * adtrust-lsa: writes Active Directory trusts over MS-LSAD for adtrust.
 *
 * Started by providers/lsa.c as "adtrust-lsa --fd=N" with one end of a
 * socketpair on fd N; speaks the protocol of providers/lsa_proto.h on it:
 * a LOGIN first, then one request at a time until end of stream.  It is a
 * separate process so that Samba's libraries (their embedded Heimdal and
 * com_err, tevent nesting, the odd abort()) never share an address space
 * with adtrust's MIT Kerberos and libldap (notes/lsa-from-c.md).
 *
 * Output: nothing on stdout (it is pointed at stderr at startup, so Samba's
 * DEBUG lines can never mix with protocol bytes); errors travel back in
 * replies.  Exit: 0 at end of stream, 1 after a failed login or a broken
 * stream, 64 for bad usage.
 */
#include "providers/lsa_helper/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "providers/lsa_proto.h"
#include "util/err.h"
#include "util/xalloc.h"

typedef int (*op_fn)(struct hsess *, const struct lsa_msg *, struct lsa_msg *,
                     struct err *);

static const struct {
	uint8_t type;
	op_fn fn;
} ops[] = {
        {LSA_MSG_INFO, h_info},
        {LSA_MSG_QUERY_TDO, h_query_tdo},
        {LSA_MSG_CREATE_TDO, h_create_tdo},
        {LSA_MSG_SET_INFO_EX, h_set_info_ex},
        {LSA_MSG_SET_ENCTYPES, h_set_enctypes},
        {LSA_MSG_SET_FTI, h_set_fti},
        {LSA_MSG_QUERY_FTI, h_query_fti},
        {LSA_MSG_FETCH_FTI, h_fetch_fti},
        {LSA_MSG_DELETE_TDO, h_delete_tdo},
        {LSA_MSG_VALIDATE, h_validate},
        {LSA_MSG_SC_RESET, h_sc_reset},
};

static int
parse_fd(int argc, char **argv, int *out)
{
	const char *p;
	char *end;
	long v;

	if (argc != 2 || strncmp(argv[1], "--fd=", 5) != 0)
		return -1;
	p = argv[1] + 5;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '\0' || v < 3 || v > INT_MAX)
		return -1;
	if (fcntl((int)v, F_GETFD) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Serves one request; returns < 0 when the helper must stop. */
static int
serve(int fd, struct hsess **sess, const struct lsa_msg *req)
{
	struct lsa_msg rep;
	struct err err;
	op_fn fn = NULL;
	bool stop = false;
	int rc = 0;

	lsa_msg_init(&rep);
	err_init(&err);
	rep.type = (uint8_t)(req->type | LSA_MSG_REPLY);
	if (req->type & LSA_MSG_REPLY) {
		rc = err_set(&err, ERR_INVALID,
		             "got a reply, expected a request");
	} else if (req->type == LSA_MSG_LOGIN) {
		if (*sess != NULL)
			rc = err_set(&err, ERR_INVALID, "already logged in");
		else
			rc = h_login(sess, req, &rep, &err);
		stop = rc < 0;
	} else if (*sess == NULL) {
		rc = err_set(&err, ERR_INVALID, "LOGIN must come first");
		stop = true;
	} else {
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (ops[i].type == req->type)
				fn = ops[i].fn;
		if (fn == NULL)
			rc = err_set(&err, ERR_INVALID,
			             "unsupported request %s",
			             lsa_msg_type_name(req->type));
		else
			rc = fn(*sess, req, &rep, &err);
	}
	if (rc < 0) {
		/* only the header goes out with an error, never a body */
		uint32_t kind = rep.status_kind, status = rep.status;
		char *name = rep.status_name;

		rep.status_name = NULL;
		lsa_msg_release(&rep);
		rep.type = (uint8_t)(req->type | LSA_MSG_REPLY);
		rep.code = (int32_t)err.code;
		rep.status = status;
		rep.status_kind = kind;
		rep.status_name = name;
		rep.message = xstrdup(err.msg);
	}
	if (lsa_proto_send(fd, &rep, -1, &err) < 0) {
		fprintf(stderr, "adtrust-lsa: cannot send reply: %s\n",
		        err.msg);
		stop = true;
	}
	lsa_msg_release(&rep);
	return stop ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct hsess *sess = NULL;
	struct lsa_msg req;
	struct err err;
	int fd = -1, rc, status = 0;

	if (parse_fd(argc, argv, &fd) < 0) {
		fprintf(stderr, "usage: adtrust-lsa --fd=N\n"
		                "(started by adtrust; speaks the protocol of "
		                "providers/lsa_proto.h on fd N)\n");
		return 64;
	}
	/* it holds passwords and Samba may abort(): never dump core */
	{
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	/* nothing may ever write to our stdout but stderr's owner */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/*
	 * adtrust decides when a run stops: a Ctrl-C that reaches the whole
	 * process group, or a service manager's SIGTERM to every process of
	 * the unit, must not kill us in the middle of a write, because the
	 * rollback that follows needs this session.  We end when adtrust
	 * closes the socket (or dies, which closes it) or kills us on a
	 * timeout.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		err_init(&err);
		rc = lsa_proto_recv(fd, &req, -1, &err);
		if (rc == ERR_NOTFOUND)
			break; /* adtrust closed its end: done */
		if (rc < 0) {
			fprintf(stderr, "adtrust-lsa: %s\n", err.msg);
			status = 1;
			break;
		}
		rc = serve(fd, &sess, &req);
		lsa_msg_release(&req); /* wipes the secrets */
		if (rc < 0) {
			status = 1;
			break;
		}
	}
	h_close(sess);
	close(fd);
	return status;
}
