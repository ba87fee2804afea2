#ifndef ADT_CMD_COMMON_H
#define ADT_CMD_COMMON_H

/* Steps several verbs share: load the desired state, read, diff. */

#include <stdbool.h>

#include "model/model.h"
#include "reconcile/rec.h"

struct err;

struct cmd_source {
	const char *file;         /* -f */
	const char *snapshot_dir; /* --snapshot: offline, read-only */
	bool allow_destroy;
};

/* Everything a plan was made from; cmd_session_release frees it. */
struct cmd_session {
	struct model *model;
	struct model_state state;
	struct plan plan;
};

/*
 * Loads the model (printing every validation problem to stderr), reads the
 * live state of the managed domains through the snapshot or LDAP provider
 * and computes the plan.  Returns 0 or a negative err_code (err filled,
 * except for validation failures, already printed).
 */
int cmd_session_plan(struct cmd_session *s, const struct cmd_source *src,
		     struct err *err);
void cmd_session_release(struct cmd_session *s);

/* Writes a file atomically (temp + rename) with the given mode. */
int cmd_write_file(const char *path, const char *data, size_t len,
		   unsigned mode, struct err *err);

#endif
