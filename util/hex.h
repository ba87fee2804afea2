#ifndef ADT_UTIL_HEX_H
#define ADT_UTIL_HEX_H

/* Lower-case hex of n bytes into out (2n characters and a NUL). */

#include <stddef.h>
#include <stdint.h>

void hex_encode(char *out, const uint8_t *in, size_t n);

#endif
