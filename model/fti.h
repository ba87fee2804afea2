#ifndef ADT_MODEL_FTI_H
#define ADT_MODEL_FTI_H

/*
 * msDS-TrustForestTrustInfo codec (MS-ADTS 6.1.6.9.3; spec section 3).
 *
 * The blob is little-endian and unaligned: Version u32 (=1), RecordCount
 * u32, then records of RecordLen u32 (excluding itself), Flags u32,
 * Timestamp 8 bytes, RecordType u8, type-specific data.  Every length is
 * bounds-checked.  Timestamps are kept as their 8 raw bytes (Windows writes
 * the high DWORD first, Samba the low DWORD first; both are preserved).
 * Record types other than TLN, TLN_EX, DOMAIN and SCANNER are kept opaque
 * and written back byte for byte.
 */

#include <stddef.h>
#include <stdint.h>

struct err;

enum fti_type {
	FTI_TLN = 0,
	FTI_TLN_EX = 1,
	FTI_DOMAIN = 2,
	FTI_BINARY = 3,
	FTI_SCANNER = 4,
};

/* Flags of TLN / TLN_EX records (MS-LSAD 2.2.1.5). */
#define FTI_TLN_DISABLED_NEW 0x1u
#define FTI_TLN_DISABLED_ADMIN 0x2u
#define FTI_TLN_DISABLED_CONFLICT 0x4u
/* Flags of DOMAIN records. */
#define FTI_SID_DISABLED_ADMIN 0x1u
#define FTI_SID_DISABLED_CONFLICT 0x2u
#define FTI_NB_DISABLED_ADMIN 0x4u
#define FTI_NB_DISABLED_CONFLICT 0x8u
/* Any bit of the low 16 means the record is disabled. */
#define FTI_DISABLED_REASONS 0xffffu

#define FTI_MAX_RECORDS 4000u

struct fti_record {
	uint8_t type; /* enum fti_type, or any other value (opaque) */
	uint32_t flags;
	uint8_t ts[8]; /* raw timestamp bytes, never interpreted */
	char *name;    /* TLN/TLN_EX: the name; DOMAIN/SCANNER: DNS name */
	char *netbios; /* DOMAIN/SCANNER, else NULL */
	char *sid;     /* DOMAIN/SCANNER: "S-1-5-21-..." or NULL (scanner) */
	uint8_t *raw;  /* other types: the data after RecordType */
	size_t raw_len;
};

struct fti {
	struct fti_record *rec;
	size_t n;
};

/*
 * Decodes a blob into *out (which the caller releases with fti_release).
 * ERR_INVALID with a message naming the record index and byte offset on
 * any malformed input; *out is then empty.
 */
int fti_decode(struct fti *out, const uint8_t *buf, size_t len,
               struct err *err);

/*
 * Encodes *in into a new buffer (*out, *out_len; free() it).  Fails with
 * ERR_INVALID for a record that cannot be encoded (bad SID, too many
 * records).
 */
int fti_encode(uint8_t **out, size_t *out_len, const struct fti *in,
               struct err *err);

void fti_init(struct fti *f);
void fti_release(struct fti *f);
/* Deep copy. */
void fti_copy(struct fti *dst, const struct fti *src);
/* Appends a copy of *r (deep) and returns the new record. */
struct fti_record *fti_add(struct fti *f, const struct fti_record *r);
/* Fills ts with the current time as FILETIME, Windows order (hi first). */
void fti_timestamp_now(uint8_t ts[8]);

/* "TLN", "TLN_EX", "DOMAIN", "BINARY", "SCANNER" or "TYPE<n>". */
const char *fti_type_name(uint8_t type);

#endif
