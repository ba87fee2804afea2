#include "providers/lsa_proto.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xalloc.h"

#define STR_ABSENT 0xffffffffu
/* type + flags + timestamp + the smallest body (one u32) */
#define MIN_RECORD (1u + 4u + 8u + 4u)
#define MIN_COLLISION (4u + 4u + 4u + 4u)

/*
 * The codec is table driven: each message type lists its request and reply
 * fields in wire order as offsets into struct lsa_msg, so encode and decode
 * cannot disagree.
 */
enum fkind { F_U32, F_I32, F_STR, F_SECRET, F_RECS, F_COLLS };

struct field {
	enum fkind kind;
	size_t off;
	const char *what;
};

#define FLD(k, m)                                                              \
	{                                                                      \
		k, offsetof(struct lsa_msg, m), #m                             \
	}

static const struct field reply_hdr[] = {
        FLD(F_I32, code),        FLD(F_U32, status),  FLD(F_U32, status_kind),
        FLD(F_STR, status_name), FLD(F_STR, message),
};
static const struct field login_req[] = {
        FLD(F_STR, server),      FLD(F_STR, realm),  FLD(F_STR, user),
        FLD(F_SECRET, password), FLD(F_STR, ccache), FLD(F_U32, login_flags),
};
static const struct field info_rep[] = {
        FLD(F_STR, name),
        FLD(F_STR, netbios),
        FLD(F_STR, sid),
        FLD(F_STR, forest),
};
static const struct field name_only[] = {
        FLD(F_STR, name),
};
static const struct field tdo_rep[] = {
        FLD(F_STR, name),      FLD(F_STR, netbios),    FLD(F_STR, sid),
        FLD(F_U32, direction), FLD(F_U32, trust_type), FLD(F_U32, attributes),
        FLD(F_U32, enctypes),
};
static const struct field create_req[] = {
        FLD(F_STR, name),      FLD(F_STR, netbios),     FLD(F_STR, sid),
        FLD(F_U32, direction), FLD(F_U32, trust_type),  FLD(F_U32, attributes),
        FLD(F_U32, enctypes),  FLD(F_SECRET, password),
};
static const struct field set_info_ex_req[] = {
        FLD(F_STR, name),
        FLD(F_U32, direction),
        FLD(F_U32, trust_type),
        FLD(F_U32, attributes),
};
static const struct field set_enctypes_req[] = {
        FLD(F_STR, name),
        FLD(F_U32, enctypes),
};
static const struct field set_fti_req[] = {
        FLD(F_STR, name),
        FLD(F_U32, check_only),
        FLD(F_RECS, rec),
};
static const struct field colls_rep[] = {
        FLD(F_COLLS, coll),
};
static const struct field recs_rep[] = {
        FLD(F_RECS, rec),
};
static const struct field validate_rep[] = {
        FLD(F_U32, tc_flags), FLD(F_STR, dc_name),   FLD(F_U32, pdc_status),
        FLD(F_STR, pdc_text), FLD(F_U32, tc_status), FLD(F_STR, tc_text),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct spec {
	uint8_t type;
	const char *name;
	const struct field *req;
	size_t nreq;
	const struct field *rep;
	size_t nrep;
};

static const struct spec specs[] = {
        {LSA_MSG_LOGIN, "LOGIN", login_req, N(login_req), NULL, 0},
        {LSA_MSG_INFO, "INFO", NULL, 0, info_rep, N(info_rep)},
        {LSA_MSG_QUERY_TDO, "QUERY_TDO", name_only, N(name_only), tdo_rep,
         N(tdo_rep)},
        {LSA_MSG_CREATE_TDO, "CREATE_TDO", create_req, N(create_req), NULL, 0},
        {LSA_MSG_SET_INFO_EX, "SET_INFO_EX", set_info_ex_req,
         N(set_info_ex_req), NULL, 0},
        {LSA_MSG_SET_ENCTYPES, "SET_ENCTYPES", set_enctypes_req,
         N(set_enctypes_req), NULL, 0},
        {LSA_MSG_SET_FTI, "SET_FTI", set_fti_req, N(set_fti_req), colls_rep,
         N(colls_rep)},
        {LSA_MSG_QUERY_FTI, "QUERY_FTI", name_only, N(name_only), recs_rep,
         N(recs_rep)},
        {LSA_MSG_FETCH_FTI, "FETCH_FTI", name_only, N(name_only), recs_rep,
         N(recs_rep)},
        {LSA_MSG_DELETE_TDO, "DELETE_TDO", name_only, N(name_only), NULL, 0},
        {LSA_MSG_VALIDATE, "VALIDATE", name_only, N(name_only), validate_rep,
         N(validate_rep)},
        {LSA_MSG_SC_RESET, "SC_RESET", name_only, N(name_only), validate_rep,
         N(validate_rep)},
};

static const struct spec *
find_spec(uint8_t type)
{
	uint8_t base = (uint8_t)(type & ~LSA_MSG_REPLY);

	for (size_t i = 0; i < N(specs); i++)
		if (specs[i].type == base)
			return &specs[i];
	return NULL;
}

const char *
lsa_msg_type_name(uint8_t type)
{
	static const char *const reply_names[] = {
	        "LOGIN reply",      "INFO reply",        "QUERY_TDO reply",
	        "CREATE_TDO reply", "SET_INFO_EX reply", "SET_ENCTYPES reply",
	        "SET_FTI reply",    "QUERY_FTI reply",   "FETCH_FTI reply",
	        "DELETE_TDO reply", "VALIDATE reply",    "SC_RESET reply",
	};
	const struct spec *s = find_spec(type);

	_Static_assert(N(reply_names) == N(specs),
	               "one reply name per message type, in type order");

	if (s == NULL)
		return "unknown message type";
	if (type & LSA_MSG_REPLY)
		return reply_names[s->type - 1];
	return s->name;
}

/* ---- buffers ---- */

void
lsa_buf_init(struct lsa_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
lsa_buf_release(struct lsa_buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	lsa_buf_init(b);
}

static void
buf_add(struct lsa_buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *np;

		while (cap - b->len < n)
			cap *= 2;
		/* no realloc: the old block may hold a secret, wipe it */
		np = xmalloc(cap);
		if (b->len > 0)
			memcpy(np, b->p, b->len);
		if (b->p != NULL) {
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put32(struct lsa_buf *b, uint32_t v)
{
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 24)};

	buf_add(b, le, 4);
}

static void
set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- messages ---- */

void
lsa_msg_init(struct lsa_msg *m)
{
	memset(m, 0, sizeof(*m));
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
lsa_msg_release(struct lsa_msg *m)
{
	free_secret(m->password);
	free(m->status_name);
	free(m->message);
	free(m->server);
	free(m->realm);
	free(m->user);
	free(m->ccache);
	free(m->name);
	free(m->netbios);
	free(m->sid);
	free(m->forest);
	for (size_t i = 0; i < m->nrec; i++) {
		free(m->rec[i].name);
		free(m->rec[i].netbios);
		free(m->rec[i].sid);
		free(m->rec[i].raw);
	}
	free(m->rec);
	for (size_t i = 0; i < m->ncoll; i++)
		free(m->coll[i].name);
	free(m->coll);
	free(m->dc_name);
	free(m->pdc_text);
	free(m->tc_text);
	lsa_msg_init(m);
}

/* ---- encode ---- */

static int
put_str(struct lsa_buf *b, const char *s, const char *what, struct err *err)
{
	size_t n;

	if (s == NULL) {
		put32(b, STR_ABSENT);
		return 0;
	}
	n = strlen(s);
	if (n > LSA_PROTO_MAX_STR)
		return err_set(
		        err, ERR_INVALID,
		        "lsa protocol: field '%s' is too long (%zu bytes)",
		        what, n);
	put32(b, (uint32_t)n);
	buf_add(b, s, n);
	return 0;
}

static int
put_records(struct lsa_buf *b, const struct fti_record *rec, size_t n,
            struct err *err)
{
	int rc;

	if (n > FTI_MAX_RECORDS)
		return err_set(
		        err, ERR_INVALID,
		        "lsa protocol: too many forest trust records (%zu)", n);
	if (n > 0 && rec == NULL)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: record array missing");
	put32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const struct fti_record *r = &rec[i];

		buf_add(b, &r->type, 1);
		put32(b, r->flags);
		buf_add(b, r->ts, 8);
		switch (r->type) {
		case FTI_TLN:
		case FTI_TLN_EX:
			if ((rc = put_str(b, r->name, "record name", err)) < 0)
				return rc;
			break;
		case FTI_DOMAIN:
			if ((rc = put_str(b, r->name, "record name", err)) <
			            0 ||
			    (rc = put_str(b, r->netbios, "record netbios",
			                  err)) < 0 ||
			    (rc = put_str(b, r->sid, "record sid", err)) < 0)
				return rc;
			break;
		default:
			if (r->raw_len > LSA_PROTO_MAX_RAW ||
			    (r->raw_len > 0 && r->raw == NULL))
				return err_set(err, ERR_INVALID,
				               "lsa protocol: record %zu: bad "
				               "opaque data (%zu bytes)",
				               i, r->raw_len);
			put32(b, (uint32_t)r->raw_len);
			buf_add(b, r->raw, r->raw_len);
			break;
		}
	}
	return 0;
}

static int
put_colls(struct lsa_buf *b, const struct lsa_collision *c, size_t n,
          struct err *err)
{
	int rc;

	if (n > FTI_MAX_RECORDS || (n > 0 && c == NULL))
		return err_set(err, ERR_INVALID,
		               "lsa protocol: bad collision list (%zu)", n);
	put32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put32(b, c[i].index);
		put32(b, c[i].type);
		put32(b, c[i].flags);
		if ((rc = put_str(b, c[i].name, "collision name", err)) < 0)
			return rc;
	}
	return 0;
}

static int
put_fields(struct lsa_buf *b, const struct lsa_msg *m, const struct field *f,
           size_t n, struct err *err)
{
	const char *base = (const char *)m;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const void *p = base + f[i].off;

		switch (f[i].kind) {
		case F_U32:
			put32(b, *(const uint32_t *)p);
			break;
		case F_I32:
			put32(b, (uint32_t) * (const int32_t *)p);
			break;
		case F_STR:
		case F_SECRET:
			rc = put_str(b, *(char *const *)p, f[i].what, err);
			break;
		case F_RECS:
			rc = put_records(b, m->rec, m->nrec, err);
			break;
		case F_COLLS:
			rc = put_colls(b, m->coll, m->ncoll, err);
			break;
		}
	}
	return rc;
}

int
lsa_proto_encode(struct lsa_buf *out, const struct lsa_msg *m, struct err *err)
{
	const struct spec *s = find_spec(m->type);
	bool reply = (m->type & LSA_MSG_REPLY) != 0;
	size_t start = out->len, plen;
	uint8_t hdr[2] = {LSA_PROTO_VERSION, m->type};
	int rc;

	if (s == NULL)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: cannot encode message type %u",
		               (unsigned)m->type);
	if (reply && m->code > 0)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: reply code %d is positive",
		               (int)m->code);
	put32(out, 0); /* length, filled in below */
	buf_add(out, hdr, 2);
	if (reply) {
		rc = put_fields(out, m, reply_hdr, N(reply_hdr), err);
		if (rc == 0 && m->code == 0)
			rc = put_fields(out, m, s->rep, s->nrep, err);
	} else {
		rc = put_fields(out, m, s->req, s->nreq, err);
	}
	plen = out->len - start - 4;
	if (rc == 0 && plen > LSA_PROTO_MAX_FRAME)
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: %s frame too large (%zu bytes)",
		             lsa_msg_type_name(m->type), plen);
	if (rc < 0) {
		/* drop the partial frame, wiping what it held */
		explicit_bzero(out->p + start, out->len - start);
		out->len = start;
		return rc;
	}
	set32(out->p + start, (uint32_t)plen);
	return 0;
}

/* ---- decode ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
	const char *msgname;
};

static int
truncated(const struct rd *r, const char *what, struct err *err)
{
	return err_set(err, ERR_INVALID,
	               "lsa protocol: %s: field '%s' truncated at offset %zu",
	               r->msgname, what, r->off);
}

static int
rd_u32(struct rd *r, uint32_t *out, const char *what, struct err *err)
{
	if (r->len - r->off < 4)
		return truncated(r, what, err);
	*out = get32(r->p + r->off);
	r->off += 4;
	return 0;
}

static int
rd_bytes(struct rd *r, const uint8_t **out, size_t n, const char *what,
         struct err *err)
{
	if (r->len - r->off < n)
		return truncated(r, what, err);
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

static int
rd_str(struct rd *r, char **out, const char *what, struct err *err)
{
	const uint8_t *p = NULL;
	uint32_t n;
	int rc;

	*out = NULL;
	if ((rc = rd_u32(r, &n, what, err)) < 0)
		return rc;
	if (n == STR_ABSENT)
		return 0;
	if (n > LSA_PROTO_MAX_STR)
		return err_set(
		        err, ERR_INVALID,
		        "lsa protocol: %s: field '%s' too long (%u bytes) "
		        "at offset %zu",
		        r->msgname, what, n, r->off - 4);
	if ((rc = rd_bytes(r, &p, n, what, err)) < 0)
		return rc;
	if (memchr(p, '\0', n) != NULL)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: %s: field '%s' contains a NUL "
		               "byte at offset %zu",
		               r->msgname, what, r->off - n);
	*out = xstrndup((const char *)p, n);
	return 0;
}

static int
rd_records(struct rd *r, struct lsa_msg *m, struct err *err)
{
	uint32_t n;
	int rc;

	if ((rc = rd_u32(r, &n, "record count", err)) < 0)
		return rc;
	if (n > FTI_MAX_RECORDS || n > (r->len - r->off) / MIN_RECORD)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: %s: bad record count %u",
		               r->msgname, n);
	if (n == 0)
		return 0;
	m->rec = xcalloc(n, sizeof(*m->rec));
	for (uint32_t i = 0; i < n; i++) {
		struct fti_record *x = &m->rec[i];
		const uint8_t *p = NULL;
		uint32_t rawlen;

		m->nrec = (size_t)i + 1; /* so release frees partial records */
		if ((rc = rd_bytes(r, &p, 1, "record type", err)) < 0)
			return rc;
		x->type = p[0];
		if ((rc = rd_u32(r, &x->flags, "record flags", err)) < 0 ||
		    (rc = rd_bytes(r, &p, 8, "record timestamp", err)) < 0)
			return rc;
		memcpy(x->ts, p, 8);
		switch (x->type) {
		case FTI_TLN:
		case FTI_TLN_EX:
			rc = rd_str(r, &x->name, "record name", err);
			break;
		case FTI_DOMAIN:
			if ((rc = rd_str(r, &x->name, "record name", err)) ==
			            0 &&
			    (rc = rd_str(r, &x->netbios, "record netbios",
			                 err)) == 0)
				rc = rd_str(r, &x->sid, "record sid", err);
			break;
		default:
			if ((rc = rd_u32(r, &rawlen, "record data length",
			                 err)) < 0)
				return rc;
			if (rawlen > LSA_PROTO_MAX_RAW)
				return err_set(err, ERR_INVALID,
				               "lsa protocol: %s: record %u: "
				               "opaque data too long (%u)",
				               r->msgname, i, rawlen);
			if ((rc = rd_bytes(r, &p, rawlen, "record data", err)) <
			    0)
				return rc;
			if (rawlen > 0) {
				x->raw = xmalloc(rawlen);
				memcpy(x->raw, p, rawlen);
			}
			x->raw_len = rawlen;
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
rd_colls(struct rd *r, struct lsa_msg *m, struct err *err)
{
	uint32_t n;
	int rc;

	if ((rc = rd_u32(r, &n, "collision count", err)) < 0)
		return rc;
	if (n > FTI_MAX_RECORDS || n > (r->len - r->off) / MIN_COLLISION)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: %s: bad collision count %u",
		               r->msgname, n);
	if (n == 0)
		return 0;
	m->coll = xcalloc(n, sizeof(*m->coll));
	for (uint32_t i = 0; i < n; i++) {
		struct lsa_collision *c = &m->coll[i];

		m->ncoll = (size_t)i + 1;
		if ((rc = rd_u32(r, &c->index, "collision index", err)) < 0 ||
		    (rc = rd_u32(r, &c->type, "collision type", err)) < 0 ||
		    (rc = rd_u32(r, &c->flags, "collision flags", err)) < 0 ||
		    (rc = rd_str(r, &c->name, "collision name", err)) < 0)
			return rc;
	}
	return 0;
}

static int
rd_fields(struct rd *r, struct lsa_msg *m, const struct field *f, size_t n,
          struct err *err)
{
	char *base = (char *)m;
	uint32_t v;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		void *p = base + f[i].off;

		switch (f[i].kind) {
		case F_U32:
			rc = rd_u32(r, (uint32_t *)p, f[i].what, err);
			break;
		case F_I32:
			if ((rc = rd_u32(r, &v, f[i].what, err)) < 0)
				break;
			if (v != 0 && v < 0xffff0000u) /* codes are small */
				rc = err_set(err, ERR_INVALID,
				             "lsa protocol: %s: bad reply "
				             "code 0x%x",
				             r->msgname, v);
			else
				*(int32_t *)p = v ? -(int32_t)(~v + 1u) : 0;
			break;
		case F_STR:
		case F_SECRET:
			rc = rd_str(r, (char **)p, f[i].what, err);
			break;
		case F_RECS:
			rc = rd_records(r, m, err);
			break;
		case F_COLLS:
			rc = rd_colls(r, m, err);
			break;
		}
	}
	return rc;
}

int
lsa_proto_decode(struct lsa_msg *out, const uint8_t *p, size_t len,
                 struct err *err)
{
	struct rd r = {p, len, 0, "frame"};
	const struct spec *s;
	int rc;

	lsa_msg_init(out);
	if (len < 2) {
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: frame too short (%zu bytes)", len);
		goto out;
	}
	if (len > LSA_PROTO_MAX_FRAME) {
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: frame too large (%zu bytes)", len);
		goto out;
	}
	if (p[0] != LSA_PROTO_VERSION) {
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: unsupported version %u (want %u)",
		             (unsigned)p[0], LSA_PROTO_VERSION);
		goto out;
	}
	if ((s = find_spec(p[1])) == NULL) {
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: unknown message type %u",
		             (unsigned)p[1]);
		goto out;
	}
	out->type = p[1];
	r.off = 2;
	r.msgname = lsa_msg_type_name(p[1]);
	if (out->type & LSA_MSG_REPLY) {
		rc = rd_fields(&r, out, reply_hdr, N(reply_hdr), err);
		if (rc == 0 && out->code == 0)
			rc = rd_fields(&r, out, s->rep, s->nrep, err);
	} else {
		rc = rd_fields(&r, out, s->req, s->nreq, err);
	}
	if (rc == 0 && r.off != len)
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: %s: %zu trailing bytes", r.msgname,
		             len - r.off);
out:
	if (rc < 0)
		lsa_msg_release(out);
	return rc;
}

int
lsa_proto_decode_frame(struct lsa_msg *out, const uint8_t *buf, size_t len,
                       size_t *used, struct err *err)
{
	uint32_t n;

	lsa_msg_init(out);
	*used = 0;
	if (len < 4)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: frame header truncated");
	n = get32(buf);
	if (n == 0 || n > LSA_PROTO_MAX_FRAME)
		return err_set(err, ERR_INVALID,
		               "lsa protocol: bad frame length %u", n);
	if (len - 4 < n)
		return err_set(
		        err, ERR_INVALID,
		        "lsa protocol: frame truncated (%zu of %u bytes)",
		        len - 4, n);
	*used = 4 + (size_t)n;
	return lsa_proto_decode(out, buf + 4, n, err);
}

/* ---- I/O ---- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
lsa_proto_deadline(unsigned timeout_ms)
{
	if (timeout_ms == 0)
		return -1;
	return now_ms() + (int64_t)timeout_ms;
}

/* Waits for fd to become ready; ERR_IO + ETIMEDOUT past the deadline. */
static int
wait_fd(int fd, short events, int64_t deadline, struct err *err)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left;
	int r;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - now_ms();
			if (left <= 0) {
				err_set(err, ERR_IO, "lsa protocol: timed out");
				err->sys = ETIMEDOUT;
				return ERR_IO;
			}
			if (left > INT_MAX)
				left = INT_MAX;
		}
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0; /* ready, or HUP/ERR: the I/O call reports */
		if (r < 0 && errno != EINTR)
			return err_set_errno(err, ERR_IO, "lsa protocol: poll");
	}
}

static int
write_all(int fd, const uint8_t *p, size_t n, int64_t deadline, struct err *err)
{
	bool sock = true;
	ssize_t w;
	int rc;

	while (n > 0) {
		if ((rc = wait_fd(fd, POLLOUT, deadline, err)) < 0)
			return rc;
		if (sock) {
			w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == ENOTSOCK) {
				sock = false;
				continue;
			}
		} else {
			w = write(fd, p, n);
		}
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return err_set_errno(err, ERR_IO,
			                     "lsa protocol: write");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads exactly n bytes; *got says how many arrived before EOF. */
static int
read_all(int fd, uint8_t *p, size_t n, size_t *got, int64_t deadline,
         struct err *err)
{
	ssize_t r;
	int rc;

	*got = 0;
	while (*got < n) {
		if ((rc = wait_fd(fd, POLLIN, deadline, err)) < 0)
			return rc;
		r = read(fd, p + *got, n - *got);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return err_set_errno(err, ERR_IO, "lsa protocol: read");
		}
		if (r == 0)
			return 0; /* EOF: caller compares *got with n */
		*got += (size_t)r;
	}
	return 0;
}

int
lsa_proto_send(int fd, const struct lsa_msg *m, int64_t deadline,
               struct err *err)
{
	struct lsa_buf b;
	int rc;

	lsa_buf_init(&b);
	if ((rc = lsa_proto_encode(&b, m, err)) < 0)
		goto out;
	rc = write_all(fd, b.p, b.len, deadline, err);
out:
	lsa_buf_release(&b);
	return rc;
}

int
lsa_proto_recv(int fd, struct lsa_msg *out, int64_t deadline, struct err *err)
{
	uint8_t hdr[4];
	uint8_t *payload = NULL;
	size_t got, n = 0;
	int rc;

	lsa_msg_init(out);
	if ((rc = read_all(fd, hdr, 4, &got, deadline, err)) < 0)
		goto out;
	if (got == 0) {
		rc = err_set(err, ERR_NOTFOUND, "lsa protocol: end of stream");
		goto out;
	}
	if (got < 4) {
		rc = err_set(err, ERR_IO,
		             "lsa protocol: frame header cut short");
		goto out;
	}
	n = get32(hdr);
	if (n == 0 || n > LSA_PROTO_MAX_FRAME) {
		rc = err_set(err, ERR_INVALID,
		             "lsa protocol: bad frame length %zu", n);
		n = 0;
		goto out;
	}
	payload = xmalloc(n);
	if ((rc = read_all(fd, payload, n, &got, deadline, err)) < 0)
		goto out;
	if (got < n) {
		rc = err_set(err, ERR_IO,
		             "lsa protocol: frame cut short (%zu of %zu bytes)",
		             got, n);
		goto out;
	}
	rc = lsa_proto_decode(out, payload, n, err);
out:
	if (payload != NULL) {
		explicit_bzero(payload, n);
		free(payload);
	}
	return rc;
}
