#include "util/sid.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define SID_MAX_AUTH 0xffffffffffffull /* 48 bits */

int
sid_to_string(char out[SID_MAX_STRING], const uint8_t *bin, size_t len,
              struct err *err)
{
	uint64_t auth = 0;
	size_t n, pos;

	out[0] = '\0';
	if (len < 8)
		return err_set(err, ERR_INVALID,
		               "SID of %zu bytes is too short", len);
	if (bin[0] != 1)
		return err_set(err, ERR_INVALID, "SID revision %u is not 1",
		               (unsigned)bin[0]);
	n = bin[1];
	if (n > SID_MAX_SUBAUTH || len != 8 + 4 * n)
		return err_set(err, ERR_INVALID,
		               "SID length %zu does not match %zu "
		               "sub-authorities",
		               len, n);
	for (size_t i = 2; i < 8; i++)
		auth = auth << 8 | bin[i];
	/* MS-DTYP 2.4.2.1: decimal below 2^32, else 12 hex digits (Windows) */
	if (auth <= UINT32_MAX)
		pos = (size_t)snprintf(out, SID_MAX_STRING, "S-1-%" PRIu64,
		                       auth);
	else
		pos = (size_t)snprintf(out, SID_MAX_STRING, "S-1-0x%012" PRIx64,
		                       auth);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = bin + 8 + 4 * i;
		uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		char digits[10];
		size_t k = 0;

		/* at most 4 + 15 + 15 * 11 bytes: always fits (no snprintf:
		 * this runs for every TDO read) */
		do {
			digits[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		out[pos++] = '-';
		while (k > 0)
			out[pos++] = digits[--k];
	}
	out[pos] = '\0';
	return 0;
}

/*
 * Parses one decimal component without sign, spaces or leading zeros (so
 * that every SID has exactly one text form), or "0x" and 1..12 hex digits
 * when hex is set.  Advances *sp past it.
 */
static int
parse_num(uint64_t *out, const char **sp, uint64_t max, int hex)
{
	const char *s = *sp;
	uint64_t v = 0;
	size_t nd = 0;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2;; s++, nd++) {
			unsigned d;

			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				break;
			if (nd == 12)
				return -1;
			v = v << 4 | d;
		}
	} else {
		for (; *s >= '0' && *s <= '9'; s++, nd++) {
			if (nd == 1 && v == 0)
				return -1; /* leading zero */
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > max)
				return -1;
		}
	}
	if (nd == 0 || v > max)
		return -1;
	*out = v;
	*sp = s;
	return 0;
}

int
sid_from_string(uint8_t out[SID_MAX_BINARY], size_t *out_len, const char *s,
                struct err *err)
{
	const char *p = s;
	uint64_t auth, v;
	size_t n = 0;

	*out_len = 0;
	if (strncmp(p, "S-1-", 4) != 0) {
		return err_set(err, ERR_INVALID,
		               "invalid SID '%.64s': must start with 'S-1-'",
		               s);
	}
	p += 4;
	if (parse_num(&auth, &p, SID_MAX_AUTH, 1) < 0)
		goto bad;
	while (*p == '-') {
		p++;
		if (n == SID_MAX_SUBAUTH) {
			return err_set(err, ERR_INVALID,
			               "invalid SID '%.64s': more than %d "
			               "sub-authorities",
			               s, SID_MAX_SUBAUTH);
		}
		if (parse_num(&v, &p, UINT32_MAX, 0) < 0)
			goto bad;
		for (size_t i = 0; i < 4; i++)
			out[8 + 4 * n + i] = (uint8_t)(v >> (8 * i));
		n++;
	}
	if (*p != '\0')
		goto bad;
	out[0] = 1;
	out[1] = (uint8_t)n;
	for (size_t i = 0; i < 6; i++)
		out[2 + i] = (uint8_t)(auth >> (8 * (5 - i)));
	*out_len = 8 + 4 * n;
	return 0;
bad:
	return err_set(err, ERR_INVALID, "invalid SID '%.64s' at character %zu",
	               s, (size_t)(p - s) + 1);
}

int
sid_is_domain(const char *s)
{
	uint8_t bin[SID_MAX_BINARY];
	static const uint8_t prefix[] = {1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0};
	struct err err;
	size_t len;

	if (sid_from_string(bin, &len, s, &err) < 0)
		return 0;
	return len == 24 && memcmp(bin, prefix, sizeof(prefix)) == 0;
}
