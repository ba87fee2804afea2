/*
 * Mapping of trustedDomain and domain identity attributes into the observed
 * model, shared by the snapshot and ldap providers, so that both read the
 * same bytes into the same struct (and the same digest).
 */
#include "providers/prov_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ldap.h>

#include "model/model.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/sbuf.h"
#include "util/sid.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* Attributes of a TDO, in digest order; bit i of prov_tdo_map.seen. */
enum tdo_attr {
	A_PARTNER,
	A_FLATNAME,
	A_SID,
	A_DIRECTION,
	A_TYPE,
	A_ATTRIBUTES,
	A_ENCTYPES,
	A_FTI,
	A_GUID,
	A_REPLMETA,
	A_COUNT
};

static const char *const tdo_attrs[A_COUNT + 1] = {
        "trustPartner",
        "flatName",
        "securityIdentifier",
        "trustDirection",
        "trustType",
        "trustAttributes",
        "msDS-SupportedEncryptionTypes",
        "msDS-TrustForestTrustInfo",
        "objectGUID",
        "replPropertyMetaData",
        NULL,
};

const char *const *
prov_tdo_attrs(void)
{
	return tdo_attrs;
}

/* True if attr names want, ignoring case and ";binary"-style options. */
static bool
attr_is(const char *attr, const char *want)
{
	size_t n = strcspn(attr, ";");

	return strlen(want) == n && strncasecmp(attr, want, n) == 0;
}

/*
 * AD's Integer syntax is a signed 32-bit decimal ("-2147483648" for bit
 * 31).  Also accepts the unsigned form up to 4294967295, which some export
 * tools write; rejects signs other than a leading '-', spaces and junk.
 */
static int
parse_u32(uint32_t *out, const char *val, size_t len)
{
	char buf[16], *end;
	long long v;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, val, len);
	buf[len] = '\0';
	if (!(isdigit((unsigned char)buf[0]) ||
	      (buf[0] == '-' && isdigit((unsigned char)buf[1]))))
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v < INT32_MIN || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)(v < 0 ? v + 4294967296LL : v);
	return 0;
}

/* A UTF-8 string attribute: no NULs, not empty. */
static int
text_value(char **out, const void *val, size_t len)
{
	if (len == 0 || memchr(val, '\0', len) != NULL)
		return -1;
	*out = xstrndup(val, len);
	return 0;
}

/* objectGUID: 16 bytes, the first three fields little-endian (MS-DTYP). */
static int
guid_text(char out[40], const uint8_t *b, size_t len)
{
	static const uint8_t order[16] = {3, 2, 1,  0,  5,  4,  7,  6,
	                                  8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t v[16];
	size_t o = 0;

	if (len != 16)
		return -1;
	for (size_t i = 0; i < 16; i++)
		v[i] = b[order[i]];
	/* 8-4-4-4-12 */
	hex_encode(out, v, 4);
	o = 8;
	for (size_t i = 4; i < 10; i += 2) {
		out[o++] = '-';
		hex_encode(out + o, v + i, 2);
		o += 4;
	}
	out[o++] = '-';
	hex_encode(out + o, v + 10, 6);
	return 0;
}

/*
 * replPropertyMetaData (MS-DRSR 5.162 PROPERTY_META_DATA_EXT_VECTOR as
 * stored; Samba drsblobs.idl replPropertyMetaDataBlob): u32 version (1),
 * u32 reserved, u32 count, u32 reserved, then count entries of 48 bytes:
 * u32 attid, u32 version, u64 originating change time (seconds since
 * 1601), 16-byte invocation id, i64 originating USN, i64 local USN; all
 * little-endian.  Only the originating times of trustAuthIncoming and
 * trustAuthOutgoing are kept: when each secret was last set, the same on
 * every DC (whenChanged is per DC and moves for any attribute).
 */
#define ATTID_TRUST_AUTH_INCOMING 0x00090081u /* 1.2.840.113556.1.4.129 */
#define ATTID_TRUST_AUTH_OUTGOING 0x00090087u /* 1.2.840.113556.1.4.135 */
#define SECS_1601_TO_1970 11644473600LL

static uint64_t
le_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

static int
replmeta(struct model_tdo *t, const uint8_t *b, size_t len, struct err *err)
{
	uint64_t count;

	if (len < 16 || le_get(b, 4) != 1)
		return err_set(err, ERR_INVALID,
		               "not a version 1 metadata "
		               "vector");
	count = le_get(b + 8, 4);
	if (count > (len - 16) / 48)
		return err_set(err, ERR_INVALID,
		               "%llu entries do not fit in %zu bytes",
		               (unsigned long long)count, len);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = b + 16 + 48 * i;
		uint64_t when = le_get(e + 8, 8);
		uint32_t attid = (uint32_t)le_get(e, 4);
		long long unix_s;

		if (when <= (uint64_t)SECS_1601_TO_1970 ||
		    when > (uint64_t)SECS_1601_TO_1970 + (1ULL << 40))
			continue; /* not a plausible time: unknown */
		unix_s = (long long)when - SECS_1601_TO_1970;
		if (attid == ATTID_TRUST_AUTH_OUTGOING)
			t->secret_out_set = unix_s;
		else if (attid == ATTID_TRUST_AUTH_INCOMING)
			t->secret_in_set = unix_s;
	}
	return 0;
}

void
prov_tdo_map_init(struct prov_tdo_map *m, struct model_tdo *tdo)
{
	m->tdo = tdo;
	m->seen = 0;
}

int
prov_tdo_value(struct prov_tdo_map *m, const char *attr, const void *val,
               size_t len, struct err *err)
{
	struct model_tdo *t = m->tdo;
	const char *dn = t->dn != NULL ? t->dn : "";
	char sid[SID_MAX_STRING];
	struct err sub;
	size_t a;
	int bad = 0;

	for (a = 0; a < A_COUNT; a++)
		if (attr_is(attr, tdo_attrs[a]))
			break;
	if (a == A_COUNT)
		return 0;
	if (m->seen & (1u << a))
		return err_set(err, ERR_INVALID,
		               "'%s': attribute '%s' has more than one value",
		               dn, tdo_attrs[a]);
	m->seen |= 1u << a;
	sub.msg[0] = '\0'; /* only the decoders below set it */
	switch ((enum tdo_attr)a) {
	case A_PARTNER:
		bad = text_value(&t->partner, val, len);
		break;
	case A_FLATNAME:
		bad = text_value(&t->flat_name, val, len);
		break;
	case A_SID:
		if ((bad = sid_to_string(sid, val, len, &sub)) == 0)
			t->sid = xstrdup(sid);
		break;
	case A_DIRECTION:
		if ((bad = parse_u32(&t->direction, val, len)) == 0 &&
		    t->direction > TDO_DIR_BOTH)
			return err_set(err, ERR_INVALID,
			               "'%s': trustDirection %.*s is out of "
			               "range (0 to 3)",
			               dn, (int)(len < 16 ? len : 16),
			               (const char *)val);
		break;
	case A_TYPE:
		if ((bad = parse_u32(&t->type, val, len)) == 0 &&
		    (t->type < TDO_TYPE_DOWNLEVEL || t->type > TDO_TYPE_AAD))
			return err_set(err, ERR_INVALID,
			               "'%s': trustType %.*s is out of range "
			               "(1 to 5)",
			               dn, (int)(len < 16 ? len : 16),
			               (const char *)val);
		break;
	case A_ATTRIBUTES:
		bad = parse_u32(&t->attributes, val, len);
		break;
	case A_ENCTYPES:
		bad = parse_u32(&t->enctypes, val, len);
		t->has_enctypes = bad == 0;
		break;
	case A_FTI:
		if ((bad = fti_decode(&t->fti, val, len, &sub)) < 0)
			break;
		t->has_fti = true;
		t->fti_len = len;
		t->fti_blob = xmalloc(len > 0 ? len : 1);
		memcpy(t->fti_blob, val, len);
		break;
	case A_GUID:
		bad = guid_text(t->guid, val, len);
		break;
	case A_REPLMETA:
		bad = replmeta(t, val, len, &sub);
		break;
	case A_COUNT:
		break;
	}
	if (bad == 0)
		return 0;
	if (sub.msg[0] != '\0')
		return err_set(err, ERR_INVALID, "'%s': attribute '%s': %s", dn,
		               tdo_attrs[a], sub.msg);
	return err_set(err, ERR_INVALID,
	               "'%s': attribute '%s': malformed value (%zu bytes)", dn,
	               tdo_attrs[a], len);
}

/*
 * The digest covers what the plan depends on, never uSNChanged/whenChanged
 * (those differ per DC).  Canonical form, for each attribute in tdo_attrs
 * order up to msDS-TrustForestTrustInfo: the name, a NUL, then either '-'
 * (absent) or '=' + the value's length as 8 bytes big-endian + the value.
 * Values are the normalised ones (SID as text, integers as unsigned
 * decimal), so LDAP and LDIF spellings of the same state hash alike; the
 * forest trust info is hashed as its raw bytes.
 */
static void
digest_add(struct sbuf *sb, enum tdo_attr a, bool present, const void *val,
           size_t len)
{
	uint8_t n[8];

	sbuf_adds(sb, tdo_attrs[a]);
	sbuf_addch(sb, '\0');
	if (!present) {
		sbuf_addch(sb, '-');
		return;
	}
	sbuf_addch(sb, '=');
	for (size_t i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	sbuf_add(sb, n, sizeof(n));
	sbuf_add(sb, val, len);
}

static void
digest_u32(struct sbuf *sb, enum tdo_attr a, bool present, uint32_t v)
{
	char buf[10];
	size_t k = sizeof(buf);

	do {
		buf[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	digest_add(sb, a, present, buf + k, sizeof(buf) - k);
}

static void
digest_str(struct sbuf *sb, enum tdo_attr a, const char *s)
{
	digest_add(sb, a, s != NULL, s, s != NULL ? strlen(s) : 0);
}

int
prov_tdo_finish(struct prov_tdo_map *m, struct err *err)
{
	static const enum tdo_attr need[] = {A_PARTNER, A_DIRECTION, A_TYPE,
	                                     A_GUID};
	struct model_tdo *t = m->tdo;
	uint8_t md[32];
	struct sbuf sb;
	int rc;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(m->seen & (1u << need[i])))
			return err_set(err, ERR_INVALID,
			               "'%s': attribute '%s' is missing",
			               t->dn != NULL ? t->dn : "",
			               tdo_attrs[need[i]]);
	t->attr_mask = 0xffffffffu;
	sbuf_init(&sb);
	sbuf_reserve(&sb, 512 + t->fti_len); /* the whole canonical form */
	digest_str(&sb, A_PARTNER, t->partner);
	digest_str(&sb, A_FLATNAME, t->flat_name);
	digest_str(&sb, A_SID, t->sid);
	digest_u32(&sb, A_DIRECTION, true, t->direction);
	digest_u32(&sb, A_TYPE, true, t->type);
	digest_u32(&sb, A_ATTRIBUTES, true, t->attributes);
	digest_u32(&sb, A_ENCTYPES, t->has_enctypes, t->enctypes);
	digest_add(&sb, A_FTI, t->has_fti, t->fti_blob, t->fti_len);
	rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, sb.buf, sb.len, md);
	sbuf_release(&sb);
	if (rc < 0)
		return err_set(err, ERR_FAIL, "cannot hash '%s': %s",
		               t->dn != NULL ? t->dn : "", gnutls_strerror(rc));
	hex_encode(t->digest, md, sizeof(md));
	return 0;
}

int
prov_ident_value(struct model_domain_state *d, enum prov_ident_kind kind,
                 const char *attr, const void *val, size_t len, struct err *err)
{
	char sid[SID_MAX_STRING], *s = NULL;
	struct err sub;
	uint32_t v;
	int rc = 0;

	err_init(&sub);
	if (kind == PROV_IDENT_DOMAIN && attr_is(attr, "objectSid")) {
		if ((rc = sid_to_string(sid, val, len, &sub)) == 0) {
			free(d->sid);
			d->sid = xstrdup(sid);
		}
	} else if (kind == PROV_IDENT_DOMAIN &&
	           attr_is(attr, "msDS-Behavior-Version")) {
		if ((rc = parse_u32(&v, val, len)) == 0 &&
		    d->functional_level < 0 && v <= INT32_MAX)
			d->functional_level = (int)v;
	} else if (kind == PROV_IDENT_CROSSREF &&
	           attr_is(attr, "nETBIOSName")) {
		if ((rc = text_value(&s, val, len)) == 0) {
			free(d->netbios);
			d->netbios = s;
			s = NULL;
		}
	} else if (kind == PROV_IDENT_ROOTDSE &&
	           attr_is(attr, "rootDomainNamingContext")) {
		if ((rc = text_value(&s, val, len)) == 0) {
			free(d->forest_root);
			d->forest_root = NULL;
			rc = prov_dn_domain(&d->forest_root, NULL, s, true,
			                    &sub);
		}
	} else if (kind == PROV_IDENT_ROOTDSE &&
	           attr_is(attr, "domainFunctionality")) {
		if ((rc = parse_u32(&v, val, len)) == 0 && v <= INT32_MAX)
			d->functional_level = (int)v;
	} else if (kind == PROV_IDENT_ROOTDSE && attr_is(attr, "vendorName")) {
		if ((rc = text_value(&s, val, len)) == 0) {
			free(d->vendor);
			d->vendor = s;
			s = NULL;
		}
	}
	free(s);
	if (rc == 0)
		return 0;
	if (sub.msg[0] != '\0')
		return err_set(err, ERR_INVALID, "attribute '%s': %s", attr,
		               sub.msg);
	return err_set(err, ERR_INVALID, "attribute '%s': malformed value",
	               attr);
}

int
prov_dn_domain(char **dns_out, char **dn_out, const char *dn, bool whole,
               struct err *err)
{
	LDAPDN parsed = NULL;
	struct sbuf dns, cdn;
	size_t n, first;
	int rc;

	*dns_out = NULL;
	if (dn_out != NULL)
		*dn_out = NULL;
	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return err_set(err, ERR_INVALID, "malformed DN '%s'", dn);
	for (n = 0; parsed != NULL && parsed[n] != NULL; n++)
		;
	first = n;
	while (first > 0) {
		LDAPAVA *const *rdn = parsed[first - 1];

		if (rdn[0] == NULL || rdn[1] != NULL ||
		    rdn[0]->la_attr.bv_len != 2 ||
		    strncasecmp(rdn[0]->la_attr.bv_val, "DC", 2) != 0 ||
		    rdn[0]->la_value.bv_len == 0 ||
		    memchr(rdn[0]->la_value.bv_val, '\0',
		           rdn[0]->la_value.bv_len) != NULL)
			break;
		first--;
	}
	if (first == n || (whole && first != 0)) {
		rc = err_set(err, ERR_NOTFOUND, "DN '%s' is not in a domain",
		             dn);
		goto out;
	}
	sbuf_init(&dns);
	sbuf_init(&cdn);
	for (size_t i = first; i < n; i++) {
		const struct berval *v = &parsed[i][0]->la_value;

		if (i > first) {
			sbuf_addch(&dns, '.');
			sbuf_addch(&cdn, ',');
		}
		for (size_t j = 0; j < v->bv_len; j++)
			sbuf_addch(&dns,
			           (char)tolower((unsigned char)v->bv_val[j]));
		sbuf_adds(&cdn, "DC=");
		sbuf_add(&cdn, v->bv_val, v->bv_len);
	}
	*dns_out = sbuf_detach(&dns, NULL);
	if (dn_out != NULL)
		*dn_out = sbuf_detach(&cdn, NULL);
	sbuf_release(&cdn);
	rc = 0;
out:
	ldap_dnfree(parsed);
	return rc;
}

char *
prov_dns_to_dn(const char *dns)
{
	struct sbuf sb;
	const char *p = dns;

	sbuf_init(&sb);
	for (;;) {
		size_t n = strcspn(p, ".");

		sbuf_adds(&sb, "DC=");
		sbuf_add(&sb, p, n);
		if (p[n] == '\0')
			break;
		sbuf_addch(&sb, ',');
		p += n + 1;
	}
	return sbuf_detach(&sb, NULL);
}

static int
cmp_tdo(const void *a, const void *b)
{
	const struct model_tdo *x = a, *y = b;

	return strcasecmp(x->dn != NULL ? x->dn : "",
	                  y->dn != NULL ? y->dn : "");
}

void
prov_sort_tdos(struct model_domain_state *d)
{
	if (d->n_tdos > 1)
		qsort(d->tdos, d->n_tdos, sizeof(*d->tdos), cmp_tdo);
}

int
prov_check_tdos(size_t *bad, const struct model_domain_state *d,
                struct err *err)
{
	struct strmap seen;
	size_t first;
	int rc = 0;

	strmap_init(&seen, true);
	for (size_t i = 0; i < d->n_tdos && rc == 0; i++) {
		const struct model_tdo *t = &d->tdos[i];

		if (strmap_put(&seen, t->partner, i, &first))
			continue;
		*bad = i;
		rc = err_set(err, ERR_INVALID,
		             "domain '%s' has two trusted domain objects for "
		             "'%s': '%s' (%s) and '%s' (%s)",
		             d->name, t->partner, d->tdos[first].dn,
		             d->tdos[first].source, t->dn, t->source);
	}
	strmap_release(&seen);
	return rc;
}
