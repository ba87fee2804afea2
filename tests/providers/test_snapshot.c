#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

/* The snapshot directory tests/data/ldif/<name> (new string). */
static char *
data_dir(const char *name)
{
	const char *top = getenv("ADT_TOP");

	if (top != NULL && top[0] != '\0')
		return xasprintf("%s/tests/data/ldif/%s", top, name);
	return xasprintf("tests/data/ldif/%s", name);
}

/* A throwaway snapshot directory for inline LDIF. */
struct tmp {
	char dir[64];
	char *files[8];
	size_t n;
};

static void
tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/adt-snap-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	t->n = 0;
}

static void
tmp_add(struct tmp *t, const char *name, const char *text)
{
	FILE *fp;

	cr_assert_lt(t->n, 8);
	t->files[t->n] = xasprintf("%s/%s", t->dir, name);
	cr_assert_not_null(fp = fopen(t->files[t->n], "w"));
	cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	cr_assert_eq(fclose(fp), 0);
	t->n++;
}

static void
tmp_release(struct tmp *t)
{
	for (size_t i = 0; i < t->n; i++) {
		unlink(t->files[i]);
		free(t->files[i]);
	}
	rmdir(t->dir);
}

/* Reads domains from dir into *st; returns the provider's result. */
static int
snap_read(const char *dir, const char *const *domains, size_t n,
          struct model_state *st, struct err *err)
{
	struct prov_cfg cfg = {.snapshot_dir = dir};
	struct prov *p = NULL;
	int rc;

	model_state_init(st);
	err_init(err);
	cr_assert_eq(prov_open(&p, &prov_snapshot_ops, &cfg, err), 0);
	rc = prov_read(p, domains, n, st, err);
	prov_close(p);
	return rc;
}

/* Reads one inline file that must fail at line with a message holding s. */
static void
expect_error(const char *text, const char *domain, unsigned line, const char *s)
{
	const char *doms[] = {domain};
	struct model_state st;
	struct err err;
	struct tmp t;

	tmp_init(&t);
	tmp_add(&t, "x.ldif", text);
	cr_assert_lt(snap_read(t.dir, doms, 1, &st, &err), 0);
	cr_expect_eq(st.n_domains, 0);
	cr_expect_eq(err.code, ERR_INVALID, "code %d: %s", err.code, err.msg);
	cr_expect_eq(err.line, line, "line %u: %s", err.line, err.msg);
	cr_expect_not_null(strstr(err.file, "/x.ldif"), "file '%s'", err.file);
	cr_expect_not_null(strstr(err.msg, s), "'%s' not in '%s'", s, err.msg);
	model_state_release(&st);
	tmp_release(&t);
}

#define TDO_HEAD                                                               \
	"dn: CN=b.test,CN=System,DC=a,DC=test\n"                               \
	"objectClass: top\n"                                                   \
	"objectClass: trustedDomain\n"                                         \
	"trustPartner: b.test\n"                                               \
	"trustType: 2\n"

#define GUID_LINE "objectGUID:: URaqpDji38a+EsWKhIORxQ==\n"

Test(prov_snapshot, real_samba_forest_dump)
{
	const char *doms[] = {"a.test", "B.TEST"};
	char *dir = data_dir("forest-both");
	const struct model_tdo *t;
	struct model_state st;
	struct err err;

	cr_assert_eq(snap_read(dir, doms, 2, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.n_domains, 2);
	cr_expect_str_eq(st.domains[0].name, "a.test");
	cr_expect_str_eq(st.domains[1].name, "b.test");
	cr_expect_str_eq(st.domains[0].dn, "DC=a,DC=test");
	/* TDOs only: no identity records in this dump */
	cr_expect_null(st.domains[0].sid);
	cr_expect_null(st.domains[0].netbios);
	cr_expect_str_eq(st.domains[0].vendor, "");
	cr_expect_eq(st.domains[0].functional_level, -1);
	cr_assert_eq(st.domains[0].n_tdos, 1);
	t = &st.domains[0].tdos[0];
	cr_expect_str_eq(t->domain, "a.test");
	cr_expect_str_eq(t->dn, "CN=b.test,CN=System,DC=a,DC=test");
	cr_expect_str_eq(t->source, "tdo-a.ldif:1");
	cr_expect_str_eq(t->partner, "b.test");
	cr_expect_str_eq(t->flat_name, "B");
	cr_expect_str_eq(t->sid, "S-1-5-21-2847423564-2370914921-3775998487");
	cr_expect_eq(t->direction, TDO_DIR_BOTH);
	cr_expect_eq(t->type, TDO_TYPE_UPLEVEL);
	cr_expect_eq(t->attributes, TA_FOREST_TRANSITIVE);
	cr_expect_eq(t->attr_mask, 0xffffffffu);
	cr_expect(t->has_enctypes);
	cr_expect_eq(t->enctypes, ENC_AES128 | ENC_AES256);
	cr_expect_str_eq(t->guid, "63fb6938-de61-4e27-9507-d73d700d939b");
	cr_assert(t->has_fti);
	cr_expect_eq(t->fti_len, 95);
	cr_assert_eq(t->fti.n, 2);
	cr_expect_eq(t->fti.rec[0].type, FTI_TLN);
	cr_expect_str_eq(t->fti.rec[0].name, "b.test");
	cr_expect_eq(t->fti.rec[1].type, FTI_DOMAIN);
	cr_expect_str_eq(t->fti.rec[1].netbios, "B");
	cr_expect_eq(strlen(t->digest), 64);
	cr_expect_str_eq(st.domains[1].tdos[0].partner, "a.test");
	model_state_release(&st);
	free(dir);
}

Test(prov_snapshot, domains_come_back_in_the_order_asked)
{
	const char *doms[] = {"b.test", "a.test"};
	char *dir = data_dir("external-both");
	struct model_state st;
	struct err err;

	cr_assert_eq(snap_read(dir, doms, 2, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.n_domains, 2);
	cr_expect_str_eq(st.domains[0].name, "b.test");
	cr_expect_str_eq(st.domains[1].name, "a.test");
	/* external trust: quarantined, no forest trust info */
	cr_expect_eq(st.domains[1].tdos[0].attributes, TA_QUARANTINED_DOMAIN);
	cr_expect_not(st.domains[1].tdos[0].has_fti);
	cr_expect_null(st.domains[1].tdos[0].fti_blob);
	model_state_release(&st);
	free(dir);
}

Test(prov_snapshot, upn_suffix_in_forest_trust_info)
{
	const char *doms[] = {"a.test"};
	char *dir = data_dir("forest-upnsuffix");
	struct model_state st;
	struct err err;

	cr_assert_eq(snap_read(dir, doms, 1, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.domains[0].tdos[0].fti.n, 3);
	cr_expect_str_eq(st.domains[0].tdos[0].fti.rec[1].name,
	                 "corp.b.example");
	model_state_release(&st);
	free(dir);
}

/* ldapsearch -LLL of the domain + CN=System, -L of the rootDSE, crossRefs */
Test(prov_snapshot, live_lab_export_with_identity)
{
	const char *doms[] = {"a.test", "b.test"};
	char *dir = data_dir("lab-forest");
	const struct model_domain_state *a, *b;
	struct model_state st;
	struct err err;

	cr_assert_eq(snap_read(dir, doms, 2, &st, &err), 0, "%s", err.msg);
	a = &st.domains[0];
	b = &st.domains[1];
	cr_expect_str_eq(a->netbios, "A");
	cr_expect_str_eq(a->sid, "S-1-5-21-1379301648-380462010-1433268871");
	cr_expect_str_eq(a->forest_root, "a.test");
	cr_expect_str_eq(a->vendor, "Samba Team (https://www.samba.org)");
	cr_expect_eq(a->functional_level, 4);
	cr_expect_str_eq(a->source, "a-domain.ldif:1");
	cr_assert_eq(a->n_tdos, 1);
	cr_expect_str_eq(a->tdos[0].source, "a-domain.ldif:1422");
	cr_expect_str_eq(a->tdos[0].sid, b->sid);
	cr_expect_null(b->netbios); /* no crossRef exported for b */
	cr_expect_str_eq(b->tdos[0].flat_name, "A");
	model_state_release(&st);
	free(dir);
}

/* CRLF, changetype: add, base64 folded from the next line, other USNs */
Test(prov_snapshot, ldifde_export_hashes_like_ldapsearch)
{
	const char *doms[] = {"a.test"};
	char *d1 = data_dir("ldifde"), *d2 = data_dir("lab-forest");
	struct model_state s1, s2;
	struct err err;

	cr_assert_eq(snap_read(d1, doms, 1, &s1, &err), 0, "%s", err.msg);
	cr_assert_eq(snap_read(d2, doms, 1, &s2, &err), 0, "%s", err.msg);
	cr_expect_str_eq(s1.domains[0].netbios, "A");
	cr_expect_str_eq(s1.domains[0].forest_root, "a.test");
	cr_expect_str_eq(s1.domains[0].sid, s2.domains[0].sid);
	cr_expect_eq(s1.domains[0].functional_level, 4);
	cr_expect_str_eq(s1.domains[0].tdos[0].source, "a.ldif:20");
	cr_expect_eq(s1.domains[0].tdos[0].fti_len, 95);
	cr_expect_str_eq(s1.domains[0].tdos[0].digest,
	                 s2.domains[0].tdos[0].digest);
	model_state_release(&s1);
	model_state_release(&s2);
	free(d1);
	free(d2);
}

Test(prov_snapshot, folded_lines_comments_and_version_header)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;
	struct tmp t;

	tmp_init(&t);
	tmp_add(&t, "x.ldif",
	        "version: 1\n"
	        "\n"
	        "# a comment\n"
	        "#  folded\n"
	        "dn: CN=b.test,CN=System,\n"
	        " DC=a,DC=test\n"
	        "objectClass: trustedDomain\n"
	        "# between\n"
	        "trustPartner: b.te\n"
	        " st\n"
	        "trustDirection: 3\n"
	        "trustType: 2\n"
	        "trustAttributes: -2147483648\n"
	        "objectGUID:: URaqpDji38a+EsWKhIORxQ==\n"
	        "flatName:: Qg==\n");
	cr_assert_eq(snap_read(t.dir, doms, 1, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.domains[0].n_tdos, 1);
	cr_expect_str_eq(st.domains[0].tdos[0].partner, "b.test");
	cr_expect_str_eq(st.domains[0].tdos[0].flat_name, "B");
	cr_expect_str_eq(st.domains[0].tdos[0].source, "x.ldif:5");
	cr_expect_eq(st.domains[0].tdos[0].direction, 3);
	cr_expect_eq(st.domains[0].tdos[0].attributes, 0x80000000u);
	cr_expect_not(st.domains[0].tdos[0].has_enctypes);
	model_state_release(&st);
	tmp_release(&t);
}

Test(prov_snapshot, digest_ignores_usn_and_follows_attributes)
{
	const char *doms[] = {"a.test"};
	struct model_state s1, s2, s3;
	struct err err;
	struct tmp t1, t2, t3;

	tmp_init(&t1);
	tmp_init(&t2);
	tmp_init(&t3);
	tmp_add(&t1, "x.ldif",
	        TDO_HEAD "trustDirection: 3\nuSNChanged: 1\n"
	                 "whenChanged: 20260101000000.0Z\n" GUID_LINE);
	tmp_add(&t2, "x.ldif",
	        TDO_HEAD "uSNChanged: 7\ntrustDirection: 3\n"
	                 "whenChanged: 20270101000000.0Z\n" GUID_LINE);
	tmp_add(&t3, "x.ldif", TDO_HEAD "trustDirection: 2\n" GUID_LINE);
	cr_assert_eq(snap_read(t1.dir, doms, 1, &s1, &err), 0, "%s", err.msg);
	cr_assert_eq(snap_read(t2.dir, doms, 1, &s2, &err), 0, "%s", err.msg);
	cr_assert_eq(snap_read(t3.dir, doms, 1, &s3, &err), 0, "%s", err.msg);
	cr_expect_str_eq(s1.domains[0].tdos[0].digest,
	                 s2.domains[0].tdos[0].digest);
	cr_expect_str_neq(s1.domains[0].tdos[0].digest,
	                  s3.domains[0].tdos[0].digest);
	model_state_release(&s1);
	model_state_release(&s2);
	model_state_release(&s3);
	tmp_release(&t1);
	tmp_release(&t2);
	tmp_release(&t3);
}

Test(prov_snapshot, domain_without_tdos)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;
	struct tmp t;

	tmp_init(&t);
	tmp_add(&t, "x.ldif",
	        "dn: DC=a,DC=test\nobjectClass: domainDNS\n"
	        "objectSid:: AQQAAAAAAAUVAAAAEHk2UrpjrRaH8m1V\n");
	cr_assert_eq(snap_read(t.dir, doms, 1, &st, &err), 0, "%s", err.msg);
	cr_expect_eq(st.domains[0].n_tdos, 0);
	cr_expect_str_eq(st.domains[0].sid,
	                 "S-1-5-21-1379301648-380462010-1433268871");
	model_state_release(&st);
	tmp_release(&t);
}

Test(prov_snapshot, missing_domain_is_an_error)
{
	const char *doms[] = {"a.test", "x.test"};
	char *dir = data_dir("forest-both"), *want;
	struct model_state st;
	struct err err;

	cr_assert_eq(snap_read(dir, doms, 2, &st, &err), ERR_NOTFOUND);
	cr_expect_eq(st.n_domains, 0);
	want = xasprintf("no snapshot of domain 'x.test' in %s", dir);
	cr_expect_str_eq(err.msg, want);
	model_state_release(&st);
	free(want);
	free(dir);
}

Test(prov_snapshot, missing_directory_is_an_error)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;

	cr_expect_eq(snap_read("/nonexistent/adt", doms, 1, &st, &err), ERR_IO);
	cr_expect_not_null(strstr(err.msg, "/nonexistent/adt"));
	model_state_release(&st);
}

Test(prov_snapshot, url_value_refused_with_file_and_line)
{
	expect_error(TDO_HEAD "description:< file:///etc/passwd\n", "a.test", 6,
	             "URL");
	/* folded right after the colon */
	expect_error(TDO_HEAD "trustDirection: 3\n"
	                      "flatName:\n < file:///etc/hostname\n",
	             "a.test", 7, "'flatName'");
}

Test(prov_snapshot, include_refused)
{
	expect_error(TDO_HEAD "trustDirection: 3\n\ninclude: file:///etc/x\n",
	             "a.test", 8, "include");
}

Test(prov_snapshot, malformed_base64_names_file_line_attribute)
{
	expect_error(TDO_HEAD "trustDirection: 3\nsecurityIdentifier:: AQ*Q\n",
	             "a.test", 7, "'securityIdentifier'");
	expect_error(TDO_HEAD "trustDirection: 3\nobjectGUID:: AQQ\n", "a.test",
	             7, "'objectGUID': malformed base64");
	expect_error(TDO_HEAD "trustDirection: 3\nobjectGUID:: AQ=Q\n",
	             "a.test", 7, "'objectGUID': malformed base64");
}

Test(prov_snapshot, bad_integer_names_file_line_attribute)
{
	expect_error(TDO_HEAD "trustDirection: 3x\n", "a.test", 6,
	             "'trustDirection'");
	expect_error(TDO_HEAD
	             "trustDirection: 3\ntrustAttributes: 4294967296\n",
	             "a.test", 7, "'trustAttributes'");
	expect_error(TDO_HEAD "trustDirection: 3\n"
	                      "msDS-SupportedEncryptionTypes: \n",
	             "a.test", 7, "'msDS-SupportedEncryptionTypes'");
	expect_error(TDO_HEAD "trustDirection: +3\n", "a.test", 6,
	             "'trustDirection'");
}

Test(prov_snapshot, bad_fti_blob_names_file_line_attribute)
{
	expect_error(TDO_HEAD "trustDirection: 3\n"
	                      "msDS-TrustForestTrustInfo:: AQAAAAEAAAA=\n",
	             "a.test", 7, "'msDS-TrustForestTrustInfo'");
}

Test(prov_snapshot, bad_sid_and_guid)
{
	expect_error(TDO_HEAD "trustDirection: 3\n"
	                      "securityIdentifier:: AQQAAAAAAAUVAAAA\n",
	             "a.test", 7, "'securityIdentifier'");
	expect_error(TDO_HEAD "trustDirection: 3\nobjectGUID:: AAEC\n",
	             "a.test", 7, "'objectGUID'");
}

Test(prov_snapshot, second_value_and_missing_attribute)
{
	expect_error(TDO_HEAD "trustDirection: 3\ntrustType: 1\n", "a.test", 7,
	             "'trustType' has more than one value");
	expect_error("# lead\n"
	             "dn: CN=b.test,CN=System,DC=a,DC=test\n"
	             "objectClass: trustedDomain\n"
	             "trustDirection: 3\n"
	             "trustType: 2\n",
	             "a.test", 2, "'trustPartner' is missing");
}

Test(prov_snapshot, other_changetypes_refused)
{
	expect_error("dn: CN=b.test,CN=System,DC=a,DC=test\n"
	             "changetype: modify\n"
	             "replace: trustDirection\n"
	             "trustDirection: 3\n",
	             "a.test", 2, "changetype 'modify'");
}

Test(prov_snapshot, junk_lines_refused)
{
	expect_error(TDO_HEAD "trustDirection 3\n", "a.test", 6, "no ':'");
	expect_error("\n\ncn: x\n", "a.test", 3, "'dn:'");
}

Test(prov_snapshot, duplicate_tdo_across_files)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;
	struct tmp t;

	tmp_init(&t);
	tmp_add(&t, "1.ldif", TDO_HEAD "trustDirection: 3\n" GUID_LINE);
	tmp_add(&t, "2.ldif", TDO_HEAD "trustDirection: 1\n" GUID_LINE);
	cr_assert_eq(snap_read(t.dir, doms, 1, &st, &err), ERR_INVALID);
	cr_expect_not_null(strstr(err.msg, "1.ldif:1 and 2.ldif:1"), "%s",
	                   err.msg);
	model_state_release(&st);
	tmp_release(&t);
}

Test(prov_snapshot, nul_byte_refused)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;
	struct tmp t;
	FILE *fp;

	tmp_init(&t);
	tmp_add(&t, "x.ldif", "");
	cr_assert_not_null(fp = fopen(t.files[0], "w"));
	fwrite("dn: CN=x\ncn: a\0b\n", 1, 17, fp);
	fclose(fp);
	cr_assert_eq(snap_read(t.dir, doms, 1, &st, &err), ERR_INVALID);
	cr_expect_eq(err.line, 2);
	model_state_release(&st);
	tmp_release(&t);
}

Test(prov_snapshot, a_lone_record_number_is_no_record)
{
	const char *doms[] = {"a.test"};
	struct model_state st;
	struct err err;
	struct tmp t;

	/* libldap skips it and returned no record buffer: this crashed */
	tmp_init(&t);
	tmp_add(&t, "x.ldif", "1\n");
	cr_assert_eq(snap_read(t.dir, doms, 1, &st, &err), ERR_NOTFOUND);
	cr_expect_not_null(strstr(err.msg, "no snapshot of domain 'a.test'"),
	                   "%s", err.msg);
	model_state_release(&st);
	tmp_release(&t);
}

Test(prov_snapshot, out_of_range_enumerations_refused_with_file_and_line)
{
	expect_error(TDO_HEAD "trustDirection: -1\n"
	                      "objectGUID:: URaqpDji38a+EsWKhIORxQ==\n",
	             "a.test", 6, "trustDirection -1 is out of range");
	expect_error("dn: CN=b.test,CN=System,DC=a,DC=test\n"
	             "objectClass: trustedDomain\n"
	             "trustPartner: b.test\n"
	             "trustType: 9\n",
	             "a.test", 4, "trustType 9 is out of range");
}

Test(prov_snapshot, a_tdo_without_object_guid_refused)
{
	expect_error(TDO_HEAD "trustDirection: 3\n", "a.test", 1,
	             "'objectGUID' is missing");
}

Test(prov_snapshot, two_tdos_for_one_partner_refused_naming_both)
{
	expect_error(TDO_HEAD "trustDirection: 3\n"
	                      "objectGUID:: URaqpDji38a+EsWKhIORxQ==\n"
	                      "\n"
	                      "dn: CN=b2,CN=System,DC=a,DC=test\n"
	                      "objectClass: trustedDomain\n"
	                      "trustPartner: B.test\n"
	                      "trustType: 2\n"
	                      "trustDirection: 1\n"
	                      "objectGUID:: URaqpDji38a+EsWKhIORxg==\n",
	             "a.test", 9, "two trusted domain objects for");
}
