#ifndef ADT_UTIL_STRMAP_H
#define ADT_UTIL_STRMAP_H

/*
 * A string-keyed hash index (open addressing, linear probing, FNV-1a): key
 * -> size_t, for the lookups that must stay linear in the input (domains,
 * trust pairs, YAML positions).  Keys are borrowed: they must outlive the
 * map.  Case-insensitive maps compare and hash ASCII letters folded.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key; /* NULL: empty */
	uint64_t hash;
	size_t val;
};

struct strmap {
	struct strmap_slot *v;
	size_t n, cap; /* cap is 0 or a power of two */
	bool icase;
};

void strmap_init(struct strmap *m, bool icase);
void strmap_release(struct strmap *m);
/*
 * Adds key -> val.  If key is there already, nothing changes, *old (if not
 * NULL) is its value and false is returned.
 */
bool strmap_put(struct strmap *m, const char *key, size_t val, size_t *old);
/* True and *val if key is there. */
bool strmap_get(const struct strmap *m, const char *key, size_t *val);

#endif
