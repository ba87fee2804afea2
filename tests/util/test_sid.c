#include <criterion/criterion.h>

#include <string.h>

#include "util/err.h"
#include "util/sid.h"

/* S-1-5-21-677661288-1956808876-2402106903, spec 3.8 vector 1 */
static const uint8_t dom_bin[] = {
        0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00,
        0x68, 0x4a, 0x64, 0x28, 0xac, 0x88, 0xa2, 0x74, 0x17, 0x3e, 0x2d, 0x8f,
};
static const char dom_str[] = "S-1-5-21-677661288-1956808876-2402106903";

Test(sid, binary_domain_sid_formats)
{
	char s[SID_MAX_STRING];
	struct err err;

	cr_assert_eq(sid_to_string(s, dom_bin, sizeof(dom_bin), &err), 0);
	cr_assert_str_eq(s, dom_str);
}

Test(sid, text_domain_sid_parses_to_binary)
{
	uint8_t bin[SID_MAX_BINARY];
	struct err err;
	size_t len;

	cr_assert_eq(sid_from_string(bin, &len, dom_str, &err), 0);
	cr_assert_eq(len, sizeof(dom_bin));
	cr_assert_arr_eq(bin, dom_bin, len);
}

Test(sid, round_trips_canonical_forms)
{
	static const char *const ok[] = {
	        "S-1-0-0",
	        "S-1-5",
	        "S-1-5-18",
	        "S-1-5-32-544",
	        "S-1-16-12288",
	        "S-1-4294967295-0",
	        "S-1-0x000100000000-1",
	        "S-1-0xffffffffffff-4294967295",
	        "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t bin[SID_MAX_BINARY];
		char s[SID_MAX_STRING];
		struct err err;
		size_t len;

		cr_assert_eq(sid_from_string(bin, &len, ok[i], &err), 0,
		             "%s: %s", ok[i], err.msg);
		cr_assert_eq(sid_to_string(s, bin, len, &err), 0, "%s", ok[i]);
		cr_assert_str_eq(s, ok[i]);
	}
}

Test(sid, authority_is_48_bit_big_endian)
{
	static const uint8_t want[] = {1,    0,    0x12, 0x34,
	                               0x56, 0x78, 0x9a, 0xbc};
	uint8_t bin[SID_MAX_BINARY];
	char s[SID_MAX_STRING];
	struct err err;
	size_t len;

	cr_assert_eq(sid_from_string(bin, &len, "S-1-0x123456789ABC", &err), 0);
	cr_assert_eq(len, 8);
	cr_assert_arr_eq(bin, want, 8);
	/* a decimal authority of 2^48 - 1 is accepted, printed as hex */
	cr_assert_eq(sid_from_string(bin, &len, "S-1-281474976710655", &err),
	             0);
	cr_assert_eq(sid_to_string(s, bin, len, &err), 0);
	cr_assert_str_eq(s, "S-1-0xffffffffffff");
}

Test(sid, malformed_text_rejected)
{
	static const char *const bad[] = {
	        "",
	        "S",
	        "S-1",
	        "S-1-",
	        "s-1-5-18",
	        "S-2-5-18",
	        "S-1-5-",
	        "S-1-5--18",
	        "S-1-5-18-",
	        "S-1-5-018",
	        "S-1-05-18",
	        "S-1-+5-18",
	        "S-1--5",
	        "S-1-5-4294967296",
	        "S-1-5-99999999999999999999999",
	        "S-1-281474976710656",
	        "S-1-0x1000000000000",
	        "S-1-0x",
	        "S-1-0xg",
	        "S-1-5-0x10",
	        " S-1-5-18",
	        "S-1-5-18 ",
	        "S-1-5-18x",
	        "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t bin[SID_MAX_BINARY];
		struct err err;
		size_t len = 99;

		err_init(&err);
		cr_assert_eq(sid_from_string(bin, &len, bad[i], &err),
		             ERR_INVALID, "'%s' accepted", bad[i]);
		cr_assert_eq(err.code, ERR_INVALID);
		cr_assert_eq(len, 0);
		cr_assert_neq(err.msg[0], '\0');
	}
}

Test(sid, malformed_binary_rejected)
{
	uint8_t b[SID_MAX_BINARY + 4];
	char s[SID_MAX_STRING];
	struct err err;

	memcpy(b, dom_bin, sizeof(dom_bin));
	cr_assert_eq(sid_to_string(s, b, 7, &err), ERR_INVALID);
	cr_assert_eq(sid_to_string(s, b, 20, &err), ERR_INVALID);
	cr_assert_eq(sid_to_string(s, b, 28, &err), ERR_INVALID);
	b[0] = 2;
	cr_assert_eq(sid_to_string(s, b, 24, &err), ERR_INVALID);
	cr_assert_str_eq(err.msg, "SID revision 2 is not 1");
	b[0] = 1;
	b[1] = 16;
	memset(b + 8, 0, 64);
	cr_assert_eq(sid_to_string(s, b, 8 + 4 * 16, &err), ERR_INVALID);
}

Test(sid, longest_sid_fits_the_buffer)
{
	uint8_t b[SID_MAX_BINARY];
	char s[SID_MAX_STRING];
	struct err err;

	memset(b, 0xff, sizeof(b));
	b[0] = 1;
	b[1] = SID_MAX_SUBAUTH;
	cr_assert_eq(sid_to_string(s, b, sizeof(b), &err), 0);
	cr_assert_eq(strncmp(s, "S-1-0xffffffffffff-4294967295-", 30), 0);
	cr_assert_eq(strlen(s), 18 + 15 * 11);
}

Test(sid, domain_sids_recognised)
{
	cr_assert(sid_is_domain(dom_str));
	cr_assert(sid_is_domain("S-1-5-21-1-2-3"));
	cr_assert_not(sid_is_domain("S-1-5-21-1-2"));
	cr_assert_not(sid_is_domain("S-1-5-21-1-2-3-500"));
	cr_assert_not(sid_is_domain("S-1-5-32-544"));
	cr_assert_not(sid_is_domain("S-1-4-21-1-2-3"));
	cr_assert_not(sid_is_domain("S-1-5-21-1-2-x"));
	cr_assert_not(sid_is_domain(""));
}
