/*
 * YAML positions by path ("trusts[2].direction"), for semantic messages.
 * The paths live in one buffer; the index by path is built on the first
 * lookup (a valid file never needs one).
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "util/sbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct pos_entry {
	size_t off; /* of the path in text */
	unsigned line, col;
};

struct model_pos {
	struct pos_entry *v;
	size_t n, cap;
	struct sbuf text;    /* the paths, each NUL-terminated */
	struct strmap index; /* path -> first entry with it; built lazily */
	bool indexed;
};

struct model_pos *
model_pos_new(void)
{
	struct model_pos *p = xcalloc(1, sizeof(struct model_pos));

	sbuf_init(&p->text);
	strmap_init(&p->index, false);
	return p;
}

void
model_pos_free(struct model_pos *p)
{
	if (p == NULL)
		return;
	free(p->v);
	sbuf_release(&p->text);
	strmap_release(&p->index);
	free(p);
}

void
model_pos_add(struct model_pos *p, const char *path, unsigned line,
              unsigned col)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	p->v[p->n].off = p->text.len;
	p->v[p->n].line = line;
	p->v[p->n].col = col;
	sbuf_add(&p->text, path, strlen(path) + 1);
	p->n++;
	p->indexed = false;
}

void
model_pos_lookup(const struct model *m, const char *path, unsigned *line,
                 unsigned *col)
{
	struct model_pos *p;
	size_t i;

	*line = *col = 0;
	if (m == NULL || (p = m->pos) == NULL)
		return;
	if (!p->indexed) {
		/* text no longer grows: its addresses are stable now */
		strmap_release(&p->index);
		strmap_init(&p->index, false);
		for (size_t k = 0; k < p->n; k++)
			strmap_put(&p->index, p->text.buf + p->v[k].off, k,
			           NULL);
		p->indexed = true;
	}
	if (!strmap_get(&p->index, path, &i))
		return;
	*line = p->v[i].line;
	*col = p->v[i].col;
}
