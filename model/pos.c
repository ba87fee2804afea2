/* YAML positions by path ("trusts[2].direction"), for semantic messages. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "util/xalloc.h"

struct pos_entry {
	char *path;
	unsigned line, col;
};

struct model_pos {
	struct pos_entry *v;
	size_t n, cap;
};

struct model_pos *
model_pos_new(void)
{
	return xcalloc(1, sizeof(struct model_pos));
}

void
model_pos_free(struct model_pos *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
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
	p->v[p->n].path = xstrdup(path);
	p->v[p->n].line = line;
	p->v[p->n].col = col;
	p->n++;
}

void
model_pos_lookup(const struct model *m, const char *path, unsigned *line,
                 unsigned *col)
{
	*line = *col = 0;
	if (m == NULL || m->pos == NULL)
		return;
	for (size_t i = 0; i < m->pos->n; i++) {
		if (strcmp(m->pos->v[i].path, path) == 0) {
			*line = m->pos->v[i].line;
			*col = m->pos->v[i].col;
			return;
		}
	}
}
