/*
 * lsa_cli: runs one providers/lsa.h operation from the command line, for
 * tests/lab/t_05_lsa_helper.sh (not a unit test: the name does not start
 * with test_).  Secrets come from the environment only: ADT_LSA_PASSWORD
 * (admin password, with -u) and ADT_TRUST_PASSWORD (create).
 *
 * usage: lsa_cli -s SERVER [-r REALM] [-u USER] [-c CCACHE] [-H HELPER]
 *                [-t TIMEOUT_MS] [-p] [-w] OP [ARGS...] [+ OP [ARGS...]]...
 *   info | query NAME | delete NAME | validate PARTNER | sc-reset PARTNER
 *   create NAME NETBIOS SID DIRECTION TYPE ATTRIBUTES ENCTYPES
 *   set-info-ex NAME DIRECTION TYPE ATTRIBUTES | set-enctypes NAME ENCTYPES
 *   set-fti NAME check|store RECORD...   RECORD: tln:NAME | tlnex:NAME |
 *           dom:DNS,NETBIOS,SID, each optionally followed by @FLAGS
 *   query-fti NAME | fetch-fti PARTNER
 * -p: after logging in print "ready" and wait for a line on stdin before
 * running OP (lets a test stop or kill the helper mid-request).
 * -w: a session that writes (struct lsa_login.write): the login fails
 * unless the account may create, change and delete trusts.
 * Several OPs separated by "+" run one after the other on one session.
 * Exit 0 on success, 1 on failure (message on stderr), 64 for usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/fti.h"
#include "providers/lsa.h"
#include "util/err.h"
#include "util/xalloc.h"

static int
usage(void)
{
	fprintf(stderr, "usage: lsa_cli -s SERVER [-r REALM] [-u USER] "
	                "[-c CCACHE] [-H HELPER] [-t MS] [-p] [-w] OP "
	                "[ARGS...]\n");
	return 64;
}

static uint32_t
num(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 0);
}

static void
print_fti(const struct fti *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fti_record *r = &f->rec[i];

		printf("%s flags=0x%x ts=", fti_type_name(r->type),
		       (unsigned)r->flags);
		for (size_t b = 0; b < 8; b++)
			printf("%02x", (unsigned)r->ts[b]);
		printf(" %s", r->name ? r->name : "-");
		if (r->type == FTI_DOMAIN)
			printf(" %s %s", r->netbios ? r->netbios : "-",
			       r->sid ? r->sid : "-");
		printf("\n");
	}
}

/* tln:NAME, tlnex:NAME, dom:DNS,NETBIOS,SID with an optional @FLAGS */
static int
parse_record(struct fti *f, const char *arg, struct err *err)
{
	struct fti_record r;
	char *s = xstrdup(arg), *at, *c1, *c2;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	fti_timestamp_now(r.ts);
	if ((at = strchr(s, '@')) != NULL) {
		*at = '\0';
		r.flags = num(at + 1);
	}
	if (strncmp(s, "tln:", 4) == 0) {
		r.type = FTI_TLN;
		r.name = s + 4;
	} else if (strncmp(s, "tlnex:", 6) == 0) {
		r.type = FTI_TLN_EX;
		r.name = s + 6;
	} else if (strncmp(s, "dom:", 4) == 0 &&
	           (c1 = strchr(s + 4, ',')) != NULL &&
	           (c2 = strchr(c1 + 1, ',')) != NULL) {
		*c1 = *c2 = '\0';
		r.type = FTI_DOMAIN;
		r.name = s + 4;
		r.netbios = c1 + 1;
		r.sid = c2 + 1;
	} else {
		rc = err_set(err, ERR_INVALID, "bad record '%s'", arg);
	}
	if (rc == 0)
		fti_add(f, &r);
	free(s);
	return rc;
}

static int
run(struct lsa_session *s, int argc, char **argv, struct err *err)
{
	const char *op = argv[0];
	int rc = -1;

	if (strcmp(op, "info") == 0 && argc == 1) {
		struct lsa_domain_info d;

		if ((rc = lsa_info(s, &d, err)) == 0)
			printf("dns_domain=%s netbios=%s sid=%s forest=%s\n",
			       d.dns_domain, d.netbios, d.sid, d.forest);
		lsa_domain_info_release(&d);
	} else if (strcmp(op, "query") == 0 && argc == 2) {
		struct lsa_tdo t;

		if ((rc = lsa_query_tdo(s, argv[1], &t, err)) == 0)
			printf("name=%s netbios=%s sid=%s direction=0x%x "
			       "type=%u attributes=0x%x enctypes=0x%x\n",
			       t.name, t.netbios, t.sid ? t.sid : "-",
			       (unsigned)t.direction, (unsigned)t.type,
			       (unsigned)t.attributes, (unsigned)t.enctypes);
		lsa_tdo_release(&t);
	} else if (strcmp(op, "create") == 0 && argc == 8) {
		struct lsa_create c = {
		        .name = argv[1],
		        .netbios = argv[2],
		        .sid = argv[3],
		        .direction = num(argv[4]),
		        .type = num(argv[5]),
		        .attributes = num(argv[6]),
		        .enctypes = num(argv[7]),
		        .password = getenv("ADT_TRUST_PASSWORD"),
		};

		if (c.password == NULL)
			return err_set(err, ERR_INVALID,
			               "ADT_TRUST_PASSWORD is not set");
		rc = lsa_create_tdo(s, &c, err);
	} else if (strcmp(op, "set-info-ex") == 0 && argc == 5) {
		rc = lsa_set_info_ex(s, argv[1], num(argv[2]), num(argv[3]),
		                     num(argv[4]), err);
	} else if (strcmp(op, "set-enctypes") == 0 && argc == 3) {
		rc = lsa_set_enctypes(s, argv[1], num(argv[2]), err);
	} else if (strcmp(op, "delete") == 0 && argc == 2) {
		rc = lsa_delete_tdo(s, argv[1], err);
	} else if (strcmp(op, "set-fti") == 0 && argc >= 3) {
		struct lsa_collisions coll;
		struct fti f;

		fti_init(&f);
		rc = 0;
		for (int i = 3; i < argc && rc == 0; i++)
			rc = parse_record(&f, argv[i], err);
		if (rc == 0)
			rc = lsa_set_fti(s, argv[1], &f,
			                 strcmp(argv[2], "check") == 0, &coll,
			                 err);
		if (rc == 0) {
			printf("collisions=%zu\n", coll.n);
			for (size_t i = 0; i < coll.n; i++)
				printf("collision index=%u type=%u flags=0x%x "
				       "name=%s\n",
				       (unsigned)coll.v[i].index,
				       (unsigned)coll.v[i].type,
				       (unsigned)coll.v[i].flags,
				       coll.v[i].name ? coll.v[i].name : "-");
			lsa_collisions_release(&coll);
		}
		fti_release(&f);
	} else if ((strcmp(op, "query-fti") == 0 ||
	            strcmp(op, "fetch-fti") == 0) &&
	           argc == 2) {
		struct fti f;

		if (op[0] == 'q')
			rc = lsa_query_fti(s, argv[1], &f, err);
		else
			rc = lsa_fetch_partner_fti(s, argv[1], &f, err);
		if (rc == 0)
			print_fti(&f);
		fti_release(&f);
	} else if (strcmp(op, "validate") == 0 && argc == 2) {
		struct lsa_validation v;

		rc = lsa_validate(s, argv[1], &v, err);
		printf("flags=0x%x dc=%s trust=%s connection=%s\n",
		       (unsigned)v.flags, v.dc_name ? v.dc_name : "-",
		       v.pdc_text ? v.pdc_text : "-",
		       v.tc_text ? v.tc_text : "-");
		lsa_validation_release(&v);
	} else if (strcmp(op, "sc-reset") == 0 && argc == 2) {
		if ((rc = lsa_sc_reset(s, argv[1], err)) == 0)
			printf("secure channel to %s reset\n", argv[1]);
	} else {
		return err_set(err, ERR_INVALID, "bad operation '%s'", op);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct lsa_login l = {0};
	struct lsa_session *s = NULL;
	const char *helper = NULL;
	unsigned timeout = 30000;
	bool pause = false;
	struct err err;
	char line[16];
	int c, rc;

	err_init(&err);
	while ((c = getopt(argc, argv, "+s:r:u:c:H:t:pw")) != -1) {
		switch (c) {
		case 's':
			l.server = optarg;
			break;
		case 'r':
			l.realm = optarg;
			break;
		case 'u':
			l.user = optarg;
			break;
		case 'c':
			l.ccache = optarg;
			break;
		case 'H':
			helper = optarg;
			break;
		case 't':
			timeout = (unsigned)num(optarg);
			break;
		case 'p':
			pause = true;
			break;
		case 'w':
			l.write = true;
			break;
		default:
			return usage();
		}
	}
	if (l.server == NULL || optind >= argc)
		return usage();
	if (l.user != NULL &&
	    (l.password = getenv("ADT_LSA_PASSWORD")) == NULL) {
		fprintf(stderr, "lsa_cli: ADT_LSA_PASSWORD is not set\n");
		return 1;
	}
	rc = lsa_session_open(&s, helper, &l, timeout, &err);
	if (rc == 0 && pause) {
		printf("ready\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			rc = err_set(&err, ERR_IO, "stdin closed");
	}
	/* OP ARGS [+ OP ARGS ...]: several requests on one session */
	for (int i = optind, j; rc == 0 && i < argc; i = j + 1) {
		for (j = i; j < argc && strcmp(argv[j], "+") != 0; j++)
			;
		if (j == i)
			rc = err_set(&err, ERR_INVALID, "empty operation");
		else
			rc = run(s, j - i, argv + i, &err);
	}
	lsa_session_close(s);
	if (rc < 0)
		fprintf(stderr, "lsa_cli: %s\n", err.msg);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc < 0 ? 1 : 0;
}
