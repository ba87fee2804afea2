#ifndef ADT_UTIL_SID_H
#define ADT_UTIL_SID_H

/* Security identifiers: binary MS-DTYP 2.4.2.2 form <-> "S-1-5-21-..." text. */

#include <stddef.h>
#include <stdint.h>

struct err;

#define SID_MAX_SUBAUTH 15
#define SID_MAX_BINARY (8 + 4 * SID_MAX_SUBAUTH)
#define SID_MAX_STRING 192

/*
 * Formats a binary SID into out (SID_MAX_STRING bytes).  ERR_INVALID if len
 * does not match 8 + 4 * SubAuthorityCount or the revision is not 1.
 */
int sid_to_string(char out[SID_MAX_STRING], const uint8_t *bin, size_t len,
                  struct err *err);
/* Parses text into binary (SID_MAX_BINARY bytes), *out_len the length. */
int sid_from_string(uint8_t out[SID_MAX_BINARY], size_t *out_len, const char *s,
                    struct err *err);
/* True for an account-domain SID S-1-5-21-a-b-c. */
int sid_is_domain(const char *s);

#endif
