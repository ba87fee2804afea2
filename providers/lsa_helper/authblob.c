/*
 * The trust password blob for CreateTrustedDomainEx2.
 *
 * ndr_push_trustDomainPasswords lives in Samba's private
 * libndr-samba-samba4, so the layout is written by hand (the spike compared
 * it byte for byte with Samba's for all four direction combinations):
 *
 *   u8  confounder[512]                random
 *   trustAuthInOutBlob outgoing        (count 0: three zero u32)
 *   trustAuthInOutBlob incoming
 *   u32 outgoing_size, incoming_size   byte sizes of the two blobs
 *
 * trustAuthInOutBlob with one entry: u32 count = 1, u32 current_offset = 12,
 * u32 previous_offset = 12 + size(current), then current =
 * AuthenticationInformation { NTTIME LastUpdateTime (LE u64), u32 AuthType
 * = 2 (CLEAR), u32 size, UTF-16LE password, zero pad to 4 }, previous empty.
 * The whole blob is RC4-encrypted with the SMB session key.
 *
 * Samba 4.17 to 4.21 give that key through dcerpc_fetch_session_key()
 * (source4/librpc/rpc/dcerpc_util.c); 4.22 removed it, hid the connection
 * behind SOURCE4_LIBRPC_INTERNALS and added
 * dcerpc_binding_handle_transport_session_key() (librpc/rpc/rpc_common.h,
 * binding_handle.c).  Both call the connection's security_state.session_key
 * and cut the key to 16 bytes.  The Makefile's probe defines
 * ADT_SAMBA_BH_SESSION_KEY when samba-dev has the 4.22 function.
 */
#include "providers/lsa_helper/helper.h"

#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "util/err.h"

#define CONFOUNDER 512u
#define AUTH_TYPE_CLEAR 2u

/*
 * UTF-8 -> UTF-16LE into a talloc buffer; rejects malformed input.  The
 * message never quotes the password.
 */
static int
utf16le(TALLOC_CTX *mem, const char *s, uint8_t **out, size_t *out_len,
        struct err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	uint8_t *u = talloc_zero_array(mem, uint8_t, 4 * n + 2);
	uint32_t cp;
	size_t k;

	if (u == NULL)
		return err_set(err, ERR_FAIL, "out of memory");
	for (size_t i = 0; i < n; i += k) {
		if (p[i] < 0x80) {
			cp = p[i];
			k = 1;
		} else if ((p[i] & 0xe0) == 0xc0) {
			cp = p[i] & 0x1fu;
			k = 2;
		} else if ((p[i] & 0xf0) == 0xe0) {
			cp = p[i] & 0x0fu;
			k = 3;
		} else if ((p[i] & 0xf8) == 0xf0) {
			cp = p[i] & 0x07u;
			k = 4;
		} else {
			goto bad;
		}
		if (i + k > n)
			goto bad;
		for (size_t j = 1; j < k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i + j] & 0x3fu);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		if (cp >= 0x10000) {
			uint32_t hi = 0xd800 + ((cp - 0x10000) >> 10);
			uint32_t lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);

			u[o++] = (uint8_t)hi;
			u[o++] = (uint8_t)(hi >> 8);
			u[o++] = (uint8_t)lo;
			u[o++] = (uint8_t)(lo >> 8);
		} else {
			u[o++] = (uint8_t)cp;
			u[o++] = (uint8_t)(cp >> 8);
		}
	}
	*out = u;
	*out_len = o;
	return 0;
bad:
	explicit_bzero(u, 4 * n + 2);
	talloc_free(u);
	return err_set(err, ERR_INVALID, "trust password is not valid UTF-8");
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

static size_t
inout_size(const uint8_t *pw, size_t len)
{
	if (pw == NULL)
		return 12;
	return 12 + 16 + len + (4 - len % 4) % 4;
}

static uint8_t *
put_inout(uint8_t *p, const uint8_t *pw, size_t len, NTTIME t)
{
	size_t pad = (4 - len % 4) % 4;

	if (pw == NULL) {
		memset(p, 0, 12);
		return p + 12;
	}
	p = put32(p, 1);
	p = put32(p, 12);
	p = put32(p, (uint32_t)(12 + 16 + len + pad));
	p = put32(p, (uint32_t)t);
	p = put32(p, (uint32_t)(t >> 32));
	p = put32(p, AUTH_TYPE_CLEAR);
	p = put32(p, (uint32_t)len);
	memcpy(p, pw, len);
	memset(p + len, 0, pad);
	return p + len + pad;
}

/* The SMB session key as a copy on mem; the caller wipes and frees it. */
static NTSTATUS
session_key(TALLOC_CTX *mem, struct dcerpc_pipe *p, DATA_BLOB *out)
{
#ifdef ADT_SAMBA_BH_SESSION_KEY
	return dcerpc_binding_handle_transport_session_key(p->binding_handle,
	                                                   mem, out);
#else
	DATA_BLOB k = data_blob_null; /* the connection's own */
	NTSTATUS st = dcerpc_fetch_session_key(p, &k);

	if (!NT_STATUS_IS_OK(st))
		return st;
	if (k.length > 0 &&
	    (out->data = talloc_memdup(mem, k.data, k.length)) == NULL)
		return NT_STATUS_NO_MEMORY;
	out->length = k.length;
	return NT_STATUS_OK;
#endif
}

static NTTIME
nttime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((NTTIME)ts.tv_sec + 11644473600ull) * 10000000ull +
	       (NTTIME)ts.tv_nsec / 100;
}

int
h_auth_blob(TALLOC_CTX *mem, struct dcerpc_pipe *p, uint32_t direction,
            const char *password, DATA_BLOB *out, struct err *err)
{
	DATA_BLOB skey = data_blob_null; /* a copy, wiped at out */
	uint8_t *pw = NULL, *blob = NULL, *w;
	const uint8_t *in, *outgoing;
	size_t pwlen = 0, osz, isz, total = 0;
	gnutls_cipher_hd_t h = NULL;
	gnutls_datum_t key;
	NTSTATUS st;
	NTTIME now = nttime_now();
	int rc, g;

	*out = data_blob_null;
	st = session_key(mem, p, &skey);
	if (!NT_STATUS_IS_OK(st) || skey.length == 0) {
		rc = err_set(err, ERR_BACKEND,
		             "cannot get the SMB session key: %s",
		             nt_errstr(st));
		err->sys = (int)NT_STATUS_V(st);
		goto out;
	}
	if ((rc = utf16le(mem, password, &pw, &pwlen, err)) < 0)
		goto out;
	if (pwlen == 0 || pwlen > 512) {
		rc = err_set(err, ERR_INVALID,
		             "trust password must have 1 to 256 UTF-16 units");
		goto out;
	}
	in = (direction & LSA_TRUST_DIRECTION_INBOUND) ? pw : NULL;
	outgoing = (direction & LSA_TRUST_DIRECTION_OUTBOUND) ? pw : NULL;
	osz = inout_size(outgoing, pwlen);
	isz = inout_size(in, pwlen);
	total = CONFOUNDER + osz + isz + 8;
	if ((blob = talloc_zero_array(mem, uint8_t, total)) == NULL) {
		rc = err_set(err, ERR_FAIL, "out of memory");
		goto out;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, blob, CONFOUNDER) != 0) {
		rc = err_set(err, ERR_FAIL, "gnutls_rnd failed");
		goto out;
	}
	w = put_inout(blob + CONFOUNDER, outgoing, pwlen, now);
	w = put_inout(w, in, pwlen, now);
	w = put32(w, (uint32_t)osz);
	put32(w, (uint32_t)isz);

	key.data = skey.data;
	key.size = (unsigned)skey.length;
	g = gnutls_cipher_init(&h, GNUTLS_CIPHER_ARCFOUR_128, &key, NULL);
	if (g == 0)
		g = gnutls_cipher_encrypt(h, blob, total);
	if (g != 0) {
		rc = err_set(err, ERR_BACKEND, "RC4 (gnutls): %s",
		             gnutls_strerror(g));
		goto out;
	}
	out->data = blob;
	out->length = total;
	blob = NULL;
	rc = 0;
out:
	if (h != NULL)
		gnutls_cipher_deinit(h);
	if (blob != NULL) {
		explicit_bzero(blob, total);
		talloc_free(blob);
	}
	if (pw != NULL) {
		explicit_bzero(pw, pwlen);
		talloc_free(pw);
	}
	if (skey.data != NULL) {
		explicit_bzero(skey.data, skey.length);
		talloc_free(skey.data);
	}
	return rc;
}
