#ifndef ADT_PROVIDERS_LSA_PROTO_H
#define ADT_PROVIDERS_LSA_PROTO_H

/*
 * The pipe protocol between adtrust (providers/lsa.c) and its MS-LSAD
 * helper adtrust-lsa (providers/lsa_helper/).  Shared by both sides.
 *
 * Transport: one SOCK_STREAM socketpair; the helper gets its end as a file
 * descriptor whose number is given on its command line (--fd=N).  Its
 * stdout is redirected to stderr, so nothing Samba prints can ever be
 * mistaken for protocol bytes.
 *
 * Framing: a frame is a u32 little-endian payload length followed by that
 * many payload bytes.  A length of 0 or above LSA_PROTO_MAX_FRAME is an
 * error (the reader never allocates more than that).
 *
 * Payload: u8 version (LSA_PROTO_VERSION), u8 message type, then the
 * message's fields in a fixed order, nothing after them.  Field encodings:
 *   u32     4 bytes little-endian
 *   str     u32 length + bytes (UTF-8, no NUL inside, no terminator);
 *           length 0xffffffff means absent (NULL); at most LSA_PROTO_MAX_STR
 *   records u32 count (<= FTI_MAX_RECORDS), then per record: u8 type,
 *           u32 flags, 8 raw timestamp bytes, and for type 0/1 (TLN,
 *           TLN_EX) str name; for type 2 (DOMAIN) str dns name, str
 *           netbios, str sid ("S-1-5-21-..."); for any other type u32
 *           length (<= LSA_PROTO_MAX_RAW) + that many opaque bytes.
 *           The timestamp bytes are the LSA NTTIME as a little-endian u64,
 *           which is also the byte order Samba stores in
 *           msDS-TrustForestTrustInfo.
 *   colls   u32 count (<= FTI_MAX_RECORDS), then per collision: u32 index,
 *           u32 type, u32 flags, str name
 *
 * The client sends one request and waits for its reply; the reply type is
 * the request type | LSA_MSG_REPLY.  Requests (fields in wire order):
 *   LOGIN        str server, str realm, str user, str password (secret),
 *                str ccache, u32 login_flags.  Must come first.  user
 *                NULL: Kerberos from the ccache (NULL: $KRB5CCNAME).
 *                login_flags LSA_LOGIN_WRITE: the policy handle must
 *                carry the rights trust writes need, else the login fails
 *                (ERR_DENIED).  Reply: no body.
 *   INFO         (none).  Reply: str name (DNS domain), str netbios,
 *                str sid, str forest
 *   QUERY_TDO    str name.  Reply: str name, str netbios, str sid,
 *                u32 direction, u32 trust_type, u32 attributes, u32 enctypes
 *   CREATE_TDO   str name, str netbios, str sid, u32 direction,
 *                u32 trust_type, u32 attributes, u32 enctypes,
 *                str password (secret).  Reply: no body
 *   SET_INFO_EX  str name, u32 direction, u32 trust_type, u32 attributes
 *   SET_ENCTYPES str name, u32 enctypes
 *   SET_FTI      str name, u32 check_only, records.  Reply: colls
 *   QUERY_FTI    str name.  Reply: records
 *   FETCH_FTI    str name (the partner; NETLOGON
 *                DsRGetForestTrustInformation).  Reply: records
 *   DELETE_TDO   str name
 *   VALIDATE     str name (the partner; NETLOGON TC_VERIFY).  Reply:
 *                u32 tc_flags, str dc_name, u32 pdc_status, str pdc_text,
 *                u32 tc_status, str tc_text
 *   SC_RESET     str name (the partner; NETLOGON REDISCOVER: the DC drops
 *                its secure channel to the partner and builds a new one
 *                with the current trust secret).  Reply: as VALIDATE
 * Every reply starts with: u32 code (0 or a negative enum err_code as
 * two's complement), u32 status (NTSTATUS or WERROR value, 0 if none),
 * u32 status_kind (enum lsa_status_kind), str status_name
 * ("NT_STATUS_ACCESS_DENIED"), str message (one line).  The body above
 * follows only when code is 0.
 *
 * Secrets (the admin password in LOGIN, the trust password in CREATE_TDO)
 * travel only inside frames, never in argv or the environment.  Every
 * buffer that may hold a frame is wiped with explicit_bzero before it is
 * freed, lsa_msg_release wipes the secret fields, and no error message of
 * this codec ever quotes field contents.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/fti.h"

struct err;

#define LSA_PROTO_VERSION 2u /* 2: LOGIN login_flags, SC_RESET */
#define LSA_PROTO_MAX_FRAME (4u * 1024u * 1024u)
#define LSA_PROTO_MAX_STR 1024u
#define LSA_PROTO_MAX_RAW 131072u /* Samba's lsa_ForestTrustBinaryData */

enum lsa_msg_type {
	LSA_MSG_LOGIN = 1,
	LSA_MSG_INFO = 2,
	LSA_MSG_QUERY_TDO = 3,
	LSA_MSG_CREATE_TDO = 4,
	LSA_MSG_SET_INFO_EX = 5,
	LSA_MSG_SET_ENCTYPES = 6,
	LSA_MSG_SET_FTI = 7,
	LSA_MSG_QUERY_FTI = 8,
	LSA_MSG_FETCH_FTI = 9,
	LSA_MSG_DELETE_TDO = 10,
	LSA_MSG_VALIDATE = 11,
	LSA_MSG_SC_RESET = 12,
	LSA_MSG_REPLY = 0x80, /* or'ed into the request type */
};

/* LOGIN login_flags */
enum lsa_login_flags {
	LSA_LOGIN_WRITE = 1 << 0, /* refuse a login that may not write trusts */
};

enum lsa_status_kind {
	LSA_STATUS_NONE = 0,
	LSA_STATUS_NTSTATUS = 1,
	LSA_STATUS_WERROR = 2,
};

struct lsa_collision {
	uint32_t index; /* index of the record in the request */
	uint32_t type;  /* 0 TDO, 1 XREF, 2 OTHER */
	uint32_t flags; /* the record's new flags */
	char *name;
};

/*
 * One decoded message.  Which fields a type uses is listed above; unused
 * fields stay zero/NULL.  All strings and arrays are owned by the message
 * (lsa_msg_release), except that a message built for lsa_proto_encode may
 * point at caller memory it never frees (set the fields, encode, then
 * forget the struct without releasing it).
 */
struct lsa_msg {
	uint8_t type; /* enum lsa_msg_type, | LSA_MSG_REPLY for replies */
	/* reply header */
	int32_t code;         /* 0 or a negative enum err_code */
	uint32_t status;      /* NTSTATUS / WERROR value */
	uint32_t status_kind; /* enum lsa_status_kind */
	char *status_name;
	char *message;
	/* LOGIN */
	char *server, *realm, *user, *ccache;
	char *password;       /* secret (LOGIN, CREATE_TDO) */
	uint32_t login_flags; /* LOGIN: enum lsa_login_flags */
	/* target TDO / partner; INFO reply: the DNS domain name */
	char *name;
	char *netbios, *sid, *forest;
	uint32_t direction, trust_type, attributes, enctypes;
	uint32_t check_only;
	struct fti_record *rec;
	size_t nrec;
	struct lsa_collision *coll;
	size_t ncoll;
	/* VALIDATE and SC_RESET reply */
	uint32_t tc_flags, pdc_status, tc_status;
	char *dc_name, *pdc_text, *tc_text;
};

/* A growable byte buffer that wipes every copy it lets go of. */
struct lsa_buf {
	uint8_t *p;
	size_t len, cap;
};

void lsa_buf_init(struct lsa_buf *b);
/* explicit_bzero()s the whole allocation, frees it, leaves b empty. */
void lsa_buf_release(struct lsa_buf *b);

void lsa_msg_init(struct lsa_msg *m);
/* Frees everything the message owns (secrets wiped first); leaves it init. */
void lsa_msg_release(struct lsa_msg *m);

/* "LOGIN", "QUERY_TDO reply", ... or "message type N". */
const char *lsa_msg_type_name(uint8_t type);

/*
 * Appends one complete frame (length prefix included) for *m to *out.
 * ERR_INVALID for an unknown type, a string or record that cannot be
 * encoded, or a frame above LSA_PROTO_MAX_FRAME.
 */
int lsa_proto_encode(struct lsa_buf *out, const struct lsa_msg *m,
                     struct err *err);

/*
 * Decodes one payload (the bytes after the length prefix) into *out, which
 * the caller releases with lsa_msg_release (also on failure, where it is
 * left empty).  ERR_INVALID for anything malformed: wrong version, unknown
 * type, truncated or oversized field, NUL inside a string, trailing bytes.
 */
int lsa_proto_decode(struct lsa_msg *out, const uint8_t *p, size_t len,
                     struct err *err);

/*
 * Decodes one frame at the start of buf: *used is the number of bytes the
 * frame took.  ERR_INVALID as above, or when buf is shorter than the frame.
 */
int lsa_proto_decode_frame(struct lsa_msg *out, const uint8_t *buf, size_t len,
                           size_t *used, struct err *err);

/*
 * Monotonic deadline in ms timeout_ms from now; -1 (no deadline) when
 * timeout_ms is 0.
 */
int64_t lsa_proto_deadline(unsigned timeout_ms);

/*
 * Writes *m as one frame to fd (a socket or pipe, blocking or not) before
 * deadline (lsa_proto_deadline; -1 waits forever).  Never raises SIGPIPE
 * on a socket.  ERR_IO with sys = ETIMEDOUT on timeout, EPIPE when the
 * peer is gone.
 */
int lsa_proto_send(int fd, const struct lsa_msg *m, int64_t deadline,
                   struct err *err);

/*
 * Reads one frame from fd and decodes it into *out (release it).
 * ERR_NOTFOUND on a clean end of stream before the first byte of a frame;
 * ERR_IO with sys = ETIMEDOUT on timeout, or for a frame cut short;
 * ERR_INVALID for a malformed frame.
 */
int lsa_proto_recv(int fd, struct lsa_msg *out, int64_t deadline,
                   struct err *err);

#endif
