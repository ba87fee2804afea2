#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <krb5/krb5.h>

#include "providers/krb.h"
#include "util/err.h"

/*
 * No KDC anywhere: a krb5.conf that knows no realm and never asks DNS, so
 * every network step fails at once with "Cannot find KDC".  What is tested
 * is everything around it: arguments, which steps run, the one-line
 * messages (realms, step, principal, never the password), and that a ccache
 * is only read.  Criterion forks per test, so setenv stays in the test.
 */
static char T[64];
static const char PW[] = "Not.In-Any-Message-7f3a";

static void
setup(void)
{
	char path[128];
	FILE *fp;

	snprintf(T, sizeof(T), "/tmp/adt-test-krb.XXXXXX");
	cr_assert_not_null(mkdtemp(T));
	snprintf(path, sizeof(path), "%s/krb5.conf", T);
	cr_assert_not_null(fp = fopen(path, "w"));
	fprintf(fp, "[libdefaults]\n"
	            "    default_realm = NOWHERE.TEST\n"
	            "    dns_lookup_kdc = false\n"
	            "    dns_lookup_realm = false\n"
	            "    dns_uri_lookup = false\n");
	fclose(fp);
	setenv("KRB5_CONFIG", path, 1);
	snprintf(path, sizeof(path), "FILE:%s/default-cc", T);
	setenv("KRB5CCNAME", path, 1);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	cr_assert_eq(system(cmd), 0);
}

/*
 * A FILE ccache for client with one TGT krbtgt/R@R (a fake ticket) that
 * ends life_s seconds from now.
 */
static void
fake_ccache(const char *name, const char *client, long life_s)
{
	krb5_context ctx;
	krb5_ccache cc;
	krb5_creds c;
	krb5_timestamp now;
	krb5_octet key[32] = {0};
	char tkt[] = "not a real ticket";
	const char *realm = strchr(client, '@') + 1;

	memset(&c, 0, sizeof(c));
	cr_assert_eq(krb5_init_context(&ctx), 0);
	cr_assert_eq(krb5_cc_resolve(ctx, name, &cc), 0);
	cr_assert_eq(krb5_parse_name(ctx, client, &c.client), 0);
	cr_assert_eq(krb5_build_principal(ctx, &c.server,
	                                  (unsigned)strlen(realm), realm,
	                                  "krbtgt", realm, NULL),
	             0);
	cr_assert_eq(krb5_cc_initialize(ctx, cc, c.client), 0);
	cr_assert_eq(krb5_timeofday(ctx, &now), 0);
	c.times.authtime = c.times.starttime = now - 60;
	c.times.endtime = (krb5_timestamp)(now + life_s);
	c.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	c.keyblock.length = sizeof(key);
	c.keyblock.contents = key;
	c.ticket.length = (unsigned)strlen(tkt);
	c.ticket.data = tkt;
	cr_assert_eq(krb5_cc_store_cred(ctx, cc, &c), 0);
	krb5_free_principal(ctx, c.client);
	krb5_free_principal(ctx, c.server);
	krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
}

/* Whether the bytes p[0..n) contain the string s. */
static bool
has_bytes(const void *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp((const char *)p + i, s, k) == 0)
			return true;
	return false;
}

/* The number of credentials in a ccache. */
static size_t
count_creds(const char *name)
{
	krb5_context ctx;
	krb5_ccache cc;
	krb5_cc_cursor cur;
	krb5_creds c;
	size_t n = 0;

	cr_assert_eq(krb5_init_context(&ctx), 0);
	cr_assert_eq(krb5_cc_resolve(ctx, name, &cc), 0);
	cr_assert_eq(krb5_cc_start_seq_get(ctx, cc, &cur), 0);
	while (krb5_cc_next_cred(ctx, cc, &cur, &c) == 0) {
		if (!krb5_is_config_principal(ctx, c.server))
			n++;
		krb5_free_cred_contents(ctx, &c);
	}
	krb5_cc_end_seq_get(ctx, cc, &cur);
	krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
	return n;
}

TestSuite(prov_krb, .init = setup, .fini = teardown);

Test(prov_krb, realm_of_principal)
{
	cr_assert_str_eq(prov_krb_realm_of("administrator@B.TEST"), "B.TEST");
	cr_assert_str_eq(prov_krb_realm_of("cifs/dc.b.test@B.TEST"), "B.TEST");
	cr_assert_str_eq(prov_krb_realm_of("odd\\@name@R"), "R");
	cr_assert_null(prov_krb_realm_of("cifs/dc.b.test"));
	cr_assert_null(prov_krb_realm_of("trailing@"));
	cr_assert_null(prov_krb_realm_of(NULL));
	cr_assert_str_eq(prov_krb_step_name(PROV_KRB_CROSS),
	                 "cross-realm ticket");
}

Test(prov_krb, bad_arguments_are_invalid_and_nothing_runs)
{
	struct prov_krb_result r;
	struct err err;

	err_init(&err);
	cr_assert_eq(prov_krb_check_trust(&r, "a@A.TEST", PW, NULL, NULL, NULL,
	                                  &err),
	             ERR_INVALID);
	cr_assert_not(r.step[PROV_KRB_INITIAL].done);
	cr_assert_eq(
	        prov_krb_check_trust(&r, NULL, PW, NULL, "B.TEST", NULL, &err),
	        ERR_INVALID);
	cr_assert(strstr(err.msg, PW) == NULL);
	cr_assert_eq(prov_krb_check_trust(&r, "a@A.TEST", "", NULL, "B.TEST",
	                                  NULL, &err),
	             ERR_INVALID);
	cr_assert_eq(prov_krb_check_trust(&r, "a@A.TEST", PW, NULL, "B.TEST",
	                                  "cifs/dc@B.TEST", &err),
	             ERR_INVALID);
	cr_assert(strstr(err.msg, "without a realm") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, PW) == NULL);
}

Test(prov_krb, initial_step_failure_names_realms_and_principal_not_password)
{
	struct prov_krb_result r;
	struct err err;
	int rc;

	err_init(&err);
	rc = prov_krb_check_trust(&r, "alice@NOWHERE.TEST", PW, NULL,
	                          "OTHER.TEST", "cifs/dc.other.test", &err);
	cr_assert_eq(rc, ERR_BACKEND);
	cr_assert(strncmp(err.msg,
	                  "NOWHERE.TEST -> OTHER.TEST: no initial ticket for "
	                  "'alice@NOWHERE.TEST': Cannot find KDC for realm",
	                  strlen("NOWHERE.TEST -> OTHER.TEST: no initial "
	                         "ticket for 'alice@NOWHERE.TEST': Cannot "
	                         "find KDC for realm")) == 0,
	          "%s", err.msg);
	cr_assert_neq(err.sys, 0);
	cr_assert(strstr(err.msg, PW) == NULL);
	cr_assert_str_eq(r.client, "alice@NOWHERE.TEST");
	cr_assert_str_eq(r.user_realm, "NOWHERE.TEST");
	cr_assert_not(r.from_ccache);
	cr_assert(r.step[PROV_KRB_INITIAL].done);
	cr_assert_not(r.step[PROV_KRB_INITIAL].ok);
	cr_assert_str_eq(r.step[PROV_KRB_INITIAL].server,
	                 "krbtgt/NOWHERE.TEST@NOWHERE.TEST");
	cr_assert_not(r.step[PROV_KRB_CROSS].done);
	cr_assert_not(r.step[PROV_KRB_SERVICE].done);
	cr_assert_not(has_bytes(&r, sizeof(r), PW));
}

Test(prov_krb, user_without_realm_takes_the_default_realm)
{
	struct prov_krb_result r;
	struct err err;

	err_init(&err);
	cr_assert_eq(prov_krb_check_trust(&r, "alice", PW, NULL, "OTHER.TEST",
	                                  NULL, &err),
	             ERR_BACKEND);
	cr_assert_str_eq(r.client, "alice@NOWHERE.TEST");
}

Test(prov_krb, missing_ccache_is_notfound)
{
	struct prov_krb_result r;
	struct err err;
	char buf[256];

	err_init(&err);
	cr_assert_eq(prov_krb_ccache_principal(buf, sizeof(buf),
	                                       "FILE:/nonexistent/adt-cc",
	                                       &err),
	             ERR_NOTFOUND);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(prov_krb_check_trust(&r, NULL, NULL,
	                                  "FILE:/nonexistent/adt-cc",
	                                  "OTHER.TEST", NULL, &err),
	             ERR_NOTFOUND);
	cr_assert(strstr(err.msg, "no initial ticket") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "in the ccache") != NULL, "%s", err.msg);
	cr_assert(r.from_ccache);
}

Test(prov_krb, ccache_tgt_is_used_and_the_ccache_only_read)
{
	struct prov_krb_result r;
	struct err err;
	char cc[128], buf[256];

	snprintf(cc, sizeof(cc), "FILE:%s/cc.bob", T);
	fake_ccache(cc, "bob@NOWHERE.TEST", 3600);
	err_init(&err);
	cr_assert_eq(prov_krb_ccache_principal(buf, sizeof(buf), cc, &err), 0);
	cr_assert_str_eq(buf, "bob@NOWHERE.TEST");

	/* the TGT is taken; the cross-realm step is tried (and finds no KDC) */
	cr_assert_eq(prov_krb_check_trust(&r, NULL, NULL, cc, "OTHER.TEST",
	                                  "cifs/dc.other.test", &err),
	             ERR_BACKEND);
	cr_assert(r.from_ccache);
	cr_assert(r.step[PROV_KRB_INITIAL].ok);
	cr_assert_str_eq(r.step[PROV_KRB_INITIAL].server,
	                 "krbtgt/NOWHERE.TEST@NOWHERE.TEST");
	cr_assert(r.step[PROV_KRB_CROSS].done);
	cr_assert_not(r.step[PROV_KRB_CROSS].ok);
	cr_assert_str_eq(r.step[PROV_KRB_CROSS].server,
	                 "krbtgt/OTHER.TEST@NOWHERE.TEST");
	cr_assert_not(r.step[PROV_KRB_SERVICE].done);
	cr_assert(strncmp(err.msg,
	                  "NOWHERE.TEST -> OTHER.TEST: no cross-realm ticket: ",
	                  50) == 0,
	          "%s", err.msg);
	/* nothing was added to the ccache */
	cr_assert_eq(count_creds(cc), 1);

	/* another principal than the ccache's, and the realm itself */
	cr_assert_eq(prov_krb_check_trust(&r, "alice@NOWHERE.TEST", NULL, cc,
	                                  "OTHER.TEST", NULL, &err),
	             ERR_INVALID);
	cr_assert(strstr(err.msg, "holds 'bob@NOWHERE.TEST'") != NULL, "%s",
	          err.msg);
	cr_assert_eq(prov_krb_check_trust(&r, "bob@NOWHERE.TEST", NULL, cc,
	                                  "NOWHERE.TEST", NULL, &err),
	             ERR_INVALID);
	cr_assert(strstr(err.msg, "not a cross-realm check") != NULL, "%s",
	          err.msg);
}

Test(prov_krb, expired_ccache_tgt_fails_the_initial_step)
{
	struct prov_krb_result r;
	struct err err;
	char cc[128];

	snprintf(cc, sizeof(cc), "FILE:%s/cc.old", T);
	fake_ccache(cc, "bob@NOWHERE.TEST", -10);
	err_init(&err);
	cr_assert_eq(prov_krb_check_trust(&r, NULL, NULL, cc, "OTHER.TEST",
	                                  NULL, &err),
	             ERR_BACKEND);
	cr_assert(strstr(err.msg, "no initial ticket for 'bob@NOWHERE.TEST' "
	                          "in the ccache: Ticket expired") != NULL,
	          "%s", err.msg);
	cr_assert_not(r.step[PROV_KRB_CROSS].done);
}
