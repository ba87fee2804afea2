#include "model/fti.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/sbuf.h"
#include "util/sid.h"
#include "util/xalloc.h"

/* RecordLen counts Flags (4), Timestamp (8) and RecordType (1) at least. */
#define REC_MIN 13u
/* The sub-record type of a ScannerInfo record that we understand. */
#define SCANNER_SUB_DOMAIN 4u

/*
 * A cursor over buf[pos..end).  Offsets are absolute so that every message
 * points at the byte where the problem is; rec is the record index.
 */
struct rd {
	const uint8_t *buf;
	size_t pos, end;
	size_t rec;
	struct err *err;
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int __attribute__((format(printf, 3, 4)))
bad(const struct rd *r, size_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(r->err, ERR_INVALID, "record %zu at offset 0x%zx: %s",
	               r->rec, off, msg);
}

static size_t
left(const struct rd *r)
{
	return r->end - r->pos;
}

static int
rd_bytes(struct rd *r, const uint8_t **out, size_t n, const char *what)
{
	*out = NULL;
	if (left(r) < n)
		return bad(r, r->pos, "%s needs %zu bytes, %zu left", what, n,
		           left(r));
	*out = r->buf + r->pos;
	r->pos += n;
	return 0;
}

static int
rd_u32(struct rd *r, uint32_t *out, const char *what)
{
	const uint8_t *p;
	int rc;

	if ((rc = rd_bytes(r, &p, 4, what)) < 0)
		return rc;
	*out = le32(p);
	return 0;
}

/* A length, checked against what is left, then that many bytes. */
static int
rd_counted(struct rd *r, const uint8_t **out, uint32_t *n, const char *what)
{
	size_t at = r->pos;
	int rc;

	if ((rc = rd_u32(r, n, what)) < 0)
		return rc;
	if (*n > left(r))
		return bad(r, at,
		           "%s length %u exceeds record (%zu bytes left)", what,
		           *n, left(r));
	*out = r->buf + r->pos;
	r->pos += *n;
	return 0;
}

static int
rd_str(struct rd *r, char **out, const char *what)
{
	const uint8_t *p;
	uint32_t n;
	int rc;

	if ((rc = rd_counted(r, &p, &n, what)) < 0)
		return rc;
	if (memchr(p, 0, n) != NULL)
		return bad(r, r->pos - n, "%s contains a NUL byte", what);
	*out = xstrndup((const char *)p, n);
	return 0;
}

static int
rd_sid(struct rd *r, char **out, bool optional)
{
	char text[SID_MAX_STRING];
	const uint8_t *p;
	struct err e;
	uint32_t n;
	int rc;

	if ((rc = rd_counted(r, &p, &n, "SID")) < 0)
		return rc;
	if (n == 0 && optional)
		return 0;
	if (sid_to_string(text, p, n, &e) < 0)
		return bad(r, r->pos - n, "%s", e.msg);
	*out = xstrdup(text);
	return 0;
}

/* DomainInfo data, also the tail of ScannerInfo (where the SID may be 0). */
static int
rd_domain(struct rd *r, struct fti_record *rec, bool sid_optional)
{
	int rc;

	if ((rc = rd_sid(r, &rec->sid, sid_optional)) < 0 ||
	    (rc = rd_str(r, &rec->name, "DNS name")) < 0 ||
	    (rc = rd_str(r, &rec->netbios, "NetBIOS name")) < 0)
		return rc;
	return 0;
}

static void
rd_raw(struct rd *r, struct fti_record *rec)
{
	rec->raw_len = left(r);
	rec->raw = xmalloc(rec->raw_len);
	memcpy(rec->raw, r->buf + r->pos, rec->raw_len);
	r->pos = r->end;
}

/* ScannerInfo with a sub-type other than 4 is kept opaque, like type 3. */
static int
rd_scanner(struct rd *r, struct fti_record *rec)
{
	size_t start = r->pos;
	const uint8_t *sub;
	uint32_t n;
	int rc;

	if ((rc = rd_u32(r, &n, "scanner data length")) < 0)
		return rc;
	if (n != left(r))
		return bad(r, start,
		           "scanner data length %u does not match record "
		           "(%zu bytes left)",
		           n, left(r));
	if ((rc = rd_bytes(r, &sub, 1, "scanner sub-record type")) < 0)
		return rc;
	if (*sub != SCANNER_SUB_DOMAIN) {
		r->pos = start;
		rd_raw(r, rec);
		return 0;
	}
	return rd_domain(r, rec, true);
}

static int
rd_record(struct rd *r, struct fti_record *rec)
{
	size_t start = r->pos;
	const uint8_t *ts, *type;
	uint32_t len;
	struct rd s;
	int rc;

	if ((rc = rd_u32(r, &len, "record length")) < 0)
		return rc;
	if (len < REC_MIN || len > left(r))
		return bad(r, start, "record length %u out of range %u..%zu",
		           len, REC_MIN, left(r));
	s = *r;
	s.end = r->pos + len;
	r->pos = s.end;
	if ((rc = rd_u32(&s, &rec->flags, "flags")) < 0 ||
	    (rc = rd_bytes(&s, &ts, 8, "timestamp")) < 0 ||
	    (rc = rd_bytes(&s, &type, 1, "record type")) < 0)
		return rc;
	memcpy(rec->ts, ts, 8);
	rec->type = *type;
	switch (rec->type) {
	case FTI_TLN:
	case FTI_TLN_EX:
		rc = rd_str(&s, &rec->name, "name");
		break;
	case FTI_DOMAIN:
		rc = rd_domain(&s, rec, false);
		break;
	case FTI_SCANNER:
		rc = rd_scanner(&s, rec);
		break;
	default:
		rd_raw(&s, rec);
		break;
	}
	if (rc == 0 && left(&s) != 0)
		rc = bad(&s, s.pos, "%zu trailing bytes inside record",
		         left(&s));
	return rc;
}

int
fti_decode(struct fti *out, const uint8_t *buf, size_t len, struct err *err)
{
	struct rd r = {.buf = buf, .pos = 0, .end = len, .err = err};
	struct fti f;
	uint32_t ver, cnt;
	int rc;

	fti_init(out);
	fti_init(&f);
	if (len < 8) {
		rc = err_set(err, ERR_INVALID,
		             "forest trust info of %zu bytes is too short",
		             len);
		goto out;
	}
	ver = le32(buf);
	cnt = le32(buf + 4);
	if (ver != 1) {
		rc = err_set(err, ERR_INVALID,
		             "forest trust info at offset 0x0: version %u is "
		             "not 1",
		             ver);
		goto out;
	}
	if (cnt > FTI_MAX_RECORDS) {
		rc = err_set(err, ERR_INVALID,
		             "forest trust info at offset 0x4: record count %u "
		             "exceeds %u",
		             cnt, FTI_MAX_RECORDS);
		goto out;
	}
	/* bounds the allocation too: a record takes at least 17 bytes */
	if (cnt > (len - 8) / (4 + REC_MIN)) {
		rc = err_set(err, ERR_INVALID,
		             "forest trust info at offset 0x4: %u records "
		             "cannot fit in %zu bytes",
		             cnt, len);
		goto out;
	}
	r.pos = 8;
	f.rec = xcalloc(cnt, sizeof(*f.rec));
	for (f.n = 0; f.n < cnt; f.n++) {
		r.rec = f.n;
		/* f.n counts the half-decoded record so that it is freed */
		if ((rc = rd_record(&r, &f.rec[f.n])) < 0) {
			f.n++;
			goto out;
		}
	}
	if (left(&r) != 0) {
		rc = err_set(err, ERR_INVALID,
		             "forest trust info at offset 0x%zx: %zu trailing "
		             "bytes after the last record",
		             r.pos, left(&r));
		goto out;
	}
	*out = f;
	fti_init(&f);
	rc = 0;
out:
	fti_release(&f);
	return rc;
}

static void
put_u32(struct sbuf *sb, size_t at, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                (uint8_t)(v >> 24)};

	if (at == sb->len)
		sbuf_add(sb, b, 4);
	else
		memcpy(sb->buf + at, b, 4);
}

/* Writes sb->len - at - 4 into the u32 placeholder at offset at. */
static int
patch_len(struct sbuf *sb, size_t at, size_t i, struct err *err)
{
	size_t n = sb->len - at - 4;

	if (n > UINT32_MAX)
		return err_set(err, ERR_INVALID,
		               "record %zu: %zu bytes is too long", i, n);
	put_u32(sb, at, (uint32_t)n);
	return 0;
}

static int
put_str(struct sbuf *sb, const char *s, size_t i, struct err *err)
{
	size_t n;

	if (s == NULL)
		s = ""; /* an absent name is written as an empty one */
	n = strlen(s);
	if (n > UINT32_MAX)
		return err_set(err, ERR_INVALID, "record %zu: name too long",
		               i);
	put_u32(sb, sb->len, (uint32_t)n);
	sbuf_add(sb, s, n);
	return 0;
}

static int
put_domain(struct sbuf *sb, const struct fti_record *r, size_t i,
           struct err *err)
{
	uint8_t sid[SID_MAX_BINARY];
	size_t sl = 0;
	int rc;

	if (r->sid == NULL && r->type == FTI_DOMAIN)
		return err_set(err, ERR_INVALID,
		               "record %zu: domain record without a SID", i);
	if (r->sid != NULL && sid_from_string(sid, &sl, r->sid, err) < 0)
		return err_prefix(err, "record %zu", i);
	put_u32(sb, sb->len, (uint32_t)sl);
	sbuf_add(sb, sid, sl);
	if ((rc = put_str(sb, r->name, i, err)) < 0 ||
	    (rc = put_str(sb, r->netbios, i, err)) < 0)
		return rc;
	return 0;
}

static int
put_record(struct sbuf *sb, const struct fti_record *r, size_t i,
           struct err *err)
{
	size_t at = sb->len, bl;
	int rc;

	put_u32(sb, at, 0); /* RecordLen, patched below */
	put_u32(sb, sb->len, r->flags);
	sbuf_add(sb, r->ts, 8);
	sbuf_add(sb, &r->type, 1);
	if (r->type == FTI_TLN || r->type == FTI_TLN_EX) {
		rc = put_str(sb, r->name, i, err);
	} else if (r->type == FTI_DOMAIN) {
		rc = put_domain(sb, r, i, err);
	} else if (r->type == FTI_SCANNER && r->raw == NULL) {
		bl = sb->len;
		put_u32(sb, bl, 0);
		sbuf_addch(sb, (char)SCANNER_SUB_DOMAIN);
		if ((rc = put_domain(sb, r, i, err)) == 0)
			rc = patch_len(sb, bl, i, err);
	} else if (r->raw == NULL && r->raw_len != 0) {
		rc = err_set(err, ERR_INVALID, "record %zu: no raw data", i);
	} else {
		if (r->raw != NULL)
			sbuf_add(sb, r->raw, r->raw_len);
		rc = 0;
	}
	if (rc == 0)
		rc = patch_len(sb, at, i, err);
	return rc;
}

int
fti_encode(uint8_t **out, size_t *out_len, const struct fti *in,
           struct err *err)
{
	struct sbuf sb;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	sbuf_init(&sb);
	if (in->n > FTI_MAX_RECORDS) {
		rc = err_set(err, ERR_INVALID,
		             "%zu records exceed the limit %u", in->n,
		             FTI_MAX_RECORDS);
		goto out;
	}
	put_u32(&sb, 0, 1);
	put_u32(&sb, 4, (uint32_t)in->n);
	for (size_t i = 0; i < in->n; i++)
		if ((rc = put_record(&sb, &in->rec[i], i, err)) < 0)
			goto out;
	*out = (uint8_t *)sbuf_detach(&sb, out_len);
out:
	sbuf_release(&sb);
	return rc;
}

void
fti_init(struct fti *f)
{
	f->rec = NULL;
	f->n = 0;
}

void
fti_release(struct fti *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->rec[i].name);
		free(f->rec[i].netbios);
		free(f->rec[i].sid);
		free(f->rec[i].raw);
	}
	free(f->rec);
	fti_init(f);
}

void
fti_copy(struct fti *dst, const struct fti *src)
{
	fti_init(dst);
	for (size_t i = 0; i < src->n; i++)
		fti_add(dst, &src->rec[i]);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct fti_record *
fti_add(struct fti *f, const struct fti_record *r)
{
	struct fti_record *d;

	f->rec = xreallocarray(f->rec, f->n + 1, sizeof(*f->rec));
	d = &f->rec[f->n++];
	*d = *r;
	d->name = dup_or_null(r->name);
	d->netbios = dup_or_null(r->netbios);
	d->sid = dup_or_null(r->sid);
	d->raw = NULL;
	if (r->raw != NULL) {
		d->raw = xmalloc(r->raw_len);
		memcpy(d->raw, r->raw, r->raw_len);
	}
	return d;
}

void
fti_timestamp_now(uint8_t ts[8])
{
	/* FILETIME: 100 ns ticks since 1601-01-01 */
	const uint64_t epoch = 11644473600ull;
	struct timespec now;
	uint64_t ft;

	clock_gettime(CLOCK_REALTIME, &now);
	ft = ((uint64_t)now.tv_sec + epoch) * 10000000u +
	     (uint64_t)now.tv_nsec / 100u;
	for (size_t i = 0; i < 4; i++) {
		ts[i] = (uint8_t)(ft >> (32 + 8 * i));
		ts[4 + i] = (uint8_t)(ft >> (8 * i));
	}
}

#define D10(p)                                                                 \
	p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", p "8", p "9"
#define D100(p)                                                                \
	D10(p "0"), D10(p "1"), D10(p "2"), D10(p "3"), D10(p "4"),            \
	        D10(p "5"), D10(p "6"), D10(p "7"), D10(p "8"), D10(p "9")

const char *
fti_type_name(uint8_t type)
{
	/* "TYPE0".."TYPE255" in .rodata: no buffer, no global state */
	static const char names[256][8] = {
	        D10("TYPE"),   D10("TYPE1"),  D10("TYPE2"),  D10("TYPE3"),
	        D10("TYPE4"),  D10("TYPE5"),  D10("TYPE6"),  D10("TYPE7"),
	        D10("TYPE8"),  D10("TYPE9"),  D100("TYPE1"), D10("TYPE20"),
	        D10("TYPE21"), D10("TYPE22"), D10("TYPE23"), D10("TYPE24"),
	        "TYPE250",     "TYPE251",     "TYPE252",     "TYPE253",
	        "TYPE254",     "TYPE255",
	};

	switch (type) {
	case FTI_TLN:
		return "TLN";
	case FTI_TLN_EX:
		return "TLN_EX";
	case FTI_DOMAIN:
		return "DOMAIN";
	case FTI_BINARY:
		return "BINARY";
	case FTI_SCANNER:
		return "SCANNER";
	}
	return names[type];
}
