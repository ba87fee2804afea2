#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/fti.h"
#include "providers/lsa.h"
#include "providers/lsa_proto.h"
#include "util/err.h"
#include "util/sbuf.h"
#include "util/trace.h"
#include "util/xalloc.h"

#define SECRET "Zq9-secret-Trust-pw"
#define V LSA_PROTO_VERSION

static const uint8_t types[] = {
        LSA_MSG_LOGIN,      LSA_MSG_INFO,        LSA_MSG_QUERY_TDO,
        LSA_MSG_CREATE_TDO, LSA_MSG_SET_INFO_EX, LSA_MSG_SET_ENCTYPES,
        LSA_MSG_SET_FTI,    LSA_MSG_QUERY_FTI,   LSA_MSG_FETCH_FTI,
        LSA_MSG_DELETE_TDO, LSA_MSG_VALIDATE,    LSA_MSG_SC_RESET,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static void
add_rec(struct lsa_msg *m, uint8_t type, uint32_t flags, const char *name,
        const char *netbios, const char *sid, const char *raw)
{
	struct fti_record *r;

	m->rec = xreallocarray(m->rec, m->nrec + 1, sizeof(*m->rec));
	r = &m->rec[m->nrec++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->flags = flags;
	for (size_t i = 0; i < 8; i++)
		r->ts[i] = (uint8_t)(0xa0 + i + m->nrec);
	r->name = name ? xstrdup(name) : NULL;
	r->netbios = netbios ? xstrdup(netbios) : NULL;
	r->sid = sid ? xstrdup(sid) : NULL;
	if (raw != NULL) {
		r->raw_len = strlen(raw);
		r->raw = xmalloc(r->raw_len + 1);
		memcpy(r->raw, raw, r->raw_len);
	}
}

/* A message of the given type with every field set (owned). */
static void
fill(struct lsa_msg *m, uint8_t type)
{
	lsa_msg_init(m);
	m->type = type;
	m->status = 0xc0000022u;
	m->status_kind = LSA_STATUS_NTSTATUS;
	m->status_name = xstrdup("NT_STATUS_ACCESS_DENIED");
	m->message = xstrdup("it went wrong on 'dca.a.test'");
	m->server = xstrdup("dca.a.test");
	m->realm = xstrdup("A.TEST");
	m->user = xstrdup("administrator");
	m->ccache = xstrdup("FILE:/tmp/cc");
	m->password = xstrdup(SECRET);
	m->login_flags = LSA_LOGIN_WRITE;
	m->name = xstrdup("b.test");
	m->netbios = xstrdup("B");
	m->sid = xstrdup("S-1-5-21-1-2-3");
	m->forest = xstrdup("a.test");
	m->direction = 3;
	m->trust_type = 2;
	m->attributes = 8;
	m->enctypes = 0x18;
	m->check_only = 1;
	add_rec(m, FTI_TLN, 0, "b.test", NULL, NULL, NULL);
	add_rec(m, FTI_TLN_EX, 2, "x.b.test", NULL, NULL, NULL);
	add_rec(m, FTI_DOMAIN, 0x4, "b.test", "B", "S-1-5-21-1-2-3", NULL);
	add_rec(m, FTI_BINARY, 1, NULL, NULL, NULL, "\x04opaque\x01");
	add_rec(m, 9, 0, NULL, NULL, NULL, NULL);
	add_rec(m, FTI_TLN, 0, NULL, NULL, NULL, NULL);
	m->coll = xcalloc(2, sizeof(*m->coll));
	m->ncoll = 2;
	m->coll[0].index = 1;
	m->coll[0].flags = 4;
	m->coll[0].name = xstrdup("a.test");
	m->coll[1].index = 7;
	m->coll[1].type = 2;
	m->tc_flags = 0xb0;
	m->dc_name = xstrdup("\\\\dcb.b.test");
	m->pdc_text = xstrdup("WERR_OK");
	m->tc_status = 5;
	m->tc_text = xstrdup("WERR_ACCESS_DENIED");
}

static void
encode_ok(const struct lsa_msg *m, struct lsa_buf *b)
{
	struct err err;

	lsa_buf_init(b);
	err_init(&err);
	cr_assert_eq(lsa_proto_encode(b, m, &err), 0, "%s", err.msg);
	cr_assert_geq(b->len, 6);
}

static bool
empty(const struct lsa_msg *m)
{
	struct lsa_msg z;

	lsa_msg_init(&z);
	return memcmp(m, &z, sizeof(z)) == 0;
}

/* encode -> decode -> encode gives the same bytes; returns the decoded. */
static void
round_trip(const struct lsa_msg *m, struct lsa_msg *out)
{
	struct lsa_buf a, b;
	struct err err;
	size_t used;

	encode_ok(m, &a);
	err_init(&err);
	cr_assert_eq(lsa_proto_decode_frame(out, a.p, a.len, &used, &err), 0,
	             "%s: %s", lsa_msg_type_name(m->type), err.msg);
	cr_assert_eq(used, a.len);
	cr_assert_eq(out->type, m->type);
	encode_ok(out, &b);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.p, b.p, a.len), 0);
	lsa_buf_release(&a);
	lsa_buf_release(&b);
}

static void
assert_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		cr_assert_eq(a, b);
	else
		cr_assert_str_eq(a, b);
}

Test(lsa_proto, every_request_round_trips)
{
	for (size_t i = 0; i < NTYPES; i++) {
		struct lsa_msg m, d;

		fill(&m, types[i]);
		round_trip(&m, &d);
		cr_assert_eq(d.code, 0);
		cr_assert_null(d.message); /* requests carry no reply header */
		if (types[i] != LSA_MSG_LOGIN && types[i] != LSA_MSG_INFO)
			assert_str(d.name, "b.test");
		lsa_msg_release(&m);
		lsa_msg_release(&d);
	}
}

Test(lsa_proto, every_reply_round_trips)
{
	for (size_t i = 0; i < NTYPES; i++) {
		struct lsa_msg m, d;

		fill(&m, (uint8_t)(types[i] | LSA_MSG_REPLY));
		m.code = 0;
		round_trip(&m, &d);
		assert_str(d.message, m.message);
		assert_str(d.status_name, m.status_name);
		cr_assert_eq(d.status, m.status);
		cr_assert_null(d.password, "no reply carries a password");
		lsa_msg_release(&m);
		lsa_msg_release(&d);
	}
}

Test(lsa_proto, login_and_create_fields)
{
	struct lsa_msg m, d;

	fill(&m, LSA_MSG_LOGIN);
	free(m.user);
	m.user = NULL; /* absent is not the empty string */
	free(m.realm);
	m.realm = xstrdup("");
	round_trip(&m, &d);
	assert_str(d.server, "dca.a.test");
	cr_assert_null(d.user);
	assert_str(d.realm, "");
	assert_str(d.password, SECRET);
	assert_str(d.ccache, "FILE:/tmp/cc");
	cr_assert_eq(d.login_flags, LSA_LOGIN_WRITE);
	lsa_msg_release(&m);
	lsa_msg_release(&d);

	fill(&m, LSA_MSG_CREATE_TDO);
	round_trip(&m, &d);
	assert_str(d.name, "b.test");
	assert_str(d.netbios, "B");
	assert_str(d.sid, "S-1-5-21-1-2-3");
	cr_assert_eq(d.direction, 3);
	cr_assert_eq(d.trust_type, 2);
	cr_assert_eq(d.attributes, 8);
	cr_assert_eq(d.enctypes, 0x18);
	assert_str(d.password, SECRET);
	cr_assert_eq(d.nrec, 0);
	lsa_msg_release(&m);
	lsa_msg_release(&d);
}

Test(lsa_proto, records_and_collisions_round_trip)
{
	struct lsa_msg m, d;

	fill(&m, LSA_MSG_SET_FTI);
	round_trip(&m, &d);
	cr_assert_eq(d.check_only, 1);
	cr_assert_eq(d.nrec, m.nrec);
	for (size_t i = 0; i < m.nrec; i++) {
		cr_assert_eq(d.rec[i].type, m.rec[i].type);
		cr_assert_eq(d.rec[i].flags, m.rec[i].flags);
		cr_assert_eq(memcmp(d.rec[i].ts, m.rec[i].ts, 8), 0);
		assert_str(d.rec[i].name, m.rec[i].name);
		assert_str(d.rec[i].netbios, m.rec[i].netbios);
		assert_str(d.rec[i].sid, m.rec[i].sid);
		cr_assert_eq(d.rec[i].raw_len, m.rec[i].raw_len);
		if (m.rec[i].raw_len > 0)
			cr_assert_eq(memcmp(d.rec[i].raw, m.rec[i].raw,
			                    m.rec[i].raw_len),
			             0);
	}
	cr_assert_eq(d.ncoll, 0, "requests carry no collisions");
	lsa_msg_release(&m);
	lsa_msg_release(&d);

	fill(&m, LSA_MSG_SET_FTI | LSA_MSG_REPLY);
	m.code = 0;
	round_trip(&m, &d);
	cr_assert_eq(d.ncoll, 2);
	cr_assert_eq(d.coll[0].index, 1);
	cr_assert_eq(d.coll[0].flags, 4);
	assert_str(d.coll[0].name, "a.test");
	cr_assert_eq(d.coll[1].index, 7);
	cr_assert_eq(d.coll[1].type, 2);
	cr_assert_null(d.coll[1].name);
	cr_assert_eq(d.nrec, 0);
	lsa_msg_release(&m);
	lsa_msg_release(&d);
}

Test(lsa_proto, error_reply_has_header_only)
{
	struct lsa_msg m, d;

	fill(&m, LSA_MSG_QUERY_TDO | LSA_MSG_REPLY);
	m.code = ERR_NOTFOUND;
	round_trip(&m, &d);
	cr_assert_eq(d.code, ERR_NOTFOUND);
	cr_assert_eq(d.status, 0xc0000022u);
	cr_assert_eq(d.status_kind, LSA_STATUS_NTSTATUS);
	assert_str(d.status_name, "NT_STATUS_ACCESS_DENIED");
	assert_str(d.message, "it went wrong on 'dca.a.test'");
	cr_assert_null(d.name);
	cr_assert_eq(d.direction, 0);
	lsa_msg_release(&m);
	lsa_msg_release(&d);
}

/* Every prefix of every valid frame is rejected and leaves *out empty. */
Test(lsa_proto, every_truncation_rejected)
{
	for (size_t i = 0; i < 2 * NTYPES; i++) {
		struct lsa_msg m, d;
		struct lsa_buf b;
		struct err err;
		size_t used;

		fill(&m, (uint8_t)(types[i % NTYPES] |
		                   (i >= NTYPES ? LSA_MSG_REPLY : 0)));
		encode_ok(&m, &b);
		for (size_t cut = 0; cut < b.len; cut++) {
			uint8_t *copy = xmalloc(cut + 1);

			memcpy(copy, b.p, cut); /* exact size for ASan */
			err_init(&err);
			cr_assert_eq(lsa_proto_decode_frame(&d, copy, cut,
			                                    &used, &err),
			             ERR_INVALID, "cut %zu of %zu", cut, b.len);
			cr_assert(empty(&d));
			if (cut >= 4) {
				cr_assert_eq(lsa_proto_decode(&d, copy + 4,
				                              cut - 4, &err),
				             ERR_INVALID);
				cr_assert(empty(&d));
			}
			free(copy);
		}
		lsa_buf_release(&b);
		lsa_msg_release(&m);
	}
}

static int
decode_bytes(const uint8_t *p, size_t len, struct err *err)
{
	struct lsa_msg d;
	int rc;

	err_init(err);
	rc = lsa_proto_decode(&d, p, len, err);
	cr_assert(rc == 0 || empty(&d));
	lsa_msg_release(&d);
	return rc;
}

Test(lsa_proto, malformed_payloads_rejected)
{
	static const uint8_t bad_version[] = {V + 1, LSA_MSG_INFO};
	static const uint8_t version1[] = {1, LSA_MSG_INFO};
	static const uint8_t unknown0[] = {V, 0};
	static const uint8_t unknown13[] = {V, 13};
	static const uint8_t reply0[] = {V, 0x80};
	static const uint8_t trailing[] = {V, LSA_MSG_INFO, 0};
	static const uint8_t nul_in_str[] = {
	        V, LSA_MSG_DELETE_TDO, 3, 0, 0, 0, 'a', 0, 'b'};
	static const uint8_t long_str[] = {V, LSA_MSG_DELETE_TDO, 0x01, 0x04, 0,
	                                   0};
	static const uint8_t huge_str[] = {
	        V, LSA_MSG_DELETE_TDO, 0xfe, 0xff, 0xff, 0xff};
	static const uint8_t many_recs[] = {V,    LSA_MSG_QUERY_FTI | 0x80,
	                                    0,    0,
	                                    0,    0,
	                                    0,    0,
	                                    0,    0,
	                                    0,    0,
	                                    0,    0,
	                                    0xff, 0xff,
	                                    0xff, 0xff,
	                                    0xff, 0xff,
	                                    0xff, 0xff,
	                                    0xff, 0xff,
	                                    0xff, 0xff};
	static const uint8_t positive_code[] = {V, LSA_MSG_INFO | 0x80, 1, 0, 0,
	                                        0};
	static const uint8_t odd_code[] = {V,   LSA_MSG_INFO | 0x80, 0, 0, 0,
	                                   0x80};
	static const uint8_t raw_too_long[] = {
	        V,    LSA_MSG_SET_FTI,
	        0xff, 0xff,
	        0xff, 0xff,
	        0,    0,
	        0,    0,
	        1,    0,
	        0,    0,
	        3,    0,
	        0,    0,
	        0,    0,
	        0,    0,
	        0,    0,
	        0,    0,
	        0,    0,
	        0,    0,
	        0x01, 0x00,
	        0x02, 0x00,
	};
	static const struct {
		const uint8_t *p;
		size_t len;
		const char *why;
	} cases[] = {
	        {bad_version, sizeof(bad_version), "version"},
	        {version1, sizeof(version1), "unsupported version 1 (want 2)"},
	        {unknown0, sizeof(unknown0), "unknown message type"},
	        {unknown13, sizeof(unknown13), "unknown message type"},
	        {reply0, sizeof(reply0), "unknown message type"},
	        {trailing, sizeof(trailing), "trailing"},
	        {nul_in_str, sizeof(nul_in_str), "NUL"},
	        {long_str, sizeof(long_str), "too long"},
	        {huge_str, sizeof(huge_str), "too long"},
	        {many_recs, sizeof(many_recs), "record count"},
	        {positive_code, sizeof(positive_code), "reply code"},
	        {odd_code, sizeof(odd_code), "reply code"},
	        {raw_too_long, sizeof(raw_too_long), "opaque data too long"},
	};
	struct err err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(decode_bytes(cases[i].p, cases[i].len, &err),
		             ERR_INVALID, "case %zu", i);
		cr_assert(strstr(err.msg, cases[i].why) != NULL,
		          "case %zu: '%s' lacks '%s'", i, err.msg,
		          cases[i].why);
	}
}

Test(lsa_proto, bad_frame_lengths_rejected)
{
	uint8_t hdr[8] = {0, 0, 0, 0, V, LSA_MSG_INFO, 0, 0};
	uint32_t lens[] = {0, LSA_PROTO_MAX_FRAME + 1, 0xffffffffu, 3};
	struct lsa_msg d;
	struct err err;
	size_t used;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t k = 0; k < 4; k++)
			hdr[k] = (uint8_t)(lens[i] >> (8 * k));
		err_init(&err);
		cr_assert_eq(lsa_proto_decode_frame(&d, hdr, sizeof(hdr), &used,
		                                    &err),
		             ERR_INVALID, "length %u", lens[i]);
		cr_assert(empty(&d));
	}
}

/* Deterministic mutations of valid frames: never a crash or a leak. */
Test(lsa_proto, mutated_frames_never_crash)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < 2 * NTYPES; i++) {
		struct lsa_msg m, d;
		struct lsa_buf b, r;
		struct err err;
		size_t used;

		fill(&m, (uint8_t)(types[i % NTYPES] |
		                   (i >= NTYPES ? LSA_MSG_REPLY : 0)));
		encode_ok(&m, &b);
		for (size_t n = 0; n < 400; n++) {
			uint8_t *copy = xmalloc(b.len);

			memcpy(copy, b.p, b.len);
			for (size_t k = 0; k < 1 + n % 3; k++) {
				x = x * 1103515245u + 12345u;
				copy[4 + (x >> 8) % (b.len - 4)] =
				        (uint8_t)(x >> 20);
			}
			err_init(&err);
			if (lsa_proto_decode_frame(&d, copy, b.len, &used,
			                           &err) == 0) {
				lsa_buf_init(&r);
				cr_assert_eq(lsa_proto_encode(&r, &d, &err), 0);
				lsa_buf_release(&r);
			}
			lsa_msg_release(&d);
			free(copy);
		}
		lsa_buf_release(&b);
		lsa_msg_release(&m);
	}
}

Test(lsa_proto, encoder_rejects_what_the_decoder_would)
{
	struct lsa_msg m;
	struct lsa_buf b;
	struct err err;
	char *big = xmalloc(LSA_PROTO_MAX_STR + 2);

	memset(big, 'x', LSA_PROTO_MAX_STR + 1);
	big[LSA_PROTO_MAX_STR + 1] = '\0';
	lsa_buf_init(&b);

	lsa_msg_init(&m);
	m.type = 0x7f;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
	m.type = LSA_MSG_INFO | LSA_MSG_REPLY;
	m.code = 3;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);

	m.type = LSA_MSG_DELETE_TDO;
	m.name = big;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
	cr_assert(strstr(err.msg, "xxxx") == NULL, "no field contents");
	cr_assert_eq(b.len, 0, "a failed encode leaves nothing behind");
	m.name = NULL;

	/* 4000 domain records of three 1 KiB strings: above the frame max */
	m.type = LSA_MSG_SET_FTI;
	big[LSA_PROTO_MAX_STR] = '\0';
	m.rec = xcalloc(FTI_MAX_RECORDS + 1, sizeof(*m.rec));
	for (size_t i = 0; i <= FTI_MAX_RECORDS; i++) {
		m.rec[i].type = FTI_DOMAIN;
		m.rec[i].name = m.rec[i].netbios = m.rec[i].sid = big;
	}
	m.nrec = FTI_MAX_RECORDS + 1;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
	cr_assert(strstr(err.msg, "too many") != NULL, "%s", err.msg);
	m.nrec = FTI_MAX_RECORDS;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
	cr_assert(strstr(err.msg, "too large") != NULL, "%s", err.msg);
	cr_assert_eq(b.len, 0);
	m.rec[0].type = 3;
	m.rec[0].raw_len = LSA_PROTO_MAX_RAW + 1;
	m.rec[0].raw = (uint8_t *)big;
	cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
	free(m.rec);
	lsa_buf_release(&b);
	free(big);
}

Test(lsa_proto, secret_never_in_error_messages)
{
	static const uint8_t typ[] = {LSA_MSG_LOGIN, LSA_MSG_CREATE_TDO};

	for (size_t t = 0; t < 2; t++) {
		struct lsa_msg m, d;
		struct lsa_buf b;
		struct err err;
		size_t used;
		char *big;

		fill(&m, typ[t]);
		encode_ok(&m, &b);
		for (size_t cut = 0; cut <= b.len; cut++) {
			for (size_t pos = 4; pos < cut; pos += 3) {
				uint8_t *c = xmalloc(cut + 1);

				memcpy(c, b.p, cut);
				c[pos] ^= 0xff;
				err_init(&err);
				if (lsa_proto_decode_frame(&d, c, cut, &used,
				                           &err) < 0)
					cr_assert(strstr(err.msg, "secret") ==
					                  NULL,
					          "%s", err.msg);
				lsa_msg_release(&d);
				free(c);
			}
		}
		lsa_buf_release(&b);
		/* an unencodable password is not quoted either */
		big = xmalloc(LSA_PROTO_MAX_STR + 40);
		memset(big, 'y', LSA_PROTO_MAX_STR + 20);
		memcpy(big + 5, SECRET, strlen(SECRET));
		big[LSA_PROTO_MAX_STR + 20] = '\0';
		free(m.password);
		m.password = big;
		lsa_buf_init(&b);
		cr_assert_eq(lsa_proto_encode(&b, &m, &err), ERR_INVALID);
		cr_assert(strstr(err.msg, "secret") == NULL, "%s", err.msg);
		lsa_buf_release(&b);
		lsa_msg_release(&m);
	}
}

Test(lsa_proto, type_names)
{
	cr_assert_str_eq(lsa_msg_type_name(LSA_MSG_LOGIN), "LOGIN");
	cr_assert_str_eq(lsa_msg_type_name(LSA_MSG_VALIDATE | LSA_MSG_REPLY),
	                 "VALIDATE reply");
	cr_assert_str_eq(lsa_msg_type_name(0), "unknown message type");
	cr_assert_str_eq(lsa_msg_type_name(0xff), "unknown message type");
}

/* SC_RESET: the partner's name out, a NETLOGON_INFO_2 answer back. */
Test(lsa_proto, sc_reset_round_trip)
{
	static const uint8_t wire[] = {12,  0,   0,   0,  V,   LSA_MSG_SC_RESET,
	                               6,   0,   0,   0,  'b', '.',
	                               't', 'e', 's', 't'};
	struct lsa_msg m, d;
	struct lsa_buf b;

	fill(&m, LSA_MSG_SC_RESET);
	round_trip(&m, &d);
	assert_str(d.name, "b.test");
	cr_assert_null(d.password, "the request carries the name only");
	cr_assert_null(d.dc_name);
	cr_assert_eq(d.login_flags, 0);
	encode_ok(&m, &b);
	cr_assert_eq(b.len, sizeof(wire));
	cr_assert_eq(memcmp(b.p, wire, sizeof(wire)), 0, "wire format");
	lsa_buf_release(&b);
	lsa_msg_release(&m);
	lsa_msg_release(&d);

	fill(&m, LSA_MSG_SC_RESET | LSA_MSG_REPLY);
	m.code = 0;
	round_trip(&m, &d);
	cr_assert_eq(d.tc_flags, 0xb0);
	assert_str(d.dc_name, "\\\\dcb.b.test");
	cr_assert_eq(d.pdc_status, 0);
	assert_str(d.pdc_text, "WERR_OK");
	cr_assert_eq(d.tc_status, 5);
	assert_str(d.tc_text, "WERR_ACCESS_DENIED");
	cr_assert_null(d.name, "the reply does not repeat the name");
	cr_assert_str_eq(lsa_msg_type_name(d.type), "SC_RESET reply");
	lsa_msg_release(&m);
	lsa_msg_release(&d);
}

/* Every cut of an SC_RESET request or reply is refused, naming the field. */
Test(lsa_proto, sc_reset_truncation_names_the_field)
{
	static const uint8_t typ[] = {LSA_MSG_SC_RESET,
	                              LSA_MSG_SC_RESET | LSA_MSG_REPLY};

	for (size_t t = 0; t < 2; t++) {
		struct lsa_msg m, d;
		struct lsa_buf b;
		struct err err;

		fill(&m, typ[t]);
		m.code = 0;
		encode_ok(&m, &b);
		for (size_t cut = 6; cut < b.len; cut++) {
			uint8_t *copy = xmalloc(cut - 4);

			memcpy(copy, b.p + 4, cut - 4); /* exact size, ASan */
			err_init(&err);
			cr_assert_eq(lsa_proto_decode(&d, copy, cut - 4, &err),
			             ERR_INVALID, "cut %zu", cut);
			cr_assert(empty(&d));
			cr_assert(strstr(err.msg, t ? "SC_RESET reply: field"
			                            : "SC_RESET: field") !=
			                  NULL,
			          "%s", err.msg);
			cr_assert(strstr(err.msg, "truncated") != NULL, "%s",
			          err.msg);
			free(copy);
		}
		lsa_buf_release(&b);
		lsa_msg_release(&m);
	}
}

/* ---- I/O over a socketpair ---- */

static void
pair(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

Test(lsa_proto, send_recv_round_trip)
{
	struct lsa_msg m, d;
	struct err err;
	int sv[2];

	pair(sv);
	fill(&m, LSA_MSG_SET_FTI);
	err_init(&err);
	cr_assert_eq(lsa_proto_send(sv[0], &m, lsa_proto_deadline(1000), &err),
	             0, "%s", err.msg);
	cr_assert_eq(lsa_proto_send(sv[0], &m, -1, &err), 0);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(lsa_proto_recv(sv[1], &d, lsa_proto_deadline(1000),
		                            &err),
		             0, "%s", err.msg);
		cr_assert_eq(d.nrec, m.nrec);
		assert_str(d.name, "b.test");
		lsa_msg_release(&d);
	}
	close(sv[0]);
	cr_assert_eq(lsa_proto_recv(sv[1], &d, -1, &err), ERR_NOTFOUND,
	             "clean end of stream");
	close(sv[1]);
	lsa_msg_release(&m);
}

Test(lsa_proto, recv_cut_short_garbage_and_timeout)
{
	static const uint8_t part[] = {10, 0, 0, 0, 1, 2};
	static const uint8_t junk[] = {'G', 'E', 'T', ' ', '/', ' '};
	struct lsa_msg d;
	struct err err;
	struct timespec t0, t1;
	int sv[2];
	long ms;

	pair(sv);
	cr_assert_eq(write(sv[0], part, sizeof(part)), (ssize_t)sizeof(part));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err_init(&err);
	cr_assert_eq(lsa_proto_recv(sv[1], &d, lsa_proto_deadline(200), &err),
	             ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert_eq(err.sys, ETIMEDOUT);
	cr_assert(ms >= 150 && ms < 2000, "%ld ms", ms);
	close(sv[0]);
	close(sv[1]);

	pair(sv);
	cr_assert_eq(write(sv[0], part, sizeof(part)), (ssize_t)sizeof(part));
	close(sv[0]);
	cr_assert_eq(lsa_proto_recv(sv[1], &d, -1, &err), ERR_IO);
	cr_assert(strstr(err.msg, "cut short") != NULL, "%s", err.msg);
	close(sv[1]);

	pair(sv);
	cr_assert_eq(write(sv[0], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	cr_assert_eq(lsa_proto_recv(sv[1], &d, -1, &err), ERR_INVALID);
	cr_assert(empty(&d));
	close(sv[0]);
	close(sv[1]);
}

Test(lsa_proto, send_to_a_closed_peer_is_an_error_not_sigpipe)
{
	struct lsa_msg m;
	struct err err;
	int sv[2];

	pair(sv);
	close(sv[1]);
	fill(&m, LSA_MSG_LOGIN);
	err_init(&err);
	cr_assert_eq(lsa_proto_send(sv[0], &m, -1, &err), ERR_IO);
	cr_assert_eq(err.sys, EPIPE);
	cr_assert(strstr(err.msg, "secret") == NULL);
	close(sv[0]);
	lsa_msg_release(&m);
}

/* ---- the client against fake helpers (shell scripts) ---- */

struct fake {
	char dir[64];
	char path[128];
};

static void
fake_helper(struct fake *f, const char *body)
{
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/adt-lsa-test.XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/helper", f->dir);
	fp = fopen(f->path, "w");
	cr_assert_not_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(chmod(f->path, 0700), 0);
}

static void
fake_file(const struct fake *f, const char *name, const void *p, size_t n)
{
	char path[192];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(p, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
}

static char *
fake_read(const struct fake *f, const char *name)
{
	char path[192], *buf = xcalloc(1, 8192);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "%s", path);
	(void)!fread(buf, 1, 8191, fp);
	fclose(fp);
	return buf;
}

static void
fake_remove(const struct fake *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	cr_assert_eq(system(cmd), 0);
}

static const struct lsa_login login = {
        .server = "dc.x.test",
        .realm = "X.TEST",
        .user = "administrator",
        .password = SECRET,
};

static int
open_fake(struct lsa_session **s, const struct fake *f, unsigned timeout,
          struct err *err)
{
	err_init(err);
	return lsa_session_open(s, f->path, &login, timeout, err);
}

Test(lsa_client, missing_helper)
{
	struct lsa_session *s;
	struct err err;

	err_init(&err);
	cr_assert_lt(lsa_session_open(&s, "/nonexistent/adtrust-lsa", &login,
	                              1000, &err),
	             0);
	cr_assert_null(s);
	cr_assert(strstr(err.msg, "/nonexistent/adtrust-lsa") != NULL, "%s",
	          err.msg);
}

Test(lsa_client, helper_gets_fd_argv_and_a_filtered_environment)
{
	struct lsa_session *s;
	struct fake f;
	struct err err;
	char *argv, *env;

	setenv("ADT_TEST_SECRET", SECRET, 1);
	setenv("KRB5CCNAME", "FILE:/tmp/adt-test-cc", 1);
	fake_helper(&f, "echo \"$*\" > \"$(dirname \"$0\")/argv\"; "
	                "env > \"$(dirname \"$0\")/env\"; "
	                "[ -S /dev/fd/3 ] || [ -e /dev/fd/3 ] || exit 9; "
	                "[ -e /dev/fd/4 ] && exit 8; exit 3");
	cr_assert_eq(open_fake(&s, &f, 5000, &err), ERR_IO);
	cr_assert_null(s);
	cr_assert_str_eq(err.msg, "adtrust-lsa for 'dc.x.test' exited with "
	                          "status 3");
	argv = fake_read(&f, "argv");
	env = fake_read(&f, "env");
	cr_assert_str_eq(argv, "--fd=3\n");
	cr_assert(strstr(env, "KRB5CCNAME=FILE:/tmp/adt-test-cc") != NULL);
	cr_assert(strstr(env, SECRET) == NULL, "secret leaked: %s", env);
	free(argv);
	free(env);
	fake_remove(&f);
}

Test(lsa_client, helper_killed_by_a_signal)
{
	struct lsa_session *s;
	struct fake f;
	struct err err;

	fake_helper(&f, "kill -9 $$");
	cr_assert_eq(open_fake(&s, &f, 5000, &err), ERR_IO);
	cr_assert_str_eq(err.msg, "adtrust-lsa for 'dc.x.test' died: signal 9");
	fake_remove(&f);
}

Test(lsa_client, hung_helper_times_out_and_is_killed)
{
	struct lsa_session *s;
	struct timespec t0, t1;
	struct fake f;
	struct err err;
	long ms;

	fake_helper(&f, "exec sleep 20");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(open_fake(&s, &f, 300, &err), ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert_str_eq(err.msg,
	                 "adtrust-lsa for 'dc.x.test' timed out after 300 ms");
	cr_assert(ms < 2000, "took %ld ms", ms);
	fake_remove(&f);
}

Test(lsa_client, garbage_from_the_helper)
{
	struct lsa_session *s;
	struct fake f;
	struct err err;

	fake_helper(&f, "printf 'HTTP/1.0 200 OK' >&3; exec sleep 20");
	cr_assert_eq(open_fake(&s, &f, 5000, &err), ERR_IO);
	cr_assert(strstr(err.msg, "adtrust-lsa for 'dc.x.test' broke the "
	                          "protocol") == err.msg,
	          "%s", err.msg);
	fake_remove(&f);
}

/* A scripted helper: a good LOGIN reply, an error reply, then exit. */
Test(lsa_client, replies_and_errors_pass_through)
{
	struct lsa_session *s;
	struct lsa_domain_info di;
	struct lsa_tdo t;
	struct lsa_msg r;
	struct lsa_buf b;
	struct fake f;
	struct err err;

	lsa_buf_init(&b);
	lsa_msg_init(&r);
	r.type = LSA_MSG_LOGIN | LSA_MSG_REPLY;
	cr_assert_eq(lsa_proto_encode(&b, &r, &err), 0);
	r.type = LSA_MSG_INFO | LSA_MSG_REPLY;
	r.code = ERR_BACKEND;
	r.status = 0xc0000022u;
	r.status_kind = LSA_STATUS_NTSTATUS;
	r.status_name = xstrdup("NT_STATUS_ACCESS_DENIED");
	r.message = xstrdup("QueryInfoPolicy2 on 'dc.x.test': "
	                    "NT_STATUS_ACCESS_DENIED");
	cr_assert_eq(lsa_proto_encode(&b, &r, &err), 0);
	lsa_msg_release(&r);
	fake_helper(&f, "cat \"$(dirname \"$0\")/frames\" >&3; sleep 0.3");
	fake_file(&f, "frames", b.p, b.len);
	lsa_buf_release(&b);

	cr_assert_eq(open_fake(&s, &f, 5000, &err), 0, "%s", err.msg);
	cr_assert_str_eq(lsa_session_server(s), "dc.x.test");
	cr_assert_eq(lsa_info(s, &di, &err), ERR_BACKEND);
	cr_assert_str_eq(err.msg, "QueryInfoPolicy2 on 'dc.x.test': "
	                          "NT_STATUS_ACCESS_DENIED");
	cr_assert_eq((uint32_t)err.sys, 0xc0000022u);
	cr_assert_eq(lsa_delete_tdo(s, "b.test", &err), ERR_IO);
	cr_assert_str_eq(err.msg,
	                 "adtrust-lsa for 'dc.x.test' exited with status 0");
	cr_assert_eq(lsa_query_tdo(s, "b.test", &t, &err), ERR_IO,
	             "a dead session stays dead");
	cr_assert_str_eq(err.msg,
	                 "adtrust-lsa for 'dc.x.test' exited with status 0");
	lsa_session_close(s);
	fake_remove(&f);
}

/* A reply frame for the scripted helpers. */
static void
add_reply(struct lsa_buf *b, uint8_t type, int32_t code, uint32_t tc_status,
          const char *message)
{
	struct lsa_msg r;
	struct err err;

	lsa_msg_init(&r);
	r.type = (uint8_t)(type | LSA_MSG_REPLY);
	r.code = code;
	if (code != 0) {
		r.status = 0x54b; /* WERR_NO_SUCH_DOMAIN */
		r.status_kind = LSA_STATUS_WERROR;
		r.status_name = xstrdup("WERR_NO_SUCH_DOMAIN");
		r.message = xstrdup(message);
	}
	r.dc_name = xstrdup("\\\\dc.b.test");
	r.pdc_text = xstrdup("WERR_OK");
	r.tc_status = tc_status;
	r.tc_text = xstrdup(tc_status ? "WERR_NO_LOGON_SERVERS" : "WERR_OK");
	err_init(&err);
	cr_assert_eq(lsa_proto_encode(b, &r, &err), 0, "%s", err.msg);
	lsa_msg_release(&r);
}

/*
 * A write login puts LSA_LOGIN_WRITE on the wire; lsa_sc_reset passes a
 * good answer, turns a failed connection status into ERR_BACKEND and
 * passes the helper's error through.
 */
Test(lsa_client, write_login_and_sc_reset)
{
	struct lsa_login wl = login;
	struct lsa_session *s;
	struct lsa_msg want;
	struct lsa_buf b, lb;
	struct fake f;
	struct err err;
	char body[256], *got;

	lsa_buf_init(&b);
	lsa_buf_init(&lb);
	lsa_msg_init(&want);
	want.type = LSA_MSG_LOGIN;
	want.server = xstrdup(login.server);
	want.realm = xstrdup(login.realm);
	want.user = xstrdup(login.user);
	want.password = xstrdup(login.password);
	want.login_flags = LSA_LOGIN_WRITE;
	cr_assert_eq(lsa_proto_encode(&lb, &want, &err), 0);
	lsa_msg_release(&want);
	add_reply(&b, LSA_MSG_LOGIN, 0, 0, NULL);
	add_reply(&b, LSA_MSG_SC_RESET, 0, 0, NULL);
	add_reply(&b, LSA_MSG_SC_RESET, 0, 0x51f, NULL);
	add_reply(&b, LSA_MSG_SC_RESET, ERR_BACKEND, 0,
	          "secure channel reset (REDISCOVER) 'c.test' on "
	          "'dc.x.test': WERR_NO_SUCH_DOMAIN");
	snprintf(body, sizeof(body),
	         "d=\"$(dirname \"$0\")\"; head -c %zu <&3 >\"$d/login\"; "
	         "cat \"$d/frames\" >&3; sleep 0.3",
	         lb.len);
	fake_helper(&f, body);
	fake_file(&f, "frames", b.p, b.len);
	lsa_buf_release(&b);

	wl.write = true;
	err_init(&err);
	cr_assert_eq(lsa_session_open(&s, f.path, &wl, 5000, &err), 0, "%s",
	             err.msg);
	got = fake_read(&f, "login");
	cr_assert_eq(memcmp(got, lb.p, lb.len), 0,
	             "LOGIN carries LSA_LOGIN_WRITE");
	explicit_bzero(got, 8192);
	free(got);
	lsa_buf_release(&lb);

	cr_assert_eq(lsa_sc_reset(s, "b.test", &err), 0, "%s", err.msg);
	cr_assert_eq(lsa_sc_reset(s, "b.test", &err), ERR_BACKEND);
	cr_assert_str_eq(err.msg, "secure channel to 'b.test' on 'dc.x.test' "
	                          "not re-established: trust WERR_OK, "
	                          "connection WERR_NO_LOGON_SERVERS");
	cr_assert_eq(err.sys, 0x51f);
	cr_assert_eq(lsa_sc_reset(s, "c.test", &err), ERR_BACKEND);
	cr_assert_str_eq(err.msg, "secure channel reset (REDISCOVER) 'c.test' "
	                          "on 'dc.x.test': WERR_NO_SUCH_DOMAIN");
	cr_assert_eq(err.sys, 0x54b);
	lsa_session_close(s);
	fake_remove(&f);
}

Test(lsa_client, helper_path_from_environment)
{
	char *p = NULL;
	struct err err;

	setenv("ADTRUST_LSA", "/opt/x/adtrust-lsa", 1);
	cr_assert_eq(lsa_helper_path(&p, &err), 0);
	cr_assert_str_eq(p, "/opt/x/adtrust-lsa");
	free(p);
	unsetenv("ADTRUST_LSA");
	cr_assert_eq(lsa_helper_path(&p, &err), 0);
	cr_assert(strstr(p, "/adtrust-lsa") != NULL);
	free(p);
}

/* -v: the lines a session logs through its trace. */
static void
collect(void *ctx, const char *line)
{
	struct sbuf *sb = ctx;

	sbuf_addf(sb, "%s\n", line);
}

/*
 * With a trace, every request of a session is one line naming the DC, its
 * domain, the RPC call, the trust and the duration; a failed one says so;
 * the password of the login and the trust password never appear.
 */
Test(lsa_client, trace_logs_each_call_and_no_secret)
{
	struct lsa_login tl = login;
	struct lsa_create c = {
	        .name = "b.test",
	        .netbios = "B",
	        .sid = "S-1-5-21-1-2-3",
	        .direction = 3,
	        .type = 2,
	        .password = SECRET "-trust",
	};
	struct lsa_session *s;
	struct trace tr;
	struct lsa_buf b;
	struct sbuf sb;
	struct fake f;
	struct err err;

	sbuf_init(&sb);
	tr.fn = collect;
	tr.ctx = &sb;
	lsa_buf_init(&b);
	add_reply(&b, LSA_MSG_LOGIN, 0, 0, NULL);
	add_reply(&b, LSA_MSG_CREATE_TDO, 0, 0, NULL);
	add_reply(&b, LSA_MSG_SC_RESET, ERR_BACKEND, 0,
	          "secure channel reset (REDISCOVER) 'c.test' on "
	          "'dc.x.test': WERR_NO_SUCH_DOMAIN");
	fake_helper(&f, "cat \"$(dirname \"$0\")/frames\" >&3; sleep 0.3");
	fake_file(&f, "frames", b.p, b.len);
	lsa_buf_release(&b);

	tl.write = true;
	tl.trace = &tr;
	err_init(&err);
	cr_assert_eq(lsa_session_open(&s, f.path, &tl, 5000, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(lsa_create_tdo(s, &c, &err), 0, "%s", err.msg);
	cr_assert_eq(lsa_sc_reset(s, "c.test", &err), ERR_BACKEND);
	lsa_session_close(s);
	fake_remove(&f);

	cr_assert(strstr(sb.buf, SECRET) == NULL, "%s", sb.buf);
	cr_assert(strstr(sb.buf,
	                 "lsa dc.x.test (x.test): login (SMB3 sealed, "
	                 "OpenPolicy2 for writing) as administrator: ") != NULL,
	          "%s", sb.buf);
	cr_assert(strstr(sb.buf, "lsa dc.x.test (x.test): "
	                         "CreateTrustedDomainEx2 b.test: ") != NULL,
	          "%s", sb.buf);
	cr_assert(strstr(sb.buf,
	                 "lsa dc.x.test (x.test): "
	                 "LogonControl2Ex(REDISCOVER) c.test: ") != NULL,
	          "%s", sb.buf);
	cr_assert(strstr(sb.buf, " ms, failed: secure channel reset "
	                         "(REDISCOVER) 'c.test' on "
	                         "'dc.x.test': WERR_NO_SUCH_DOMAIN\n") != NULL,
	          "%s", sb.buf);
	sbuf_release(&sb);
}
