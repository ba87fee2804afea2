/*
 * The apply journal (see rec.h): one file per run in the state directory,
 * JSON lines, each fsync'ed before the step it announces is sent.  The
 * running apply holds an exclusive flock on it, so a reader can tell a
 * live run (locked) from a dead one (not locked, still there).
 */
#include "reconcile/rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/err.h"
#include "util/safefile.h"
#include "util/xalloc.h"

#define JOURNAL_MAX (4u << 20) /* a journal is a few KB; refuse more */

struct rec_journal {
	int fd;
	char *path;
	char *dir;
	size_t seq;
	int sticky; /* first write error, 0 if none */
	struct err first;
};

static void
utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Appends one JSON line and fsyncs it; takes the reference to o. */
static int
put_line(struct rec_journal *j, json_t *o, struct err *err)
{
	char *s;
	size_t len;
	ssize_t w;
	int rc = 0;

	if (j->sticky < 0) {
		json_decref(o);
		*err = j->first;
		return j->sticky;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		abort(); /* out of memory */
	len = strlen(s);
	s[len] = '\n';
	errno = 0;
	w = write(j->fd, s, len + 1);
	if (w >= 0 && w != (ssize_t)(len + 1))
		rc = err_set(err, ERR_IO,
		             "cannot write the apply journal '%s': short write "
		             "(%zd of %zu bytes: is the disk full?)",
		             j->path, w, len + 1);
	else if (w < 0 || fdatasync(j->fd) < 0)
		rc = err_set_errno(err, ERR_IO,
		                   "cannot write the apply journal '%s'",
		                   j->path);
	free(s);
	if (rc < 0) {
		j->sticky = rc;
		j->first = *err;
	}
	return rc;
}

int
rec_journal_open(struct rec_journal **out, const char *dir,
                 const struct plan *p, struct err *err)
{
	struct rec_journal *j;
	char host[256] = "?", when[32], stamp[32];
	unsigned char rnd[4] = {0};
	json_t *o, *doms;
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1, rc;

	*out = NULL;
	if ((rc = safefile_dir_check(dir, true, err)) < 0)
		return err_prefix(err, "the apply journal needs a safe state "
		                       "directory");
	gethostname(host, sizeof(host) - 1);
	utc_now(when, sizeof(when));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (getentropy(rnd, sizeof(rnd)) < 0) {
		/* the pid alone keeps names unique on this host */
	}
	j = xcalloc(1, sizeof(*j));
	j->fd = -1;
	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/journal-%s-%ld-%02x%02x%02x%02x.jsonl", dir,
	                    stamp, (long)getpid(), rnd[0], rnd[1], rnd[2],
	                    rnd[3]);
	if ((rc = safefile_create(&fd, j->path, 0600, err)) < 0)
		goto fail;
	j->fd = fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot lock '%s'", j->path);
		goto fail;
	}
	doms = json_array();
	for (size_t i = 0; i < p->n_domains; i++)
		json_array_append_new(doms, json_string(p->domains[i]));
	o = json_pack("{s:i, s:s, s:I, s:s, s:s, s:o}", "journal", 1, "host",
	              host, "pid", (json_int_t)getpid(), "started", when,
	              "source", p->source_path ? p->source_path : "", "domains",
	              doms);
	if ((rc = put_line(j, o, err)) < 0)
		goto fail;
	*out = j;
	return 0;
fail:
	if (j->fd >= 0) {
		close(j->fd);
		unlink(j->path);
	}
	free(j->path);
	free(j->dir);
	free(j);
	return rc;
}

const char *
rec_journal_path(const struct rec_journal *j)
{
	return j != NULL ? j->path : NULL;
}

static char *
pair_key(const char *a, const char *b)
{
	return strcasecmp(a, b) <= 0 ? xasprintf("%s|%s", a, b)
	                             : xasprintf("%s|%s", b, a);
}

int
rec_journal_intent(struct rec_journal *j, size_t *step, const char *op,
                   const char *domain, const char *partner, const char *action,
                   const char *secret, struct err *err)
{
	char *pair;
	json_t *o;

	*step = 0;
	if (j == NULL)
		return 0;
	*step = ++j->seq;
	pair = pair_key(domain, partner);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "step",
	              (json_int_t)*step, "intent", op, "domain", domain,
	              "partner", partner, "pair", pair, "action", action,
	              "secret", secret ? secret : "none");
	free(pair);
	return put_line(j, o, err);
}

int
rec_journal_result(struct rec_journal *j, size_t step, const char *fate,
                   const char *error, struct err *err)
{
	json_t *o;

	if (j == NULL)
		return 0;
	o = json_pack("{s:I, s:s}", "step", (json_int_t)step, "result", fate);
	if (error != NULL)
		json_object_set_new(o, "error", json_string(error));
	return put_line(j, o, err);
}

int
rec_journal_trust_end(struct rec_journal *j, const char *a, const char *b,
                      const char *state, const char *detail, struct err *err)
{
	char *pair;
	json_t *o;

	if (j == NULL)
		return 0;
	pair = pair_key(a, b);
	o = json_pack("{s:s, s:s}", "pair", pair, "end", state);
	free(pair);
	if (detail != NULL)
		json_object_set_new(o, "detail", json_string(detail));
	return put_line(j, o, err);
}

int
rec_journal_close(struct rec_journal *j, bool keep, struct err *err)
{
	int rc = 0;

	if (j == NULL)
		return 0;
	if (keep) {
		json_t *o = json_pack("{s:s}", "end", "incomplete");

		rc = put_line(j, o, err);
	} else if (unlink(j->path) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot remove '%s'", j->path);
	} else {
		int dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	close(j->fd); /* drops the flock */
	free(j->path);
	free(j->dir);
	free(j);
	return rc;
}

/* ---- reading what a dead run left ---- */

static void
pair_split(struct rec_left_pair *lp, const char *key)
{
	const char *bar = strchr(key, '|');

	lp->a = bar ? xstrndup(key, (size_t)(bar - key)) : xstrdup(key);
	lp->b = xstrdup(bar ? bar + 1 : "");
}

static struct rec_left_pair *
pair_get(struct rec_leftover *l, const char *key)
{
	struct rec_left_pair *lp;
	char *k;

	for (size_t i = 0; i < l->n_pairs; i++) {
		k = pair_key(l->pairs[i].a, l->pairs[i].b);
		if (strcasecmp(k, key) == 0) {
			free(k);
			return &l->pairs[i];
		}
		free(k);
	}
	l->pairs = xreallocarray(l->pairs, l->n_pairs + 1, sizeof(*l->pairs));
	lp = &l->pairs[l->n_pairs++];
	memset(lp, 0, sizeof(*lp));
	pair_split(lp, key);
	return lp;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static bool
touches(json_t *doms, const char *const *domains, size_t n)
{
	size_t i;
	json_t *v;

	json_array_foreach(doms, i, v)
	{
		for (size_t k = 0; k < n; k++)
			if (json_string_value(v) != NULL &&
			    strcasecmp(json_string_value(v), domains[k]) == 0)
				return true;
	}
	return false;
}

/*
 * Parses one journal.  Returns 1 if it concerns the domains (*l filled),
 * 0 if not, or an error.
 */
static int
parse(struct rec_leftover *l, const char *path, const char *text,
      const char *const *domains, size_t n, struct err *err)
{
	const char *line = text;
	json_t *last_intent = NULL;
	size_t lineno = 0;
	int rc = 0;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		json_error_t je;
		json_t *o;

		lineno++;
		o = json_loadb(line, len, 0, &je);
		line += len + (nl ? 1 : 0);
		if (o == NULL || !json_is_object(o)) {
			json_decref(o);
			if (nl == NULL)
				break; /* a last line cut by the crash */
			rc = err_set(err, ERR_INVALID,
			             "'%s' line %zu: not a journal record",
			             path, lineno);
			goto out;
		}
		if (lineno == 1) {
			json_t *doms = json_object_get(o, "domains");

			if (json_integer_value(json_object_get(o, "journal")) !=
			            1 ||
			    !json_is_array(doms)) {
				json_decref(o);
				rc = err_set(err, ERR_INVALID,
				             "'%s': not an adtrust journal",
				             path);
				goto out;
			}
			if (!touches(doms, domains, n)) {
				json_decref(o);
				goto out;
			}
			rc = 1;
			l->path = xstrdup(path);
			l->host = xstrdup(jstr(o, "host"));
			l->pid = (long)json_integer_value(
			        json_object_get(o, "pid"));
			l->started = xstrdup(jstr(o, "started"));
			l->source = xstrdup(jstr(o, "source"));
			json_decref(o);
			continue;
		}
		if (json_object_get(o, "intent") != NULL) {
			struct rec_left_pair *lp = pair_get(l, jstr(o, "pair"));

			lp->open = true;
			if (strcasecmp(jstr(o, "domain"), lp->a) == 0)
				lp->wrote[0] = true;
			else if (strcasecmp(jstr(o, "domain"), lp->b) == 0)
				lp->wrote[1] = true;
			free(lp->last);
			lp->last =
			        xasprintf("%s of %s/%s (%s, step %lld)",
			                  jstr(o, "intent"), jstr(o, "domain"),
			                  jstr(o, "partner"), jstr(o, "action"),
			                  (long long)json_integer_value(
			                          json_object_get(o, "step")));
			lp->generated =
			        lp->generated ||
			        strcmp(jstr(o, "secret"), "generated") == 0;
			json_decref(last_intent);
			last_intent = o;
			continue;
		}
		if (json_object_get(o, "result") != NULL && last_intent) {
			struct rec_left_pair *lp =
			        pair_get(l, jstr(last_intent, "pair"));
			char *s = xasprintf("%s: %s", lp->last,
			                    jstr(o, "result"));

			free(lp->last);
			lp->last = s;
		} else if (json_object_get(o, "end") != NULL &&
		           json_object_get(o, "pair") != NULL) {
			struct rec_left_pair *lp = pair_get(l, jstr(o, "pair"));
			const char *st = jstr(o, "end");

			lp->open = strcmp(st, "desired") != 0 &&
			           strcmp(st, "before") != 0;
			if (lp->open) {
				free(lp->last);
				lp->last = xasprintf(
				        "left %s: %s", st,
				        json_string_value(
				                json_object_get(o, "detail"))
				                ? jstr(o, "detail")
				                : "sides may disagree");
			}
		}
		json_decref(o);
	}
out:
	json_decref(last_intent);
	return rc;
}

void
rec_leftover_release(struct rec_leftover *l)
{
	for (size_t i = 0; i < l->n_pairs; i++) {
		free(l->pairs[i].a);
		free(l->pairs[i].b);
		free(l->pairs[i].last);
	}
	free(l->pairs);
	free(l->path);
	free(l->host);
	free(l->started);
	free(l->source);
	memset(l, 0, sizeof(*l));
}

void
rec_leftovers_release(struct rec_leftovers *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		rec_leftover_release(&ls->v[i]);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

static int
name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* True while the run that writes the journal still holds its flock. */
static bool
running(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	bool busy = false;

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		busy = true;
	close(fd);
	return busy;
}

int
rec_journal_scan(struct rec_leftovers *out, const char *dir,
                 const char *const *domains, size_t n, struct err *err)
{
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t n_names = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0; /* nothing was ever applied from here */
		return err_set_errno(err, ERR_IO,
		                     "cannot read the state directory '%s'",
		                     dir);
	}
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "journal-", 8) != 0 || len < 6 ||
		    strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		names = xreallocarray(names, n_names + 1, sizeof(*names));
		names[n_names++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n_names > 1)
		qsort(names, n_names, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n_names && rc == 0; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]), *text = NULL;
		struct rec_leftover l = {0};
		int r;

		if (running(path)) {
			free(path);
			continue; /* an apply is writing it right now */
		}
		if ((rc = safefile_read(&text, NULL, path, JOURNAL_MAX,
		                        SAFEFILE_OWNED, err)) < 0) {
			if (rc == ERR_NOTFOUND) /* removed meanwhile */
				rc = 0;
			free(path);
			continue;
		}
		r = parse(&l, path, text, domains, n, err);
		free(text);
		free(path);
		if (r < 0) {
			rc = r;
			break;
		}
		if (r == 0) {
			rec_leftover_release(&l);
			continue;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = l;
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (rc < 0)
		rec_leftovers_release(out);
	return rc;
}

size_t
rec_leftovers_open(const struct rec_leftovers *ls)
{
	size_t n = 0;

	for (size_t i = 0; i < ls->n; i++)
		for (size_t k = 0; k < ls->v[i].n_pairs; k++)
			n += ls->v[i].pairs[k].open;
	return n;
}
