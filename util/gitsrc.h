#ifndef ADT_UTIL_GITSRC_H
#define ADT_UTIL_GITSRC_H

/*
 * The desired-state source from git: reads one file at one revision of a
 * repository (bare or not) through libgit2, without a checkout, and records
 * what was applied as a ref in that repository.  Every function initialises
 * and shuts down libgit2 itself (reference-counted); nothing from libgit2
 * escapes.  Errors carry libgit2's message and its return code in err->sys.
 *
 * Repositories owned by another uid (CI containers, checkouts mounted into
 * a container) are opened: owner validation ("safe.directory") is switched
 * off for the duration of each open and restored afterwards.
 */

#include <stdbool.h>
#include <stddef.h>

struct err;

/* What a git source resolved to. */
struct gitsrc_src {
	char commit[41]; /* full hex id of the commit REV peeled to */
	/*
	 * The work tree's PATH differs from that commit's (false for bare
	 * repositories or when PATH is absent from the work tree).
	 */
	bool dirty;
	bool bare;
	char *repo_path; /* the git dir, absolute, no trailing '/' (free) */
};

/*
 * Parses "git:REPO@REV:PATH" into three new strings (free()).  REPO may be
 * relative; REV is anything git_revparse accepts; PATH is relative to the
 * tree's root.  REV ends at the first ':', so REPO and REV cannot contain
 * ':' (PATH can).  REPO ends at the last '@' before that ':' that is not
 * followed by '{', so "git:repo@main@{1}:x" and "git:/a@b/repo@main:x"
 * both split as expected.  On error (ERR_INVALID, with the spec quoted)
 * all three are NULL.
 */
int gitsrc_spec_parse(char **repo, char **rev, char **path, const char *spec,
                      struct err *err);

/*
 * Reads PATH at REV of the repository at or above REPO (bare too), without
 * a checkout.  On success *buf is malloc'ed (NUL-terminated, *len bytes
 * before the NUL) and src is filled; release it with
 * gitsrc_src_release().  On failure *buf is NULL, *len 0 and src is
 * empty (releasing it is still safe).  Errors:
 * ERR_NOTFOUND  no repository at or above REPO, unknown REV, PATH not in
 *               the commit;
 * ERR_INVALID   REV ambiguous or malformed or not a commit, PATH empty,
 *               absolute or not a file;
 * ERR_BACKEND   anything else libgit2 reports.
 */
int gitsrc_read(char **buf, size_t *len, struct gitsrc_src *src,
                const char *repo, const char *rev, const char *path,
                struct err *err);

/* Frees repo_path and empties src.  NULL-safe. */
void gitsrc_src_release(struct gitsrc_src *src);

/*
 * Points the direct ref REFNAME (e.g. "refs/adtrust/applied/trusts.yaml")
 * of the repository at or above REPO at COMMIT (40 hex digits, must exist),
 * overwriting it, with MESSAGE in the reflog.  ERR_INVALID for a bad
 * refname or id, ERR_NOTFOUND for no repository or no such commit.
 */
int gitsrc_ref_set(const char *repo, const char *refname, const char *commit,
                   const char *message, struct err *err);

/*
 * Writes the commit id REFNAME points at (symbolic refs are followed) into
 * out as 40 hex digits.  ERR_NOTFOUND when the ref (or repository) is
 * absent, ERR_INVALID for a bad refname.
 */
int gitsrc_ref_get(char out[41], const char *repo, const char *refname,
                   struct err *err);

/*
 * Writes PREFIX (verbatim) followed by PATH made ref-safe into out (at most
 * len - 1 bytes, NUL-terminated; len must be > 0).  Each of these
 * characters of PATH becomes '_', so the output is as long as the input:
 * any character outside [A-Za-z0-9._/-]; a '.' that starts a component or
 * follows a '.' (so no ".." and no hidden components); a '/' that starts
 * PATH, follows a '/' or ends PATH; the '.' of a component's trailing
 * ".lock" and a component's trailing '.'.  "desired/trusts.yaml" is kept.
 */
void gitsrc_refname(char *out, size_t len, const char *prefix,
                    const char *path);

#endif
