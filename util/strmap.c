#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

static uint64_t
hash(const char *s, bool icase)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (icase && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 0x100000001b3ull;
	}
	/* FNV's low bits depend on the low bits only: mix (splitmix64) */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static bool
same(const struct strmap *m, const struct strmap_slot *sl, uint64_t h,
     const char *key)
{
	if (sl->hash != h)
		return false;
	return m->icase ? strcasecmp(sl->key, key) == 0
	                : strcmp(sl->key, key) == 0;
}

void
strmap_init(struct strmap *m, bool icase)
{
	m->v = NULL;
	m->n = m->cap = 0;
	m->icase = icase;
}

void
strmap_release(struct strmap *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static void
grow(struct strmap *m)
{
	struct strmap_slot *old = m->v;
	size_t ocap = m->cap;

	m->cap = ocap ? 2 * ocap : 16;
	m->v = xcalloc(m->cap, sizeof(*m->v));
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (old[i].key == NULL)
			continue;
		j = (size_t)old[i].hash & (m->cap - 1);
		while (m->v[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->v[j] = old[i];
	}
	free(old);
}

bool
strmap_put(struct strmap *m, const char *key, size_t val, size_t *old)
{
	uint64_t h = hash(key, m->icase);
	size_t j;

	if (2 * (m->n + 1) > m->cap)
		grow(m);
	j = (size_t)h & (m->cap - 1);
	for (; m->v[j].key != NULL; j = (j + 1) & (m->cap - 1)) {
		if (same(m, &m->v[j], h, key)) {
			if (old != NULL)
				*old = m->v[j].val;
			return false;
		}
	}
	m->v[j].key = key;
	m->v[j].hash = h;
	m->v[j].val = val;
	m->n++;
	return true;
}

bool
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	uint64_t h;
	size_t j;

	if (m->cap == 0)
		return false;
	h = hash(key, m->icase);
	for (j = (size_t)h & (m->cap - 1); m->v[j].key != NULL;
	     j = (j + 1) & (m->cap - 1)) {
		if (same(m, &m->v[j], h, key)) {
			if (val != NULL)
				*val = m->v[j].val;
			return true;
		}
	}
	return false;
}
