#ifndef ADT_MODEL_MODEL_INT_H
#define ADT_MODEL_MODEL_INT_H

/* Private to model/: YAML positions by path, name indexes. */

struct model;
struct model_index;

struct model_pos *model_pos_new(void);
void model_pos_free(struct model_pos *p);
void model_pos_add(struct model_pos *p, const char *path, unsigned line,
                   unsigned col);

/* (Re)builds m->index from its domains and credentials. */
void model_index_build(struct model *m);
void model_index_free(struct model_index *x);

#endif
