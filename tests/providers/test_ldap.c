#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "providers/prov.h"
#include "providers/prov_int.h"
#include "util/err.h"

static int
policy(enum prov_bind *out, const char *uri, int method, bool *starttls,
       struct err *err)
{
	char name[] = "a.test", user[] = "admin@A.TEST";
	struct model_credential c = {.user = user};
	struct model_domain d = {.name = name, .starttls = starttls};
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", uri);
	d.ldap = buf;
	c.method = (enum model_cred_method)(method >= 0 ? method : 0);
	err_init(err);
	return prov_ldap_bind_policy(out, &d, method >= 0 ? &c : NULL, err);
}

Test(prov_ldap, password_over_ldap_uses_starttls_by_default)
{
	enum prov_bind b;
	struct err err;

	cr_assert_eq(policy(&b, "ldap://dc1.a.test", MODEL_CRED_PASSWORD, NULL,
	                    &err),
	             0);
	cr_expect_eq(b, PROV_BIND_SIMPLE_STARTTLS);
	cr_assert_eq(policy(&b, "LDAPS://dc1.a.test:636", MODEL_CRED_PASSWORD,
	                    NULL, &err),
	             0);
	cr_expect_eq(b, PROV_BIND_SIMPLE_LDAPS);
}

Test(prov_ldap, clear_text_simple_bind_refused)
{
	bool no = false;
	enum prov_bind b;
	struct err err;

	cr_assert_eq(
	        policy(&b, "ldap://dc1.a.test", MODEL_CRED_PASSWORD, &no, &err),
	        ERR_DENIED);
	cr_expect_not_null(strstr(err.msg, "'a.test'"));
	cr_expect_not_null(strstr(err.msg, "'ldap://dc1.a.test'"));
	cr_expect_not_null(strstr(err.msg, "clear-text"));
	cr_expect_null(strchr(err.msg, '\n'));
	/* over ldaps:// starttls: false does not matter */
	cr_expect_eq(policy(&b, "ldaps://dc1.a.test", MODEL_CRED_PASSWORD, &no,
	                    &err),
	             0);
}

Test(prov_ldap, kerberos_uses_gssapi_and_refuses_tls)
{
	bool yes = true;
	enum prov_bind b;
	struct err err;

	cr_assert_eq(policy(&b, "ldap://dc1.a.test", MODEL_CRED_KERBEROS, NULL,
	                    &err),
	             0);
	cr_expect_eq(b, PROV_BIND_GSSAPI);
	cr_expect_eq(policy(&b, "ldaps://dc1.a.test", MODEL_CRED_KERBEROS, NULL,
	                    &err),
	             ERR_DENIED);
	cr_expect_eq(policy(&b, "ldap://dc1.a.test", MODEL_CRED_KERBEROS, &yes,
	                    &err),
	             ERR_DENIED);
}

Test(prov_ldap, no_credentials_is_anonymous)
{
	enum prov_bind b;
	struct err err;

	cr_assert_eq(policy(&b, "ldap://127.0.0.1:3890", -1, NULL, &err), 0);
	cr_expect_eq(b, PROV_BIND_ANONYMOUS);
}

Test(prov_ldap, other_schemes_refused)
{
	enum prov_bind b;
	struct err err;

	cr_expect_eq(
	        policy(&b, "ldapi:///run/x", MODEL_CRED_KERBEROS, NULL, &err),
	        ERR_INVALID);
	cr_expect_eq(policy(&b, "dc1.a.test", MODEL_CRED_PASSWORD, NULL, &err),
	             ERR_INVALID);
}

Test(prov_ldap, dn_to_domain)
{
	char *dns = NULL, *dn = NULL;
	struct err err;

	err_init(&err);
	cr_assert_eq(prov_dn_domain(&dns, &dn,
	                            "CN=b.test,CN=System,dc=Child,DC=A,DC=test",
	                            false, &err),
	             0);
	cr_expect_str_eq(dns, "child.a.test");
	cr_expect_str_eq(dn, "DC=Child,DC=A,DC=test");
	free(dns);
	free(dn);
	cr_expect_eq(
	        prov_dn_domain(&dns, NULL, "CN=x,DC=a,DC=test", true, &err),
	        ERR_NOTFOUND);
	cr_expect_eq(
	        prov_dn_domain(&dns, NULL, "CN=Configuration", false, &err),
	        ERR_NOTFOUND);
	cr_expect_eq(prov_dn_domain(&dns, NULL, "CN=x,,", false, &err),
	             ERR_INVALID);
	cr_expect_null(dns);
	dn = prov_dns_to_dn("a.test");
	cr_expect_str_eq(dn, "DC=a,DC=test");
	free(dn);
}

Test(prov_ldap, ident_values)
{
	static const unsigned char sid[] = {1,  4, 0, 0, 0, 0, 0, 5,
	                                    21, 0, 0, 0, 1, 0, 0, 0,
	                                    2,  0, 0, 0, 3, 0, 0, 0};
	struct model_domain_state d = {.functional_level = -1};
	struct err err;

	err_init(&err);
	cr_assert_eq(prov_ident_value(&d, PROV_IDENT_DOMAIN, "objectSid", sid,
	                              sizeof(sid), &err),
	             0);
	cr_expect_str_eq(d.sid, "S-1-5-21-1-2-3");
	cr_assert_eq(prov_ident_value(&d, PROV_IDENT_DOMAIN,
	                              "msDS-Behavior-Version", "7", 1, &err),
	             0);
	cr_expect_eq(d.functional_level, 7);
	/* the rootDSE wins */
	cr_assert_eq(prov_ident_value(&d, PROV_IDENT_ROOTDSE,
	                              "domainFunctionality", "4", 1, &err),
	             0);
	cr_expect_eq(d.functional_level, 4);
	cr_assert_eq(prov_ident_value(&d, PROV_IDENT_ROOTDSE,
	                              "rootDomainNamingContext", "DC=A,DC=test",
	                              12, &err),
	             0);
	cr_expect_str_eq(d.forest_root, "a.test");
	cr_assert_eq(prov_ident_value(&d, PROV_IDENT_CROSSREF, "nETBIOSName",
	                              "A", 1, &err),
	             0);
	cr_expect_str_eq(d.netbios, "A");
	cr_expect_eq(prov_ident_value(&d, PROV_IDENT_DOMAIN, "objectSid", sid,
	                              5, &err),
	             ERR_INVALID);
	cr_expect_not_null(strstr(err.msg, "'objectSid'"));
	model_domain_state_release(&d);
}
