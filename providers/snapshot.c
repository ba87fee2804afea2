/*
 * snapshot: the observed state read from LDIF files, the offline default,
 * the audit source and the test double for everything above providers/.
 *
 * cfg->snapshot_dir holds one or more *.ldif files (read in name order),
 * as written by `ldapsearch -LLL` / `ldapsearch -L` or `ldifde -f`: folded
 * lines, `::` base64 values, comments, a `version: 1` header and
 * `changetype: add` are accepted; the LDIF is split and decoded by
 * libldap's own ldif_read_record/ldif_getline/ldif_parse_line2.  For
 * safety, `attr:< URL` values and `include:` lines are refused (a snapshot
 * must never make adtrust read other files), as are other changetypes.
 *
 * Records are classified as follows; everything else (trust accounts,
 * containers, ...) is ignored:
 *
 *   objectClass: trustedDomain
 *       a TDO of the domain named by the trailing DC= RDNs of its DN
 *       (CN=b.test,CN=System,DC=a,DC=test belongs to a.test)
 *   objectClass: domainDNS (or domain), DN made of DC= RDNs only
 *       the domain object: objectSid -> sid, msDS-Behavior-Version ->
 *       functional level
 *   objectClass: crossRef with nCName = a domain DN
 *       nETBIOSName -> the domain's NetBIOS name (its only source); the
 *       DC= suffix of the crossRef's own DN (CN=A,CN=Partitions,
 *       CN=Configuration,DC=a,DC=test) -> forest root
 *   "dn:" (empty DN) with defaultNamingContext: a rootDSE dump
 *       (ldapsearch -LLL -s base -b "" defaultNamingContext
 *       rootDomainNamingContext domainFunctionality vendorName):
 *       forest root, functional level and vendor of that domain; they win
 *       over the values above
 *
 * So `ldapsearch -LLL -b DC=a,DC=test -s base objectSid name` plus
 * `ldapsearch -LLL -b CN=System,DC=a,DC=test '(objectClass=trustedDomain)'`
 * is a complete snapshot of a.test (without NetBIOS name and vendor).  A
 * domain is in the snapshot if any record above refers to it.
 */
#include "providers/prov.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ldap.h>
#include <ldif.h>

#include "model/model.h"
#include "providers/prov_int.h"
#include "util/err.h"
#include "util/safefile.h"
#include "util/sbuf.h"
#include "util/trace.h"
#include "util/xalloc.h"

/* ldif_getline() marks folded line breaks with this (libldap ldif.c). */
#define CONT_MARK '\r'

struct prov_snapshot {
	struct prov base; /* must stay first */
	char *dir;
	const struct model *model; /* may be NULL */
	const struct trace *trace; /* -v; may be NULL */
};

/* One requested domain being collected. */
struct snap_dom {
	struct model_domain_state st;
	bool found;
	bool has_domain_obj;
	bool held; /* a domain object, rootDSE or TDO of its own was read */
};

/*
 * The domains being collected: the requested ones, or (all) every domain
 * the snapshot holds, added as records name them.  A pointer into v is
 * valid until the next find_dom.
 */
struct snap_set {
	struct snap_dom *v;
	size_t n;
	bool all;
};

/* One logical line of a record; type and value point into the record. */
struct snap_val {
	struct berval type;
	struct berval val;
	unsigned line;
};

/* Where we are, for messages. */
struct snap_file {
	const char *path; /* dir/name, for err->file */
	const char *name; /* name alone, for tdo.source */
};

static struct prov_snapshot *
to_snap(struct prov *p)
{
	assert(p->ops == &prov_snapshot_ops);
	return (struct prov_snapshot *)p;
}

static int
snap_open(struct prov **out, const struct prov_cfg *cfg, struct err *err)
{
	struct prov_snapshot *p;

	*out = NULL;
	if (cfg->snapshot_dir == NULL || cfg->snapshot_dir[0] == '\0')
		return err_set(err, ERR_INVALID, "no snapshot directory given");
	p = xcalloc(1, sizeof(*p));
	p->base.ops = &prov_snapshot_ops;
	p->dir = xstrdup(cfg->snapshot_dir);
	p->model = cfg->model;
	p->trace = cfg->trace;
	*out = &p->base;
	return 0;
}

static void
snap_close(struct prov *p)
{
	struct prov_snapshot *s;

	if (p == NULL)
		return;
	s = to_snap(p);
	free(s->dir);
	free(s);
}

/* Keeps err's code and message, records where. */
static int
at(struct err *err, const struct snap_file *f, unsigned line)
{
	snprintf(err->file, sizeof(err->file), "%s", f->path);
	err->line = line;
	err->col = 0;
	return err->code;
}

static bool
bv_is(const struct berval *bv, const char *s)
{
	return bv->bv_len == strlen(s) &&
	       strncasecmp(bv->bv_val, s, bv->bv_len) == 0;
}

/* A text value as a new string; NULL if it holds a NUL. */
static char *
bv_str(const struct berval *bv)
{
	if (memchr(bv->bv_val, '\0', bv->bv_len) != NULL)
		return NULL;
	return xstrndup(bv->bv_val, bv->bv_len);
}

/*
 * Refuses `include:` lines (ldif_read_record would open the file they
 * name) and NUL bytes (LDIF is text; fgets would cut lines short).
 */
static int
prescan(const char *buf, size_t len, const struct snap_file *f, struct err *err)
{
	unsigned line = 1;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			return err_set_at(err, ERR_INVALID, f->path, line, 0,
			                  "NUL byte in LDIF");
		if ((i == 0 || buf[i - 1] == '\n') && len - i >= 8 &&
		    strncasecmp(buf + i, "include:", 8) == 0)
			return err_set_at(err, ERR_INVALID, f->path, line, 0,
			                  "'include:' is not allowed in a "
			                  "snapshot");
		if (buf[i] == '\n')
			line++;
	}
	return 0;
}

/*
 * Checks a base64 value (after "::") before libldap decodes it: its
 * decoder prints to stderr on bad input, and we want our own message.
 */
static bool
b64_ok(const char *p)
{
	size_t n = 0, pad = 0;

	while (*p == ' ' || *p == CONT_MARK)
		p++;
	for (; *p != '\0'; p++) {
		if (*p == CONT_MARK)
			continue;
		if (*p == '=') {
			pad++;
		} else if (pad > 0 || !(isalnum((unsigned char)*p) ||
		                        *p == '+' || *p == '/')) {
			return false;
		}
		n++;
	}
	return n % 4 == 0 && pad <= 2;
}

/*
 * Splits one record (as returned by ldif_read_record, which starts on
 * physical line first) into logical lines with ldif_getline and decodes
 * each with ldif_parse_line2, after refusing URL values.  The values point
 * into buf.  *out is a new array the caller frees.
 */
static int
split_record(struct snap_val **out, size_t *n_out, char *buf, unsigned first,
             const struct snap_file *f, struct err *err)
{
	struct snap_val *v = NULL;
	size_t *starts = NULL, n_starts = 0, n = 0, k = 0;
	char *next = buf, *line;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	/* physical line starts, before ldif_getline rewrites the newlines */
	for (size_t i = 0; buf[i] != '\0'; i++)
		if (i == 0 || buf[i - 1] == '\n') {
			starts = xreallocarray(starts, n_starts + 1,
			                       sizeof(*starts));
			starts[n_starts++] = i;
		}
	while ((line = ldif_getline(&next)) != NULL) {
		size_t off = (size_t)(line - buf);
		unsigned ln;
		char *colon, *p, name[64];
		struct berval type, val;
		int freeval = 0;

		while (k + 1 < n_starts && starts[k + 1] <= off)
			k++;
		ln = first + (unsigned)k;
		colon = strchr(line, ':');
		snprintf(name, sizeof(name), "%.*s",
		         colon != NULL ? (int)(colon - line) : 0, line);
		if (colon == NULL) {
			rc = err_set_at(err, ERR_INVALID, f->path, ln, 0,
			                "malformed LDIF line (no ':')");
			goto out;
		}
		for (p = colon + 1; *p == CONT_MARK; p++)
			;
		if (*p == '<') {
			rc = err_set_at(err, ERR_INVALID, f->path, ln, 0,
			                "attribute '%s': URL values (':<') are "
			                "not allowed in a snapshot",
			                name);
			goto out;
		}
		if (*p == ':' && !b64_ok(p + 1)) {
			rc = err_set_at(
			        err, ERR_INVALID, f->path, ln, 0,
			        "attribute '%s': malformed base64 value", name);
			goto out;
		}
		if (ldif_parse_line2(line, &type, &val, &freeval) < 0) {
			rc = err_set_at(err, ERR_INVALID, f->path, ln, 0,
			                "attribute '%s': malformed LDIF value "
			                "(bad base64?)",
			                name);
			goto out;
		}
		if (freeval) {
			/* only URL values are allocated; refused above */
			ber_memfree(val.bv_val);
			rc = err_set_at(err, ERR_INVALID, f->path, ln, 0,
			                "attribute '%s': unexpected value form",
			                name);
			goto out;
		}
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].type = type;
		v[n].val = val;
		v[n].line = ln;
		n++;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	free(v);
	free(starts);
	return rc;
}

static struct snap_dom *
find_dom(struct snap_set *set, const char *dns)
{
	struct snap_dom *d;

	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].st.name, dns) == 0)
			return &set->v[i];
	if (!set->all)
		return NULL;
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	d = &set->v[set->n++];
	memset(d, 0, sizeof(*d));
	d->st.name = xstrdup(dns);
	d->st.functional_level = -1;
	return d;
}

/* Marks d as present, with its DN and a source if it has none yet. */
static void
touch(struct snap_dom *d, const char *dn, const struct snap_file *f,
      unsigned line)
{
	d->found = true;
	if (d->st.dn == NULL && dn != NULL)
		d->st.dn = xstrdup(dn);
	if (d->st.source == NULL)
		d->st.source = xasprintf("%s:%u", f->name, line);
}

static int
do_tdo(struct snap_set *set, const char *dn, const struct snap_val *v, size_t n,
       unsigned dn_line, const struct snap_file *f, struct err *err)
{
	char *dns = NULL, *ddn = NULL;
	struct prov_tdo_map m;
	struct model_tdo *t;
	struct snap_dom *d;
	int rc;

	if ((rc = prov_dn_domain(&dns, &ddn, dn, false, err)) < 0) {
		at(err, f, dn_line);
		goto out;
	}
	if ((d = find_dom(set, dns)) == NULL)
		goto out;
	touch(d, ddn, f, dn_line);
	d->held = true;
	t = model_domain_state_add_tdo(&d->st);
	t->domain = xstrdup(dns);
	t->dn = xstrdup(dn);
	t->source = xasprintf("%s:%u", f->name, dn_line);
	prov_tdo_map_init(&m, t);
	for (size_t i = 0; i < n; i++) {
		char type[128];

		snprintf(type, sizeof(type), "%.*s", (int)v[i].type.bv_len,
		         v[i].type.bv_val);
		if ((rc = prov_tdo_value(&m, type, v[i].val.bv_val,
		                         v[i].val.bv_len, err)) < 0) {
			at(err, f, v[i].line);
			goto out;
		}
	}
	if ((rc = prov_tdo_finish(&m, err)) < 0)
		at(err, f, dn_line);
out:
	free(dns);
	free(ddn);
	return rc;
}

/* Feeds every value of a record to prov_ident_value. */
static int
ident_values(struct snap_dom *d, enum prov_ident_kind kind,
             const struct snap_val *v, size_t n, const char *dn,
             const struct snap_file *f, struct err *err)
{
	for (size_t i = 0; i < n; i++) {
		char type[128];

		snprintf(type, sizeof(type), "%.*s", (int)v[i].type.bv_len,
		         v[i].type.bv_val);
		if (prov_ident_value(&d->st, kind, type, v[i].val.bv_val,
		                     v[i].val.bv_len, err) < 0) {
			err_prefix(err, "'%s'", dn);
			return at(err, f, v[i].line);
		}
	}
	return 0;
}

/*
 * The domain a DN-valued attribute (nCName, defaultNamingContext) names,
 * if it is one we want; NULL otherwise.
 */
static int
dom_of_value(struct snap_dom **out, char **ddn, struct snap_set *set,
             const struct snap_val *v, size_t n, const char *attr,
             const struct snap_file *f, struct err *err)
{
	char *s, *dns = NULL;
	int rc = 0;

	*out = NULL;
	*ddn = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!bv_is(&v[i].type, attr))
			continue;
		if ((s = bv_str(&v[i].val)) == NULL)
			return err_set_at(err, ERR_INVALID, f->path, v[i].line,
			                  0, "attribute '%s': NUL in DN", attr);
		rc = prov_dn_domain(&dns, ddn, s, true, err);
		free(s);
		if (rc == ERR_NOTFOUND)
			return 0; /* Configuration, Schema: not a domain */
		if (rc < 0)
			return at(err, f, v[i].line);
		*out = find_dom(set, dns);
		free(dns);
		return 0;
	}
	return 0;
}

/* Classifies one record and maps it into the wanted domains. */
static int
do_record(struct snap_set *set, struct snap_val *v, size_t n, bool first_record,
          const struct snap_file *f, struct err *err)
{
	bool tdo = false, domobj = false, xref = false;
	char *dn = NULL, *dns = NULL, *ddn = NULL;
	struct snap_dom *d = NULL;
	struct err sub;
	unsigned dn_line;
	int rc = 0;

	if (n > 0 && first_record && bv_is(&v[0].type, "version")) {
		if (!(v[0].val.bv_len == 1 && v[0].val.bv_val[0] == '1'))
			return err_set_at(err, ERR_INVALID, f->path, v[0].line,
			                  0, "unsupported LDIF version");
		v++;
		n--;
	}
	if (n == 0)
		return 0;
	dn_line = v[0].line;
	if (!bv_is(&v[0].type, "dn"))
		return err_set_at(err, ERR_INVALID, f->path, dn_line, 0,
		                  "record does not start with 'dn:'");
	if ((dn = bv_str(&v[0].val)) == NULL)
		return err_set_at(err, ERR_INVALID, f->path, dn_line, 0,
		                  "NUL in DN");
	v++;
	n--;
	if (n > 0 && bv_is(&v[0].type, "changetype")) {
		if (!bv_is(&v[0].val, "add")) {
			rc = err_set_at(err, ERR_INVALID, f->path, v[0].line, 0,
			                "changetype '%.*s' is not allowed in "
			                "a snapshot",
			                (int)v[0].val.bv_len, v[0].val.bv_val);
			goto out;
		}
		v++;
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		if (!bv_is(&v[i].type, "objectClass"))
			continue;
		tdo |= bv_is(&v[i].val, "trustedDomain");
		domobj |= bv_is(&v[i].val, "domainDNS") ||
		          bv_is(&v[i].val, "domain");
		xref |= bv_is(&v[i].val, "crossRef");
	}
	if (dn[0] == '\0') {
		/* rootDSE */
		if ((rc = dom_of_value(&d, &ddn, set, v, n,
		                       "defaultNamingContext", f, err)) < 0 ||
		    d == NULL)
			goto out;
		touch(d, ddn, f, dn_line);
		d->held = true;
		rc = ident_values(d, PROV_IDENT_ROOTDSE, v, n, "rootDSE", f,
		                  err);
	} else if (tdo) {
		rc = do_tdo(set, dn, v, n, dn_line, f, err);
	} else if (domobj) {
		rc = prov_dn_domain(&dns, &ddn, dn, true, err);
		if (rc == ERR_NOTFOUND) {
			rc = 0; /* an OU-like "domain" object elsewhere */
			goto out;
		}
		if (rc < 0) {
			at(err, f, dn_line);
			goto out;
		}
		if ((d = find_dom(set, dns)) == NULL)
			goto out;
		if (d->has_domain_obj) {
			rc = err_set_at(err, ERR_INVALID, f->path, dn_line, 0,
			                "second domain object for '%s' (first "
			                "in %s)",
			                dns, d->st.source);
			goto out;
		}
		d->has_domain_obj = true;
		d->held = true;
		free(d->st.source);
		d->st.source = NULL;
		touch(d, ddn, f, dn_line);
		rc = ident_values(d, PROV_IDENT_DOMAIN, v, n, dn, f, err);
	} else if (xref) {
		if ((rc = dom_of_value(&d, &ddn, set, v, n, "nCName", f, err)) <
		            0 ||
		    d == NULL)
			goto out;
		touch(d, ddn, f, dn_line);
		if ((rc = ident_values(d, PROV_IDENT_CROSSREF, v, n, dn, f,
		                       err)) < 0)
			goto out;
		/* the crossRef lives in the forest root's configuration NC */
		if (d->st.forest_root == NULL &&
		    prov_dn_domain(&dns, NULL, dn, false, &sub) == 0) {
			d->st.forest_root = dns;
			dns = NULL;
		}
	}
out:
	free(dn);
	free(dns);
	free(ddn);
	return rc;
}

static int
read_all(char **out, size_t *len, const char *path, struct err *err)
{
	struct sbuf sb;
	char chunk[65536];
	size_t got;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return err_set_errno(err, ERR_IO, "cannot open '%s'", path);
	sbuf_init(&sb);
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		sbuf_add(&sb, chunk, got);
		if (sb.len > SAFEFILE_INPUT_MAX) {
			rc = err_set(err, ERR_INVALID,
			             "'%s' is larger than %zu bytes", path,
			             (size_t)SAFEFILE_INPUT_MAX);
			break;
		}
	}
	if (rc == 0 && ferror(fp))
		rc = err_set_errno(err, ERR_IO, "cannot read '%s'", path);
	fclose(fp);
	if (rc < 0) {
		sbuf_release(&sb);
		return rc;
	}
	*out = sbuf_detach(&sb, len);
	return 0;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
read_file(struct snap_set *set, const struct snap_file *f, int *n_out,
          struct err *err)
{
	char *data = NULL, *rec = NULL;
	struct snap_val *v = NULL;
	LDIFFP *lfp = NULL;
	unsigned long lno = 0;
	size_t len = 0, n;
	int buflen = 0, rc, nrec = 0;

	if ((rc = read_all(&data, &len, f->path, err)) < 0)
		goto out;
	if ((rc = prescan(data, len, f, err)) < 0 || len == 0)
		goto out;
	if ((lfp = ldif_open_mem(data, len, "r")) == NULL) {
		rc = err_set_errno(err, ERR_IO, "cannot read '%s'", f->path);
		goto out;
	}
	while (ldif_read_record(lfp, &lno, &rec, &buflen) > 0) {
		/*
		 * libldap skips a leading numeric line (an old LDIF record
		 * number) and, with nothing after it, answers "a record"
		 * without allocating one: nothing to read.
		 */
		if (rec == NULL || rec[0] == '\0')
			continue;
		/*
		 * lno is the last line read: the blank line ending the
		 * record, or its own last line at end of file.
		 */
		unsigned long last = feof(lfp->fp) ? lno : lno - 1;
		unsigned first =
		        (unsigned)(last + 1 - (unsigned long)count_lines(rec));

		if ((rc = split_record(&v, &n, rec, first, f, err)) < 0)
			goto out;
		rc = do_record(set, v, n, nrec++ == 0, f, err);
		free(v);
		v = NULL;
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	*n_out = nrec;
	if (lfp != NULL)
		ldif_close(lfp);
	ber_memfree(rec);
	free(data);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.ldif names in dir, sorted; ERR_NOTFOUND if there are none. */
static int
list_dir(char ***out, size_t *n_out, const char *dir, struct err *err)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	DIR *dp;

	*out = NULL;
	*n_out = 0;
	if ((dp = opendir(dir)) == NULL)
		return err_set_errno(err, ERR_IO,
		                     "cannot open snapshot directory '%s'",
		                     dir);
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".ldif") != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n == 0)
		return err_set(err, ERR_NOTFOUND, "no .ldif files in '%s'",
		               dir);
	qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	*n_out = n;
	return 0;
}

/* Two records with the same DN would make two observed TDOs of one. */
static int
check_dups(const struct model_domain_state *d, struct err *err)
{
	for (size_t i = 1; i < d->n_tdos; i++)
		if (strcasecmp(d->tdos[i - 1].dn, d->tdos[i].dn) == 0)
			return err_set(err, ERR_INVALID,
			               "'%s' appears twice (%s and %s)",
			               d->tdos[i].dn, d->tdos[i - 1].source,
			               d->tdos[i].source);
	return 0;
}

/* Points err at a TDO's source ("name.ldif:12") in dir. */
static void
source_at(struct err *err, const char *dir, const char *source)
{
	const char *colon = strrchr(source, ':');

	if (colon == NULL)
		return;
	snprintf(err->file, sizeof(err->file), "%s/%.*s", dir,
	         (int)(colon - source), source);
	err->line = (unsigned)strtoul(colon + 1, NULL, 10);
	err->col = 0;
}

static int
cmp_dom(const void *a, const void *b)
{
	return strcmp(((const struct snap_dom *)a)->st.name,
	              ((const struct snap_dom *)b)->st.name);
}

/*
 * n == 0 reads every domain the snapshot holds (a domain object, rootDSE
 * or TDO of its own; a domain named only by a crossRef is not read), in
 * name order: the audit of a whole snapshot.
 */
static int
snap_read(struct prov *p, const char *const *domains, size_t n,
          struct model_state *out, struct err *err)
{
	struct prov_snapshot *s = to_snap(p);
	struct snap_set set = {.all = n == 0};
	char **names = NULL, *path = NULL;
	size_t n_names = 0, bad;
	int rc;

	set.v = xcalloc(n > 0 ? n : 1, sizeof(*set.v));
	set.n = n;
	for (size_t i = 0; i < n; i++) {
		set.v[i].st.name = xstrdup(domains[i]);
		for (char *c = set.v[i].st.name; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		set.v[i].st.functional_level = -1;
	}
	if ((rc = list_dir(&names, &n_names, s->dir, err)) < 0)
		goto out;
	for (size_t i = 0; i < n_names; i++) {
		struct snap_file f;
		int64_t t0 = trace_now_ms();
		int nrec = 0;

		free(path);
		path = xasprintf("%s/%s", s->dir, names[i]);
		f.path = path;
		f.name = names[i];
		rc = read_file(&set, &f, &nrec, err);
		trace_log(s->trace,
		          "snapshot %s: read %s: %lld ms, %d record%s%s",
		          s->dir, names[i], (long long)(trace_now_ms() - t0),
		          nrec, nrec == 1 ? "" : "s", rc < 0 ? ", failed" : "");
		if (rc < 0)
			goto out;
	}
	if (set.all && set.n > 1)
		qsort(set.v, set.n, sizeof(*set.v), cmp_dom);
	for (size_t i = 0; i < set.n; i++) {
		struct snap_dom *d = &set.v[i];

		if (set.all && !d->held)
			continue;
		const struct model_domain *md =
		        s->model ? model_domain_find(s->model, d->st.name)
		                 : NULL;

		if (!d->found && md != NULL &&
		    md->kind == MODEL_KIND_MIT_REALM) {
			/*
			 * An MIT realm's principals are no LDIF: offline, its
			 * half is not planned (the diff says so).
			 */
			d->st.unread = true;
			free(d->st.name);
			d->st.name = xstrdup(md->name);
			d->st.source = xasprintf(
			        "no snapshot of realm '%s' (its cross-realm "
			        "principals are read through kadmind only)",
			        md->name);
			d->st.vendor = xstrdup("MIT Kerberos");
			d->st.dn = xstrdup("");
			d->found = true;
		}
		if (!d->found) {
			rc = err_set(err, ERR_NOTFOUND,
			             "no snapshot of domain '%s' in %s",
			             d->st.name, s->dir);
			goto out;
		}
		prov_sort_tdos(&d->st);
		if ((rc = check_dups(&d->st, err)) < 0)
			goto out;
		if ((rc = prov_check_tdos(&bad, &d->st, err)) < 0) {
			source_at(err, s->dir, d->st.tdos[bad].source);
			goto out;
		}
		if (d->st.dn == NULL)
			d->st.dn = prov_dns_to_dn(d->st.name);
		if (d->st.vendor == NULL)
			d->st.vendor = xstrdup("");
	}
	for (size_t i = 0; i < set.n; i++) {
		if (set.all && !set.v[i].held)
			continue;
		trace_log(s->trace, "snapshot %s (%s): %zu trust object%s",
		          s->dir, set.v[i].st.name, set.v[i].st.n_tdos,
		          set.v[i].st.n_tdos == 1 ? "" : "s");
		*model_state_add(out) = set.v[i].st;
		memset(&set.v[i].st, 0, sizeof(set.v[i].st));
	}
	rc = 0;
out:
	for (size_t i = 0; i < set.n; i++)
		model_domain_state_release(&set.v[i].st);
	free(set.v);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	free(path);
	return rc;
}

const struct prov_ops prov_snapshot_ops = {
        .name = "snapshot",
        .caps = PROV_CAN_READ,
        .open = snap_open,
        .read = snap_read,
        .close = snap_close,
};
