#ifndef ADT_RECONCILE_PLAN_H
#define ADT_RECONCILE_PLAN_H

/*
 * A plan: what apply would change, per TDO side and per field.  Data only:
 * it includes nothing but model/model.h, so providers may use it.
 */

#include "model/model.h"

enum plan_action {
	PLAN_NOOP = 0,
	PLAN_CREATE,
	PLAN_UPDATE,
	PLAN_REPLACE, /* delete + create: the server cannot change it in place
	               */
	PLAN_DELETE,
};

struct plan_change {
	char *field;  /* a model_fields name, or "name_suffixes[NAME]" */
	char *before; /* rendered value, never a secret */
	char *after;
	bool in_place; /* the server can change it without a replace */
};

struct plan_item {
	char *address; /* "a.test/b.test": the TDO for b.test held by a.test */
	char *domain;
	char *partner;
	enum plan_action action;
	char *reason;     /* why replace/delete/create; NULL for update/no-op */
	bool protect;     /* the trust has protect: true */
	bool blocked;     /* protected delete/replace without --allow-destroy */
	long trust_index; /* index in model->trusts, -1 if none */
	unsigned line;    /* the trust's line in the desired state; 0 unknown */
	/*
	 * Where a new trust password would come from: "generated", "env",
	 * "file" or "prompt" (NULL: the trust names none); secret_ref is the
	 * variable name, the path or the prompt text.  Never a value.
	 */
	char *secret_from;
	char *secret_ref;
	struct plan_change *changes;
	size_t n_changes;
	char **notes; /* ignore rules applied to this item */
	size_t n_notes;
	bool has_before, has_after;
	uint32_t create_attributes; /* what a (re)create writes */
	struct model_tdo before;    /* observed (copy) */
	struct model_tdo after;     /* expected, FTI resolved to records */
};

/* The observed identity of one TDO at plan time. */
struct plan_print {
	char *domain;
	char *partner; /* "" for the domain's own identity */
	char guid[40];
	char digest[65];
};

struct plan {
	struct plan_item *items;
	size_t n_items;
	char **warnings; /* expired ignore rules and the like */
	size_t n_warnings;
	struct plan_print *prints; /* every TDO read on managed domains */
	size_t n_prints;
	char **domains; /* the managed domains, sorted */
	size_t n_domains;
	char *source_path;
	char *source_abspath; /* the file's absolute path (not from git) */
	char source_sha256[65];
	char *git_commit; /* NULL when not from git */
	bool git_dirty;
	char *git_repo;     /* the repository, when from git */
	char *git_path;     /* the file's path in the tree, when from git */
	char *desired_text; /* the desired-state file (never holds a secret) */
	char *snapshot;     /* the snapshot dir read, or NULL for live DCs */
	char date[11];      /* YYYY-MM-DD the plan was made (ignore rules) */
	/* Trusts an interrupted apply left unfinished, in words (its journal
	 * and what this plan does about each). */
	char **interrupted;
	size_t n_interrupted;
	size_t n_create, n_update, n_replace, n_delete, n_blocked;
};

#endif
