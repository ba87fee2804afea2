#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/fti.h"
#include "util/err.h"

/* Spec section 3.8 test vectors, as hex. */
static const char v1_hex[] =
        "010000000200000018000000000000003ecaca0100afd59b000700000066322e7465"
        "73743a000000000000003ecaca0100afd59b0218000000010400000000000515000000"
        "684a6428ac88a274173e2d8f0700000066322e74657374020000004632";
static const char v2_hex[] =
        "01000000050000001f00000000000000ba4cdb013fd480ab000e000000773465646f"
        "6d2d6c342e626173654800000000000000ba4cdb013fd480ab02180000000104000000"
        "0000051500000055939210f4b0a6ca964797560e000000773465646f6d2d6c342e6261"
        "736509000000573445444f4d2d4c342200000001000000bb4cdb015b468c5600110000"
        "00773465646f6d2d6c342e707269766174652100000001000000bb4cdb015b468c5600"
        "10000000773465646f6d2d6c342e7075626c69633500000000000000ba4cdb01fdc471"
        "cf042400000004000000000e000000773465646f6d2d6c342e62617365090000005734"
        "45444f4d2d4c34";
/* dirkjanm/forest-trust-tools ftinfo.py (copied from ADUC) */
static const char v3_hex[] =
        "01000000040000001b00000000000000c272d5014ed912f5000a000000646f6d642e6c"
        "6f63616c48000000000000004776d501bfeca677021800000001040000000000051500"
        "00009ad833b78cfd3e25ea6812191100000073756274776f2e646f6d642e6c6f63616c"
        "0600000053554254574f4200000000000000d272d501bf518d5a021800000001040000"
        "000000051500000035e34133e464f757720879060e0000007375622e646f6d642e6c6f"
        "63616c030000005355423f00000000000000c272d5014ed912f5021800000001040000"
        "00000005150000005058047a06b4a75c1d9968a20a000000646f6d642e6c6f63616c04"
        "000000646f6d64";
static const char v4_hex[] =
        "01000000050000001c00000000000000ba4cdb013fd480ab000b000000636f6e746f73"
        "6f2e636f6d2300000000000000ba4cdb013fd480ab01120000006c65676163792e636f"
        "6e746f736f2e636f6d4300000000000000ba4cdb013fd480ab02180000000104000000"
        "00000515000000c7353a428e6b748455a1aec60b000000636f6e746f736f2e636f6d07"
        "000000434f4e544f534f4500000004000000ba4cdb013fd480ab021800000001040000"
        "00000005150000001caf7d1ae31a1d21aa86bc2710000000656d65612e636f6e746f73"
        "6f2e636f6d04000000454d45411d00000001000000ba4cdb013fd480ab000c00000066"
        "616272696b616d2e6e6574";

static const char *const vectors[] = {v1_hex, v2_hex, v3_hex, v4_hex};
static const size_t vector_len[] = {98, 251, 252, 256};

/* Windows order (hi DWORD first) of FILETIME 0x01DB4CBAAB80D43F */
static const uint8_t v4_ts[8] = {0xba, 0x4c, 0xdb, 0x01,
                                 0x3f, 0xd4, 0x80, 0xab};

static uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *b = malloc(n);

	cr_assert_not_null(b);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t)v;
	}
	*len = n;
	return b;
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (size_t i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Decodes, expecting success. */
static void
decode_ok(struct fti *f, const uint8_t *b, size_t len)
{
	struct err err;

	err_init(&err);
	cr_assert_eq(fti_decode(f, b, len, &err), 0, "%s", err.msg);
}

/* Decodes, expecting ERR_INVALID and a message; returns it in err. */
static void
decode_bad(struct err *err, const uint8_t *b, size_t len)
{
	struct fti f;

	err_init(err);
	cr_assert_eq(fti_decode(&f, b, len, err), ERR_INVALID, "len %zu", len);
	cr_assert_eq(err->code, ERR_INVALID);
	cr_assert_eq(f.n, 0);
	cr_assert_null(f.rec);
	cr_assert_neq(err->msg[0], '\0');
}

/* encode(decode(b)) must give b back. */
static void
assert_round_trip(const uint8_t *b, size_t len)
{
	struct fti f;
	struct err err;
	uint8_t *enc;
	size_t elen;

	decode_ok(&f, b, len);
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(elen, len);
	cr_assert_arr_eq(enc, b, len);
	free(enc);
	fti_release(&f);
}

static void
assert_rec(const struct fti_record *r, uint8_t type, uint32_t flags,
           const char *name, const char *sid, const char *nb)
{
	cr_assert_eq(r->type, type);
	cr_assert_eq(r->flags, flags);
	cr_assert_str_eq(r->name, name);
	if (sid != NULL)
		cr_assert_str_eq(r->sid, sid);
	else
		cr_assert_null(r->sid);
	if (nb != NULL)
		cr_assert_str_eq(r->netbios, nb);
	else
		cr_assert_null(r->netbios);
	cr_assert_null(r->raw);
}

Test(fti, vector1_decodes)
{
	static const uint8_t ts[8] = {0x3e, 0xca, 0xca, 0x01,
	                              0x00, 0xaf, 0xd5, 0x9b};
	struct fti f;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	cr_assert_eq(len, 98);
	decode_ok(&f, b, len);
	cr_assert_eq(f.n, 2);
	assert_rec(&f.rec[0], FTI_TLN, 0, "f2.test", NULL, NULL);
	assert_rec(&f.rec[1], FTI_DOMAIN, 0, "f2.test",
	           "S-1-5-21-677661288-1956808876-2402106903", "F2");
	cr_assert_arr_eq(f.rec[0].ts, ts, 8);
	cr_assert_arr_eq(f.rec[1].ts, ts, 8);
	fti_release(&f);
	free(b);
}

Test(fti, vector2_decodes_scanner_and_disabled_new)
{
	static const char dom[] = "w4edom-l4.base";
	struct fti f;
	uint8_t *b;
	size_t len;

	b = unhex(v2_hex, &len);
	cr_assert_eq(len, 251);
	decode_ok(&f, b, len);
	cr_assert_eq(f.n, 5);
	assert_rec(&f.rec[0], FTI_TLN, 0, dom, NULL, NULL);
	assert_rec(&f.rec[1], FTI_DOMAIN, 0, dom,
	           "S-1-5-21-278041429-3399921908-1452754838", "W4EDOM-L4");
	assert_rec(&f.rec[2], FTI_TLN, FTI_TLN_DISABLED_NEW,
	           "w4edom-l4.private", NULL, NULL);
	assert_rec(&f.rec[3], FTI_TLN, FTI_TLN_DISABLED_NEW, "w4edom-l4.public",
	           NULL, NULL);
	assert_rec(&f.rec[4], FTI_SCANNER, 0, dom, NULL, "W4EDOM-L4");
	/* record lengths 31, 72, 34, 33, 53 and BinaryDataLen 36 */
	cr_assert_eq(b[8], 31);
	cr_assert_eq(b[8 + 4 + 31], 72);
	cr_assert_eq(b[194], 53);
	cr_assert_eq(b[194 + 17], 36);
	fti_release(&f);
	free(b);
}

Test(fti, vector3_decodes_aduc_blob)
{
	struct fti f;
	uint8_t *b;
	size_t len;

	b = unhex(v3_hex, &len);
	cr_assert_eq(len, 252);
	decode_ok(&f, b, len);
	cr_assert_eq(f.n, 4);
	assert_rec(&f.rec[0], FTI_TLN, 0, "domd.local", NULL, NULL);
	assert_rec(&f.rec[1], FTI_DOMAIN, 0, "subtwo.domd.local",
	           "S-1-5-21-3073628314-624885132-420636906", "SUBTWO");
	assert_rec(&f.rec[2], FTI_DOMAIN, 0, "sub.domd.local",
	           "S-1-5-21-859956021-1475831012-108595314", "SUB");
	assert_rec(&f.rec[3], FTI_DOMAIN, 0, "domd.local",
	           "S-1-5-21-2047105104-1554494470-2724763933", "domd");
	fti_release(&f);
	free(b);
}

/* The documented record list of vector 4. */
static void
vector4_records(struct fti *f)
{
	struct fti_record r;

	fti_init(f);
	memset(&r, 0, sizeof(r));
	memcpy(r.ts, v4_ts, 8);
	r.type = FTI_TLN;
	r.name = (char[]){"contoso.com"};
	fti_add(f, &r);
	r.type = FTI_TLN_EX;
	r.name = (char[]){"legacy.contoso.com"};
	fti_add(f, &r);
	r.type = FTI_DOMAIN;
	r.name = (char[]){"contoso.com"};
	r.sid = (char[]){"S-1-5-21-1111111111-2222222222-3333333333"};
	r.netbios = (char[]){"CONTOSO"};
	fti_add(f, &r);
	r.flags = FTI_NB_DISABLED_ADMIN;
	r.name = (char[]){"emea.contoso.com"};
	r.sid = (char[]){"S-1-5-21-444444444-555555555-666666666"};
	r.netbios = (char[]){"EMEA"};
	fti_add(f, &r);
	r.flags = FTI_TLN_DISABLED_NEW;
	r.type = FTI_TLN;
	r.name = (char[]){"fabrikam.net"};
	r.sid = r.netbios = NULL;
	fti_add(f, &r);
}

Test(fti, vector4_decodes_to_documented_records)
{
	struct fti f, want;
	uint8_t *b;
	size_t len;

	b = unhex(v4_hex, &len);
	decode_ok(&f, b, len);
	vector4_records(&want);
	cr_assert_eq(f.n, want.n);
	for (size_t i = 0; i < f.n; i++) {
		const struct fti_record *w = &want.rec[i];

		assert_rec(&f.rec[i], w->type, w->flags, w->name, w->sid,
		           w->netbios);
		cr_assert_arr_eq(f.rec[i].ts, v4_ts, 8);
	}
	fti_release(&want);
	fti_release(&f);
	free(b);
}

Test(fti, vector4_encodes_from_record_list)
{
	static const size_t rec_len[] = {28, 35, 67, 69, 29};
	struct fti f;
	struct err err;
	uint8_t *b, *enc;
	size_t len, elen, off = 8;

	b = unhex(v4_hex, &len);
	cr_assert_eq(len, 256);
	vector4_records(&f);
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(elen, len);
	cr_assert_arr_eq(enc, b, len);
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(enc[off], rec_len[i], "record %zu", i);
		off += 4 + rec_len[i];
	}
	cr_assert_eq(off, len);
	free(enc);
	fti_release(&f);
	free(b);
}

Test(fti, all_vectors_round_trip_byte_identical)
{
	for (size_t v = 0; v < 4; v++) {
		size_t len;
		uint8_t *b = unhex(vectors[v], &len);

		cr_assert_eq(len, vector_len[v]);
		assert_round_trip(b, len);
		free(b);
	}
}

Test(fti, every_truncation_rejected)
{
	for (size_t v = 0; v < 4; v++) {
		size_t len;
		uint8_t *b = unhex(vectors[v], &len);

		for (size_t n = 0; n < len; n++) {
			/* a copy of exactly n bytes, so ASan sees overreads */
			uint8_t *t = malloc(n ? n : 1);
			struct err err;

			memcpy(t, b, n);
			decode_bad(&err, t, n);
			free(t);
		}
		free(b);
	}
}

Test(fti, trailing_bytes_after_last_record_rejected)
{
	struct err err;
	uint8_t *b, *t;
	size_t len;

	b = unhex(v1_hex, &len);
	t = malloc(len + 1);
	memcpy(t, b, len);
	t[len] = 0;
	decode_bad(&err, t, len + 1);
	cr_assert_str_eq(err.msg, "forest trust info at offset 0x62: 1 "
	                          "trailing bytes after the last record");
	free(t);
	free(b);
}

Test(fti, error_names_record_and_offset)
{
	struct err err;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	put32(b + 0x19, 300);
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 0 at offset 0x19: name length 300 "
	                          "exceeds record (7 bytes left)");
	free(b);

	b = unhex(v1_hex, &len);
	put32(b + 0x51, 300); /* DNS name length of record 1 */
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 1 at offset 0x51: DNS name length "
	                          "300 exceeds record (13 bytes left)");
	free(b);
}

Test(fti, bad_header_rejected)
{
	struct err err;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	put32(b, 2);
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg,
	                 "forest trust info at offset 0x0: version 2 is not 1");
	put32(b, 1);
	put32(b + 4, FTI_MAX_RECORDS + 1);
	decode_bad(&err, b, len);
	put32(b + 4, 0xffffffffu);
	decode_bad(&err, b, len);
	put32(b + 4, 6); /* fits no more than 5 minimal records */
	decode_bad(&err, b, len);
	put32(b + 4, 3); /* fits, but the data runs out */
	decode_bad(&err, b, len);
	put32(b + 4, 1); /* record 1 becomes trailing garbage */
	decode_bad(&err, b, len);
	free(b);
}

Test(fti, empty_blob_decodes)
{
	static const uint8_t b[8] = {1};
	struct fti f;
	struct err err;
	uint8_t *enc;
	size_t elen;

	decode_ok(&f, b, sizeof(b));
	cr_assert_eq(f.n, 0);
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), 0);
	cr_assert_eq(elen, 8);
	cr_assert_arr_eq(enc, b, 8);
	free(enc);
	fti_release(&f);
}

Test(fti, bad_record_lengths_rejected)
{
	struct err err;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	put32(b + 8, 12);
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 0 at offset 0x8: record length 12 "
	                          "out of range 13..86");
	put32(b + 8, 0xffffffffu);
	decode_bad(&err, b, len);
	put32(b + 8, 24);
	put32(b + 0x24, 59); /* rec 1 claims one byte past the end */
	decode_bad(&err, b, len);
	free(b);
}

Test(fti, record_with_inner_trailing_bytes_rejected)
{
	/* TLN "a" with one extra byte inside its RecordLen */
	static const uint8_t b[] = {
	        1, 0, 0, 0, 1, 0, 0, 0, 19,      0, 0, 0, 0, 0,   0,   0,
	        0, 0, 0, 0, 0, 0, 0, 0, FTI_TLN, 1, 0, 0, 0, 'a', 'x',
	};
	struct err err;

	decode_bad(&err, b, sizeof(b));
	cr_assert_str_eq(err.msg, "record 0 at offset 0x1e: 1 trailing bytes "
	                          "inside record");
}

Test(fti, name_with_nul_rejected)
{
	struct err err;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	b[0x1d + 2] = 0;
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 0 at offset 0x1d: name contains a "
	                          "NUL byte");
	free(b);
}

Test(fti, bad_sids_rejected)
{
	struct err err;
	uint8_t *b;
	size_t len;

	b = unhex(v1_hex, &len);
	b[0x3a] = 5; /* sub-authority count 5 needs 28 bytes, SidLen is 24 */
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 1 at offset 0x39: SID length 24 does "
	                          "not match 5 sub-authorities");
	b[0x3a] = 4;
	b[0x39] = 2;
	decode_bad(&err, b, len);
	b[0x39] = 1;
	put32(b + 0x35, 0); /* a domain record needs a SID */
	decode_bad(&err, b, len);
	free(b);
}

/* Vector 2's scanner record alone; BinaryDataLen at 0x19, sub-type 0x1d. */
static uint8_t *
scanner_blob(size_t *len)
{
	uint8_t *v2, *b;
	size_t n;

	v2 = unhex(v2_hex, &n);
	*len = 8 + (n - 194);
	b = malloc(*len);
	memcpy(b, v2, 8);
	put32(b + 4, 1);
	memcpy(b + 8, v2 + 194, n - 194);
	free(v2);
	return b;
}

Test(fti, scanner_length_and_sid_rules)
{
	struct fti f;
	struct err err;
	uint8_t *b;
	size_t len;

	b = scanner_blob(&len);
	assert_round_trip(b, len);
	put32(b + 0x19, 35);
	decode_bad(&err, b, len);
	cr_assert_str_eq(err.msg, "record 0 at offset 0x19: scanner data "
	                          "length 35 does not match record (36 bytes "
	                          "left)");
	put32(b + 0x19, 36);
	put32(b + 0x1e, 1); /* SidLen 1 then garbage */
	decode_bad(&err, b, len);
	put32(b + 0x1e, 0);
	decode_ok(&f, b, len);
	cr_assert_null(f.rec[0].sid);
	fti_release(&f);
	free(b);
}

Test(fti, scanner_with_unknown_subtype_kept_opaque)
{
	struct fti f;
	uint8_t *b;
	size_t len;

	b = scanner_blob(&len);
	b[0x1d] = 7;
	decode_ok(&f, b, len);
	cr_assert_eq(f.rec[0].type, FTI_SCANNER);
	cr_assert_eq(f.rec[0].raw_len, 40);
	cr_assert_arr_eq(f.rec[0].raw, b + 0x19, 40);
	cr_assert_null(f.rec[0].name);
	fti_release(&f);
	assert_round_trip(b, len);
	free(b);
}

Test(fti, opaque_records_round_trip)
{
	/* type 3 with 6 data bytes, type 200 with none, then a TLN */
	static const uint8_t b[] = {
	        1,          0, 0, 0, 3,       0,    0,    0,  19, 0,   0, 0,
	        0x10,       0, 0, 0, 1,       2,    3,    4,  5,  6,   7, 8,
	        FTI_BINARY, 1, 0, 0, 0,       0xaa, 0x00, 13, 0,  0,   0, 0,
	        0,          0, 0, 0, 0,       0,    0,    0,  0,  0,   0, 200,
	        18,         0, 0, 0, 0,       0,    0,    0,  0,  0,   0, 0,
	        0,          0, 0, 0, FTI_TLN, 1,    0,    0,  0,  'x',
	};
	static const uint8_t raw[] = {1, 0, 0, 0, 0xaa, 0x00};
	struct fti f;

	decode_ok(&f, b, sizeof(b));
	cr_assert_eq(f.n, 3);
	cr_assert_eq(f.rec[0].type, FTI_BINARY);
	cr_assert_eq(f.rec[0].flags, 0x10);
	cr_assert_eq(f.rec[0].raw_len, sizeof(raw));
	cr_assert_arr_eq(f.rec[0].raw, raw, sizeof(raw));
	cr_assert_null(f.rec[0].name);
	cr_assert_eq(f.rec[1].type, 200);
	cr_assert_eq(f.rec[1].raw_len, 0);
	cr_assert_str_eq(f.rec[2].name, "x");
	fti_release(&f);
	assert_round_trip(b, sizeof(b));
}

Test(fti, copy_is_deep)
{
	struct fti a, c;
	struct err err;
	uint8_t *b, *enc;
	size_t len, elen;

	b = unhex(v2_hex, &len);
	decode_ok(&a, b, len);
	fti_copy(&c, &a);
	fti_release(&a);
	cr_assert_eq(fti_encode(&enc, &elen, &c, &err), 0);
	cr_assert_eq(elen, len);
	cr_assert_arr_eq(enc, b, len);
	free(enc);
	fti_release(&c);
	free(b);
}

Test(fti, unencodable_records_rejected)
{
	struct fti_record r;
	struct fti f;
	struct err err;
	uint8_t *enc;
	size_t elen;

	fti_init(&f);
	memset(&r, 0, sizeof(r));
	r.type = FTI_DOMAIN;
	r.name = (char[]){"a.example"};
	r.netbios = (char[]){"A"};
	fti_add(&f, &r);
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), ERR_INVALID);
	cr_assert_null(enc);
	cr_assert_str_eq(err.msg, "record 0: domain record without a SID");
	free(f.rec[0].sid);
	f.rec[0].sid = strdup("S-1-5-21-x");
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), ERR_INVALID);
	cr_assert_null(enc);
	fti_release(&f);

	f.n = FTI_MAX_RECORDS + 1;
	f.rec = calloc(f.n, sizeof(*f.rec));
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), ERR_INVALID);
	fti_release(&f);
}

Test(fti, timestamp_now_is_windows_order)
{
	uint8_t ts[8];
	uint64_t hi, lo, ft, unix_now;

	fti_timestamp_now(ts);
	unix_now = (uint64_t)time(NULL);
	hi = (uint64_t)ts[0] | (uint64_t)ts[1] << 8 | (uint64_t)ts[2] << 16 |
	     (uint64_t)ts[3] << 24;
	lo = (uint64_t)ts[4] | (uint64_t)ts[5] << 8 | (uint64_t)ts[6] << 16 |
	     (uint64_t)ts[7] << 24;
	ft = hi << 32 | lo;
	ft = ft / 10000000u - 11644473600u;
	cr_assert(ft + 5 >= unix_now && ft <= unix_now + 5);
}

Test(fti, type_names)
{
	cr_assert_str_eq(fti_type_name(FTI_TLN), "TLN");
	cr_assert_str_eq(fti_type_name(FTI_TLN_EX), "TLN_EX");
	cr_assert_str_eq(fti_type_name(FTI_DOMAIN), "DOMAIN");
	cr_assert_str_eq(fti_type_name(FTI_BINARY), "BINARY");
	cr_assert_str_eq(fti_type_name(FTI_SCANNER), "SCANNER");
	cr_assert_str_eq(fti_type_name(5), "TYPE5");
	cr_assert_str_eq(fti_type_name(42), "TYPE42");
	cr_assert_str_eq(fti_type_name(199), "TYPE199");
	cr_assert_str_eq(fti_type_name(255), "TYPE255");
}

/* xorshift64: deterministic, so a failure reproduces */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Whatever decodes must encode back to the same bytes. */
static void
check_any(const uint8_t *b, size_t len)
{
	struct fti f;
	struct err err;
	uint8_t *enc;
	size_t elen;

	if (fti_decode(&f, b, len, &err) < 0) {
		cr_assert_eq(err.code, ERR_INVALID);
		return;
	}
	cr_assert_eq(fti_encode(&enc, &elen, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(elen, len);
	cr_assert_arr_eq(enc, b, len);
	free(enc);
	fti_release(&f);
}

Test(fti, random_garbage_never_crashes)
{
	uint64_t s = 0x9e3779b97f4a7c15u;

	for (size_t it = 0; it < 4000; it++) {
		size_t len = (size_t)(rnd(&s) % 300);
		uint8_t *b = malloc(len ? len : 1);

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)rnd(&s);
		/* half the time a valid header, to get past it */
		if (len >= 8 && it % 2 == 0) {
			put32(b, 1);
			put32(b + 4, (uint32_t)(rnd(&s) % 4));
		}
		check_any(b, len);
		free(b);
	}
}

Test(fti, bit_flips_never_crash)
{
	uint64_t s = 0x243f6a8885a308d3u;

	for (size_t v = 0; v < 4; v++) {
		size_t len;
		uint8_t *orig = unhex(vectors[v], &len);
		uint8_t *b = malloc(len);

		for (size_t it = 0; it < 2000; it++) {
			size_t flips = 1 + (size_t)(rnd(&s) % 3);

			memcpy(b, orig, len);
			for (size_t k = 0; k < flips; k++) {
				uint64_t r = rnd(&s);

				b[(r >> 3) % len] ^= (uint8_t)(1u << (r & 7));
			}
			check_any(b, len);
		}
		free(b);
		free(orig);
	}
}
