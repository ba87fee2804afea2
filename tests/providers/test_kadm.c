#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "providers/kadm.h"
#include "util/err.h"
#include "util/xalloc.h"

/*
 * The keys adtrust writes to an MIT KDC must be the keys an AD DC derives
 * from the same trust password: string-to-key with the salt of the
 * cross-realm principal, REALM || "krbtgt" || INSTANCE (MS-KILE 3.3.5.6.2;
 * Samba db-glue.c and kdc_base_test.py).  The vectors are the spec's
 * (TRUST-DATA-MODEL 6.6: computed with an independent RFC 3962
 * implementation, checked against MIT ktutil), for AD = AD.EXAMPLE.COM and
 * MIT = MIT.EXAMPLE.COM, password "TrustPassw0rd!".  A wrong salt (swapped
 * realms, a '/' kept, lower case) gives other keys, which these tests tell.
 */
static const char PW[] = "TrustPassw0rd!";

static void
hex(char *out, const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", k[i]);
}

static void
key_is(int32_t et, const char *salt, const char *want)
{
	uint8_t k[64];
	char h[129];
	size_t n;
	struct err err;

	err_init(&err);
	cr_assert_eq(
	        prov_kadm_string_to_key(k, sizeof(k), &n, et, PW, salt, &err),
	        0, "%s", err.msg);
	hex(h, k, n);
	cr_expect_str_eq(h, want, "enctype %d, salt '%s'", (int)et, salt);
}

Test(kadm_salt, ad_rule_for_both_principals)
{
	char s[256];

	/* krbtgt/AD@MIT: AD's trustAuthOutgoing key */
	prov_kadm_ad_salt(s, sizeof(s), "MIT.EXAMPLE.COM", "AD.EXAMPLE.COM");
	cr_assert_str_eq(s, "MIT.EXAMPLE.COMkrbtgtAD.EXAMPLE.COM");
	/* krbtgt/MIT@AD: AD's trustAuthIncoming key */
	prov_kadm_ad_salt(s, sizeof(s), "AD.EXAMPLE.COM", "MIT.EXAMPLE.COM");
	cr_assert_str_eq(s, "AD.EXAMPLE.COMkrbtgtMIT.EXAMPLE.COM");
}

Test(kadm_salt, keys_match_the_spec_vectors)
{
	key_is(18, "MIT.EXAMPLE.COMkrbtgtAD.EXAMPLE.COM",
	       "72304f50527a98da2d54033461d84faae965ac8b430edf09544b3f5aa39a09"
	       "e1");
	key_is(17, "MIT.EXAMPLE.COMkrbtgtAD.EXAMPLE.COM",
	       "a468647b1a8193023dd8d433de477590");
	key_is(18, "AD.EXAMPLE.COMkrbtgtMIT.EXAMPLE.COM",
	       "4f5afd95204064c017f4d630635a11795ad409f3e3b6a9789978d621a5c3b5"
	       "1e");
	key_is(17, "AD.EXAMPLE.COMkrbtgtMIT.EXAMPLE.COM",
	       "87ff4f61e2d1bfa4ec6f5aff046b3c65");
	/* RC4 is MD4(UTF-16LE(password)): no salt */
	key_is(23, "anything", "8eb91010ad9cc7821760f5adcf156ac4");
}

Test(kadm_salt, another_salt_gives_another_key)
{
	static const char *const wrong[] = {
	        "AD.EXAMPLE.COMkrbtgtMIT.EXAMPLE.COM",  /* realms swapped */
	        "MIT.EXAMPLE.COMkrbtgt/AD.EXAMPLE.COM", /* '/' kept */
	        "mit.example.comkrbtgtad.example.com",  /* case */
	        "",
	};
	uint8_t k[64];
	char h[129];
	size_t n;
	struct err err;

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		err_init(&err);
		cr_assert_eq(prov_kadm_string_to_key(k, sizeof(k), &n, 18, PW,
		                                     wrong[i], &err),
		             0);
		hex(h, k, n);
		cr_expect_str_neq(
		        h,
		        "72304f50527a98da2d54033461d84faae965ac8b430ed"
		        "f09544b3f5aa39a09e1",
		        "salt '%s'", wrong[i]);
	}
}

Test(kadm_salt, unknown_enctype_is_an_error)
{
	uint8_t k[64];
	size_t n;
	struct err err;

	err_init(&err);
	cr_assert_eq(
	        prov_kadm_string_to_key(k, sizeof(k), &n, 9999, PW, "S", &err),
	        ERR_INVALID);
	cr_assert_null(strstr(err.msg, PW));
}

/* ---- realm sides in the expansion ---- */

static struct model *
load(const char *text)
{
	struct model *m = NULL;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", text, strlen(text), &d, &err),
	             0, "%s", d.n ? d.v[0].msg : err.msg);
	diags_release(&d);
	return m;
}

Test(kadm_model, realm_sides_and_principal_names)
{
	struct model *m = load(
	        "version: 1\n"
	        "domains:\n"
	        "  - { name: na.test, netbios: NA, sid: S-1-5-21-1-2-3 }\n"
	        "  - { name: ATHENA.TEST, kind: mit-realm, kadmin: kdc,\n"
	        "      credentials: k }\n"
	        "credentials:\n"
	        "  - { name: k, method: keytab, user: a/admin, keytab: /k }\n"
	        "trusts:\n"
	        "  - { trusting: na.test, trusted: ATHENA.TEST, type: realm,\n"
	        "      direction: one-way, transitive: true,\n"
	        "      password: { env: X } }\n");
	struct model_expected e;
	struct err err;
	char name[128];

	err_init(&err);
	cr_assert_eq(model_expand(&e, m, &err), 0);
	cr_assert_eq(e.n_tdos, 1); /* the AD side */
	cr_assert_eq(model_expand_realms(&e, m, &err), 0);
	cr_assert_eq(e.n_tdos, 2);
	/* sorted: "ATHENA.TEST" < "na.test" (case-insensitive) */
	cr_assert(e.tdos[0].realm_side);
	cr_assert_str_eq(e.tdos[0].domain, "ATHENA.TEST");
	cr_assert_eq(e.tdos[0].direction, TDO_DIR_INBOUND);
	cr_assert_eq(e.tdos[0].attr_mask, 0);
	cr_assert_eq(e.tdos[0].enctypes, ENC_AES128 | ENC_AES256);
	model_princ_name(name, sizeof(name), &e.tdos[0], MODEL_PRINC_IN);
	cr_assert_str_eq(name, "krbtgt/NA.TEST@ATHENA.TEST");
	model_princ_name(name, sizeof(name), &e.tdos[0], MODEL_PRINC_OUT);
	cr_assert_str_eq(name, "krbtgt/ATHENA.TEST@NA.TEST");
	/* the AD side keeps its transitivity bit; the realm side has none */
	cr_assert_not(e.tdos[1].realm_side);
	cr_assert_eq(e.tdos[1].direction, TDO_DIR_OUTBOUND);
	cr_assert_eq(e.tdos[1].attributes & TA_NON_TRANSITIVE, 0);
	cr_assert(e.tdos[1].attr_mask & TA_NON_TRANSITIVE);
	model_expected_release(&e);
	model_free(m);
}

Test(kadm_model, keytab_method_needs_user_and_keytab)
{
	static const char text[] = "version: 1\n"
	                           "credentials:\n"
	                           "  - { name: k, method: keytab, user: a }\n";
	struct model *m = NULL;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	cr_assert_lt(model_load_buf(&m, "t.yaml", text, strlen(text), &d, &err),
	             0);
	cr_assert_eq(d.n, 1);
	cr_assert(strstr(d.v[0].msg, "method 'keytab' needs") != NULL);
	cr_assert_eq(d.v[0].line, 3);
	diags_release(&d);
}
