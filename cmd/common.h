#ifndef ADT_CMD_COMMON_H
#define ADT_CMD_COMMON_H

/* Steps several verbs share: load the desired state, read, diff. */

#include <stdbool.h>

#include "model/model.h"
#include "reconcile/rec.h"

struct diags;
struct err;
struct json_t;
struct prov_cfg;

/* Where a desired state came from (git or a plain file). */
struct cmd_desired {
	char *git_repo; /* NULL: a plain file */
	char *git_path;
	char git_commit[41];
	bool git_dirty;
};

/*
 * Loads desired state from a file or "git:REPO@REV:PATH" (read at REV
 * without a checkout, from bare repositories too).  Validation problems
 * are printed to stderr.  *info is filled; cmd_desired_release frees it.
 */
int cmd_load_desired(struct model **out, struct cmd_desired *info,
                     const char *spec, struct err *err);
void cmd_desired_release(struct cmd_desired *info);
/*
 * The text of the desired state last applied for the same source: the
 * commit refs/adtrust/applied/<path> names (git), or the copy in the state
 * directory.  ERR_NOTFOUND when nothing was applied.
 */
int cmd_applied_text(char **out, const struct cmd_desired *info,
                     const char *spec, const char *state_dir, struct err *err);

struct cmd_source {
	const char *file;         /* -f */
	const char *snapshot_dir; /* --snapshot: offline, read-only */
	bool allow_destroy;
	/*
	 * Where apply journals live (live plans only): journals of dead
	 * runs that touch the managed domains are repaired by the plan.
	 * NULL: state_dir(NULL).
	 */
	const char *state_dir;
};

/* Everything a plan was made from; cmd_session_release frees it. */
struct cmd_session {
	struct model_secret_cache *secrets; /* one prompt per secret per run */
	struct model *model;
	struct model_state state;
	struct plan plan;
	struct rec_leftovers leftovers; /* journals of dead applies */
};

/*
 * Reads the state of these domains: through the snapshot provider when
 * cfg->snapshot_dir is set, else over LDAP.  The provider is closed
 * before it returns.  0 or a negative err_code.
 */
int cmd_read_state(struct model_state *out, const struct prov_cfg *cfg,
                   const char *const *domains, size_t n, struct err *err);

/*
 * Loads the model (printing every validation problem to stderr), reads the
 * live state of the managed domains through the snapshot or LDAP provider
 * and computes the plan.  Returns 0 or a negative err_code (err filled,
 * except for validation failures, already printed).
 */
int cmd_session_plan(struct cmd_session *s, const struct cmd_source *src,
                     struct err *err);
void cmd_session_release(struct cmd_session *s);

/*
 * The journals dead applies left in the state directory dir (NULL: the
 * default) for these domains.  A directory that cannot be read safely
 * (another user's, writable by others; root's is read by anyone) is an
 * error: without its journals a trust a dead apply left half-made would
 * plan as "No changes".  A missing directory holds none.
 */
int cmd_journals(struct rec_leftovers *out, const char *dir,
                 char *const *domains, size_t n, struct err *err);

/*
 * The same from a saved plan: reloads the desired state the plan embeds
 * (checking its sha256), re-reads every domain the plan touches, refuses
 * with ERR_CONFLICT (listing what moved on stderr) when a fingerprint
 * changed, and recomputes the plan as of the plan's date, which must then
 * equal the saved one.
 */
int cmd_session_saved(struct cmd_session *s, const char *plan_path,
                      bool allow_destroy, bool git_check, const char *state_dir,
                      struct err *err);

/*
 * Records what was applied: a ref refs/adtrust/applied/<path> in the
 * repository when the plan came from git, else the desired text in the
 * state directory.
 */
int cmd_record_applied(const struct plan *p, const char *state_dir,
                       struct err *err);

/*
 * Re-reads the domains of s->plan and refuses (ERR_CONFLICT, the moved
 * objects listed on stderr) if anything it was made from has changed: the
 * last check, once the apply locks are held.
 */
int cmd_session_recheck(const struct cmd_session *s, struct err *err);

/*
 * A JSON document's head, the one convention of every --json output:
 * {"format_version": "1", "adtrust_version": ...}.  The caller owns it.
 */
struct json_t *cmd_json_new(void);
/* Prints doc to stdout (indented, a final newline) and frees it; ERR_IO. */
int cmd_json_print(struct json_t *doc, struct err *err);

/*
 * cmd_load_desired that hands the problems found to *keep (appended, not
 * printed): for validate --json.
 */
int cmd_load_desired_keep(struct model **out, struct cmd_desired *info,
                          const char *spec, struct diags *keep,
                          struct err *err);

/* Writes a file atomically (temp + rename) with the given mode. */
int cmd_write_file(const char *path, const char *data, size_t len,
                   unsigned mode, struct err *err);

#endif
