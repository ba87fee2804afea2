/*
 * The apply engine (see rec_apply in rec.h): ordering, the journal and
 * rollback.  It never names a backend: every write goes through the
 * writer's slots (providers/prov.h).
 *
 * A trust is one transaction of steps.  Its state is "before" until its
 * first write, "desired" when every step is done, and in between it may be
 * one-sided.  Whatever stops a trust halfway (a failed step, a signal) is
 * settled before the run ends: rolled back while every write so far can be
 * undone (a created side deleted, an update written back), finished once
 * one cannot (a delete ran: the old secret is gone), and reported
 * INCOMPLETE, with its journal kept, only when neither worked.
 */
#include "reconcile/rec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

enum step_op {
	ST_DELETE,     /* a delete, or the first half of a replace */
	ST_UPDATE,     /* in place: direction/attributes, enctypes */
	ST_FTI_UPDATE, /* in place: name suffixes of an existing TDO */
	ST_CREATE,     /* a create, or the second half of a replace */
	ST_FTI_NEW,    /* forest records of a side created in this run */
};

static const char *const op_names[] = {
        [ST_DELETE] = "delete", [ST_UPDATE] = "update", [ST_FTI_UPDATE] = "fti",
        [ST_CREATE] = "create", [ST_FTI_NEW] = "fti",
};

enum fate {
	F_TODO = 0,
	F_DONE,
	F_FAILED,  /* refused: nothing changed */
	F_UNKNOWN, /* may have changed something */
	F_UNDONE,
};

struct step {
	enum step_op op;
	const struct plan_item *it;
	enum fate fate;
};

struct tx {
	const struct model_trust *t; /* NULL for an unmanaged pair */
	struct step *st;
	size_t n;
	char *pw; /* the trust password, once a create needs it */
	const char *a, *b;
	double down_since; /* a replace's first delete (monotonic s), or 0 */
};

struct run {
	const struct plan *p;
	const struct model *m;
	const struct rec_apply_opts *o;
	struct prov *w;  /* AD sides */
	struct prov *rw; /* MIT realm sides (o->realm_writer, else w) */
	struct rec_journal *j;
	bool *touched; /* per plan item: a step of it was attempted */
	size_t writes;
	size_t incomplete;
	size_t failed_checks;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The writer of a domain's sides: kadm5 for MIT realms, else LSA. */
static struct prov *
wr(const struct run *r, const char *domain)
{
	const struct model_domain *d =
	        r->m != NULL ? model_domain_find(r->m, domain) : NULL;

	return d != NULL && d->kind == MODEL_KIND_MIT_REALM ? r->rw : r->w;
}

/* A realm side re-keyed in place (rec_plan_rekey): its old keys go. */
static bool
rekeys(const struct plan_item *it)
{
	for (size_t k = 0; k < it->n_changes; k++)
		if (it->changes[k].in_place &&
		    strcmp(it->changes[k].field, "trust_password") == 0)
			return true;
	return false;
}

/* The newest kvno of a realm side's principals (0: not a realm side). */
static uint32_t
max_kvno(const struct model_tdo *t)
{
	uint32_t k = 0;

	for (unsigned i = 0; i < 2; i++)
		if (t->princ[i].present && t->princ[i].kvno > k)
			k = t->princ[i].kvno;
	return k;
}

static bool
stop_requested(const struct run *r)
{
	return r->o->stop != NULL && *r->o->stop != 0;
}

const char *
rec_fate_name(enum rec_fate f)
{
	static const char *const names[] = {
	        [REC_FATE_DONE] = "done",
	        [REC_FATE_FAILED] = "failed",
	        [REC_FATE_UNDONE] = "undone",
	        [REC_FATE_NOT_DONE] = "not_done",
	        [REC_FATE_INCOMPLETE] = "incomplete",
	        [REC_FATE_VERIFIED] = "verified",
	        [REC_FATE_NOTE] = "note",
	};

	return (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

/*
 * The structured twin of a report line (o->event): the trust's domains
 * in order, the side (NULL for a line about the whole trust), the step.
 */
static void
event(const struct run *r, enum rec_fate fate, const char *a, const char *b,
      const struct plan_item *it, const char *step, const char *detail,
      double unusable_s)
{
	struct rec_event ev = {.fate = fate,
	                       .it = it,
	                       .step = step,
	                       .detail = detail,
	                       .unusable_s = unusable_s};

	if (r->o->event == NULL)
		return;
	if (a != NULL && b != NULL && strcasecmp(a, b) > 0) {
		const char *x = a;

		a = b;
		b = x;
	}
	ev.a = a;
	ev.b = b;
	r->o->event(r->o->event_ctx, &ev);
}

/* A trust-level line ("note: ...", INCOMPLETE) as an event too. */
static void
note(const struct run *r, enum rec_fate fate, const char *a, const char *b,
     const char *detail, double unusable_s)
{
	event(r, fate, a, b, NULL, NULL, detail, unusable_s);
}

static void
say(struct run *r, const char *what, enum rec_fate fate,
    const struct plan_item *it, const char *step, const char *extra)
{
	fprintf(r->o->report, "%-9s %-7s %s%s%s\n", what,
	        plan_action_name(it->action), it->address, extra ? ": " : "",
	        extra ? extra : "");
	fflush(r->o->report);
	event(r, fate, it->domain, it->partner, it, step, extra, -1);
}

/*
 * The journal could not record a step (a full disk) that must be written
 * anyway: say so and go on without its line.  The journal's last lines
 * show the trust open, so the next plan repairs whatever this leaves.
 */
static void
journal_lost(struct run *r, const struct plan_item *it, const char *step,
             const char *doing, struct err *err)
{
	fprintf(r->o->report, "warning: %s; %s without a journal line\n",
	        err->msg, doing);
	event(r, REC_FATE_NOTE, it->domain, it->partner, it, step, err->msg,
	      -1);
	err_init(err);
}

/* A strong random trust password: 32 characters of a 64-symbol alphabet. */
static char *
gen_password(void)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789-_";
	unsigned char raw[32];
	char *pw = xmalloc(sizeof(raw) + 1);

	if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw)) != 0)
		abort(); /* no randomness: nothing safe to do */
	for (size_t i = 0; i < sizeof(raw); i++)
		pw[i] = abc[raw[i] & 63];
	pw[sizeof(raw)] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return pw;
}

static int
trust_password(struct tx *tx, struct err *err)
{
	char what[600];

	if (tx->pw != NULL)
		return 0;
	if (tx->t == NULL || tx->t->password == NULL) {
		tx->pw = gen_password();
		return 0;
	}
	snprintf(what, sizeof(what), "the trust password of %s -> %s",
	         tx->t->trusting, tx->t->trusted);
	return model_secret_resolve(&tx->pw, tx->t->password, what, err);
}

static const char *
secret_kind(const struct tx *tx, const struct step *s)
{
	if (s->op == ST_UPDATE && rekeys(s->it))
		return "referenced";
	if (s->op != ST_CREATE)
		return "none";
	return tx->t == NULL || tx->t->password == NULL ? "generated"
	                                                : "referenced";
}

/* ---- read-back ---- */

static bool
tdo_matches(const struct model_tdo *t, const struct model_tdo *a)
{
	return t->direction == a->direction && t->type == a->type &&
	       ((t->attributes ^ a->attributes) & a->attr_mask) == 0 &&
	       (!a->has_enctypes || t->enctypes == a->enctypes);
}

/*
 * Reads the TDO back and compares what the write was meant to do.  0: as
 * wanted; ERR_BACKEND: it reads back otherwise; another error: unknown.
 */
static int
readback(struct run *r, const struct plan_item *it, bool want_absent,
         struct err *err)
{
	const struct model_tdo *a = &it->after;
	struct prov *w = wr(r, it->domain);
	struct model_tdo t;
	int rc = w->ops->tdo_get(w, it->domain, it->partner, &t, err);

	if (want_absent) {
		model_tdo_release(&t);
		if (rc == ERR_NOTFOUND)
			return 0;
		return rc < 0 ? rc
		              : err_set(err, ERR_BACKEND,
		                        "'%s': the server said the trust was "
		                        "deleted, but it is still there",
		                        it->address);
	}
	if (rc == ERR_NOTFOUND)
		return err_set(err, ERR_BACKEND,
		               "'%s': the trust is not there after the write",
		               it->address);
	if (rc < 0)
		return err_prefix(err, "reading back '%s'", it->address);
	if (!tdo_matches(&t, a))
		rc = err_set(err, ERR_BACKEND,
		             "'%s': the server said OK but the trust reads "
		             "back as direction %s, attributes 0x%x, "
		             "encryption 0x%x (wanted %s, 0x%x, 0x%x)",
		             it->address, model_dir_name(t.direction),
		             t.attributes, t.enctypes,
		             model_dir_name(a->direction), a->attributes,
		             a->enctypes);
	model_tdo_release(&t);
	return rc;
}

static bool
fti_same_tlns(const struct fti *x, const struct fti *y)
{
	size_t nx = 0, ny = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct fti_record *rr = &x->rec[i];
		bool hit = false;

		if (rr->type != FTI_TLN && rr->type != FTI_TLN_EX)
			continue;
		nx++;
		for (size_t j = 0; j < y->n && !hit; j++)
			hit = y->rec[j].type == rr->type &&
			      strcasecmp(y->rec[j].name, rr->name) == 0 &&
			      ((y->rec[j].flags ^ rr->flags) &
			       (FTI_TLN_DISABLED_ADMIN |
			        FTI_TLN_DISABLED_NEW)) == 0;
		if (!hit)
			return false;
	}
	for (size_t j = 0; j < y->n; j++)
		if (y->rec[j].type == FTI_TLN || y->rec[j].type == FTI_TLN_EX)
			ny++;
	return nx == ny;
}

/* Stores records and reads them back. */
static int
store_fti(struct run *r, const struct plan_item *it, const struct fti *want,
          struct err *err)
{
	struct prov *w = wr(r, it->domain);
	struct fti back;
	int rc;

	if ((rc = w->ops->fti_set(w, it->domain, it->partner, want, err)) < 0)
		return rc;
	if ((rc = w->ops->fti_get(w, it->domain, it->partner, false, &back,
	                          err)) < 0) {
		fti_release(&back);
		return err_prefix(err, "reading back '%s'", it->address);
	}
	if (!fti_same_tlns(want, &back))
		rc = err_set(err, ERR_BACKEND,
		             "'%s': the server said OK but the name suffixes "
		             "read back differently",
		             it->address);
	fti_release(&back);
	return rc;
}

/*
 * The records a forest trust side must store.  An update applies the spec
 * to what the TDO holds; a new trust starts from the partner forest's
 * namespaces as its DC reports them (like samba-tool's namespaces
 * --refresh), else from what the new TDO holds; a replace stores exactly
 * the records planned.
 */
static int
want_fti(struct run *r, const struct step *s, struct fti *want, struct err *err)
{
	const struct plan_item *it = s->it;
	struct prov *w = wr(r, it->domain);
	struct fti cur;
	struct err e2;
	int rc = ERR_NOTFOUND;

	fti_init(want);
	if (s->op == ST_FTI_NEW && it->action == PLAN_REPLACE &&
	    it->after.fti.n > 0) {
		fti_copy(want, &it->after.fti);
		return 0;
	}
	err_init(&e2);
	fti_init(&cur);
	if (s->op == ST_FTI_NEW) {
		rc = w->ops->fti_get(w, it->domain, it->partner, true, &cur,
		                     &e2);
		if (rc < 0)
			fti_release(&cur);
	}
	if (rc < 0) {
		rc = w->ops->fti_get(w, it->domain, it->partner, false, &cur,
		                     err);
		if (rc < 0 && rc != ERR_NOTFOUND) {
			fti_release(&cur);
			return rc;
		}
	}
	if (it->after.suffixes != NULL)
		model_fti_resolve(want, rc == 0 ? &cur : NULL,
		                  it->after.suffixes);
	else
		fti_copy(want, &cur);
	fti_release(&cur);
	return 0;
}

/* ---- steps ---- */

static unsigned
update_what(const struct plan_item *it)
{
	const struct model_tdo *a = &it->after, *b = &it->before;
	unsigned what = 0;

	if (a->realm_side) { /* per principal: what the changes name */
		for (size_t k = 0; k < it->n_changes; k++) {
			const struct model_field *f =
			        model_field_find(it->changes[k].field);

			if (f != NULL && f->kind == MODEL_FK_DIRECTION)
				what |= PROV_SET_INFO;
			else if (f != NULL && f->kind == MODEL_FK_ENCTYPES)
				what |= PROV_SET_ENCTYPES;
		}
		if (rekeys(it))
			what |= PROV_SET_SECRET;
		return what;
	}

	if (a->direction != b->direction || a->attributes != b->attributes)
		what |= PROV_SET_INFO;
	if (a->has_enctypes && (!b->has_enctypes || a->enctypes != b->enctypes))
		what |= PROV_SET_ENCTYPES;
	return what;
}

/* One write (and its read-back); 0 or an error. */
static int
write_step(struct run *r, struct tx *tx, const struct step *s, struct err *err)
{
	const struct plan_item *it = s->it;
	struct prov *w = wr(r, it->domain);
	struct fti want;
	unsigned what;
	int rc;

	switch (s->op) {
	case ST_DELETE:
		if ((rc = w->ops->tdo_delete(w, it->domain, it->partner, err)) <
		    0)
			return rc;
		return readback(r, it, true, err);
	case ST_UPDATE:
		if ((what = update_what(it)) != 0 &&
		    (rc = w->ops->tdo_set(w, &it->after, what, err)) < 0)
			return rc;
		return readback(r, it, false, err);
	case ST_CREATE:
		if ((rc = trust_password(tx, err)) < 0)
			return rc;
		if ((rc = w->ops->tdo_create(w, &it->after, tx->pw, err)) < 0)
			return rc;
		return readback(r, it, false, err);
	case ST_FTI_UPDATE:
	case ST_FTI_NEW:
		if ((rc = want_fti(r, s, &want, err)) < 0)
			return rc;
		rc = want.n > 0 ? store_fti(r, it, &want, err) : 0;
		fti_release(&want);
		return rc;
	}
	return err_set(err, ERR_INVALID, "unknown step");
}

/*
 * After a failed write: what did it do?  Reads back.  F_DONE when the
 * wanted result is there after all (a lost answer), F_FAILED when nothing
 * changed, F_UNKNOWN when it cannot be told or something changed.
 */
static enum fate
resolve(struct run *r, const struct step *s)
{
	const struct plan_item *it = s->it;
	struct prov *w = wr(r, it->domain);
	struct model_tdo t;
	struct err e;
	int rc;

	err_init(&e);
	switch (s->op) {
	case ST_DELETE:
		rc = w->ops->tdo_get(w, it->domain, it->partner, &t, &e);
		model_tdo_release(&t);
		return rc == ERR_NOTFOUND ? F_DONE
		       : rc == 0          ? F_FAILED
		                          : F_UNKNOWN;
	case ST_CREATE:
		rc = w->ops->tdo_get(w, it->domain, it->partner, &t, &e);
		model_tdo_release(&t);
		return rc == ERR_NOTFOUND ? F_FAILED : F_UNKNOWN;
	case ST_UPDATE: {
		struct model_tdo b;
		enum fate f = F_UNKNOWN;

		if (rekeys(it)) {
			/* a re-key reads back as a higher kvno, nothing else */
			rc = w->ops->tdo_get(w, it->domain, it->partner, &t,
			                     &e);
			f = rc < 0                                 ? F_UNKNOWN
			    : max_kvno(&t) > max_kvno(&it->before) ? F_DONE
			                                           : F_FAILED;
			model_tdo_release(&t);
			return f;
		}
		if (w->ops->tdo_get(w, it->domain, it->partner, &t, &e) == 0) {
			model_tdo_init(&b);
			model_tdo_copy(&b, &it->before);
			b.attr_mask = 0xffffffffu;
			if (tdo_matches(&t, &b))
				f = F_FAILED; /* still as before */
			model_tdo_release(&b);
		}
		model_tdo_release(&t);
		return f;
	}
	default:
		return F_UNKNOWN; /* undone by writing the old values back */
	}
}

/*
 * Runs one step with its journal records.  On failure *err says why and
 * the step's fate says what it left.
 */
static int
run_step(struct run *r, struct tx *tx, struct step *s, const char *note,
         struct err *err)
{
	const struct plan_item *it = s->it;
	size_t jn;
	int rc;

	r->touched[it - r->p->items] = true;
	if ((rc = rec_journal_intent(r->j, &jn, op_names[s->op], it->domain,
	                             it->partner, plan_action_name(it->action),
	                             secret_kind(tx, s), err)) < 0) {
		if (note == NULL) {
			s->fate = F_FAILED; /* not sent: nothing changed */
			return rc;
		}
		/* finishing a trust past its point of no return */
		journal_lost(r, it, op_names[s->op], "finishing", err);
	}
	r->writes++;
	if (s->op == ST_DELETE && it->action == PLAN_REPLACE &&
	    tx->down_since == 0)
		tx->down_since = now_s();
	rc = write_step(r, tx, s, err);
	if (rc < 0) {
		s->fate = resolve(r, s);
		if (s->fate == F_DONE)
			rc = 0; /* the answer was lost; the write was made */
	} else {
		s->fate = F_DONE;
	}
	{
		struct err je;

		err_init(&je);
		rec_journal_result(r->j, jn,
		                   s->fate == F_DONE     ? "done"
		                   : s->fate == F_FAILED ? "failed"
		                                         : "unknown",
		                   rc < 0 ? err->msg : NULL, &je);
	}
	if (rc == 0) {
		char extra[160];
		const char *what = NULL;

		if (it->action == PLAN_REPLACE && s->op == ST_DELETE)
			what = "the old object is deleted";
		else if (it->action == PLAN_REPLACE && s->op == ST_CREATE)
			what = "created again";
		else if (s->op == ST_FTI_NEW || s->op == ST_FTI_UPDATE)
			what = "name suffixes stored";
		if (note != NULL && what != NULL)
			snprintf(extra, sizeof(extra), "%s (%s)", what, note);
		else
			snprintf(extra, sizeof(extra), "%s",
			         what   ? what
			         : note ? note
			                : "");
		say(r, "done", REC_FATE_DONE, it, op_names[s->op],
		    extra[0] ? extra : NULL);
	}
	return rc;
}

/* ---- settling a trust that stopped halfway ---- */

static const char *
undo_name(const struct step *s)
{
	return s->op == ST_CREATE   ? "undo-create"
	       : s->op == ST_UPDATE ? "undo-update"
	                            : "undo-fti";
}

/* Writes one undo; journaled.  0 or an error. */
static int
undo_step(struct run *r, struct step *s, struct err *err)
{
	const struct plan_item *it = s->it;
	struct prov *w = wr(r, it->domain);
	const char *op = undo_name(s);
	struct model_tdo back;
	size_t jn;
	int rc;

	if (rec_journal_intent(r->j, &jn, op, it->domain, it->partner,
	                       plan_action_name(it->action), "none", err) < 0) {
		journal_lost(r, it, op, "undoing", err);
	}
	r->writes++;
	switch (s->op) {
	case ST_CREATE:
		rc = w->ops->tdo_delete(w, it->domain, it->partner, err);
		if (rc == ERR_NOTFOUND)
			rc = 0;
		break;
	case ST_UPDATE:
		model_tdo_init(&back);
		model_tdo_copy(&back, &it->before);
		back.attr_mask = 0xffffffffu;
		back.trust = it->after.trust; /* a realm side's password */
		back.enctypes &= ~MODEL_ENC_MIXED;
		rc = w->ops->tdo_set(
		        w, &back,
		        (update_what(it) & ~(unsigned)PROV_SET_SECRET) |
		                (it->before.has_enctypes ? PROV_SET_ENCTYPES
		                                         : 0),
		        err);
		if (rc == 0) {
			struct model_tdo t;

			if ((rc = w->ops->tdo_get(w, it->domain, it->partner,
			                          &t, err)) == 0 &&
			    !tdo_matches(&t, &back))
				rc = err_set(err, ERR_BACKEND,
				             "'%s': the old values do not read "
				             "back",
				             it->address);
			model_tdo_release(&t);
		}
		model_tdo_release(&back);
		break;
	case ST_FTI_UPDATE:
		rc = it->before.has_fti && it->before.fti.n > 0
		             ? store_fti(r, it, &it->before.fti, err)
		             : 0;
		break;
	default:
		rc = 0; /* ST_FTI_NEW goes with its create */
		break;
	}
	{
		struct err je;

		err_init(&je);
		rec_journal_result(r->j, jn, rc == 0 ? "done" : "failed",
		                   rc < 0 ? err->msg : NULL, &je);
	}
	return rc;
}

static bool
point_of_no_return(const struct tx *tx)
{
	for (size_t i = 0; i < tx->n; i++)
		if ((tx->st[i].op == ST_DELETE ||
		     (tx->st[i].op == ST_UPDATE && rekeys(tx->st[i].it))) &&
		    (tx->st[i].fate == F_DONE || tx->st[i].fate == F_UNKNOWN))
			return true;
	return false;
}

/* "a.test/b.test present, b.test/a.test absent" for the report. */
static void
describe_sides(struct run *r, const struct tx *tx, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int k = 0; k < 2; k++) {
		const char *d = k == 0 ? tx->a : tx->b,
		           *pt = k == 0 ? tx->b : tx->a;
		struct prov *w = wr(r, d);
		struct model_tdo t;
		struct err e;
		int rc;

		err_init(&e);
		rc = w->ops->tdo_get(w, d, pt, &t, &e);
		model_tdo_release(&t);
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
		                        "%s%s/%s %s", k ? ", " : "", d, pt,
		                        rc == 0              ? "present"
		                        : rc == ERR_NOTFOUND ? "absent"
		                                             : "unknown (no "
		                                               "answer)");
		if (off >= len)
			break;
	}
}

/*
 * After a trust's secret changed: reset the secure channel on each
 * outbound side this run created and check it (the writer's sc_reset:
 * netdom /reset, then TC_VERIFY).  True when at least one channel was
 * checked and every one passed.
 */
static bool
check_channels(struct run *r, const struct tx *tx)
{
	bool all = true, any = false;
	struct err e;

	if (r->o->no_verify)
		return false;
	for (size_t i = 0; i < tx->n; i++) {
		const struct plan_item *it = tx->st[i].it;
		struct prov *w = wr(r, it->domain);

		/*
		 * A secure channel goes out from the trusting side only, and
		 * never to an MIT realm (no NETLOGON there).
		 */
		if (tx->st[i].op != ST_CREATE ||
		    (it->after.direction & TDO_DIR_OUTBOUND) == 0 ||
		    it->after.type == TDO_TYPE_MIT)
			continue;
		if (w->ops->sc_reset == NULL)
			continue; /* no secure channel (an MIT realm) */
		any = true;
		err_init(&e);
		if (w->ops->sc_reset(w, it->domain, it->partner, &e) == 0) {
			say(r, "verified", REC_FATE_VERIFIED, it, "sc_reset",
			    "secure channel reset and checked");
		} else if (tx->t != NULL && tx->t->sides != MODEL_SIDES_BOTH) {
			/*
			 * The wizard's first side: the partner's side comes
			 * from its own file.  The reset still dropped any
			 * channel the DC kept from an older trust.
			 */
			say(r, "note", REC_FATE_NOTE, it, "sc_reset",
			    "not verified yet: the partner side is applied "
			    "from its own file, with the same password; "
			    "'adtrust verify' checks the trust once both "
			    "sides exist");
			all = false;
		} else {
			say(r, "FAILED", REC_FATE_FAILED, it, "sc_reset",
			    e.msg);
			r->failed_checks++;
			all = false;
		}
	}
	return any && all;
}

/*
 * A trust reached its desired state: journal it, reset and check the
 * secure channels of what was created, and say how long a replace kept
 * the trust unusable.
 */
static void
reached_desired(struct run *r, struct tx *tx, const char *why)
{
	bool verified;
	struct err e;
	char d[160];
	double down;

	err_init(&e);
	rec_journal_trust_end(r->j, tx->a, tx->b, "desired", why, &e);
	verified = check_channels(r, tx);
	if (tx->down_since == 0)
		return;
	down = now_s() - tx->down_since;
	snprintf(d, sizeof(d),
	         "was unusable for %.1f s (from the first delete until it "
	         "was %s)",
	         down,
	         verified ? "verified" : "created again; it is not verified");
	fprintf(r->o->report, "note: %s <-> %s %s\n", tx->a, tx->b, d);
	note(r, REC_FATE_NOTE, tx->a, tx->b, d, down);
}

/*
 * Brings a trust that stopped at step 'at' to a consistent state.  why is
 * the reason ("the run was interrupted", or the failed step's error).
 */
static void
settle(struct run *r, struct tx *tx, const char *why)
{
	char sides[600];
	struct err e;
	bool ok = true;

	if (!point_of_no_return(tx)) {
		for (size_t i = tx->n; i-- > 0;) {
			struct step *s = &tx->st[i];
			int rc = -1;

			if (s->fate != F_DONE && s->fate != F_UNKNOWN)
				continue;
			for (int attempt = 0; attempt < 2 && rc < 0;
			     attempt++) {
				err_init(&e);
				rc = undo_step(r, s, &e);
			}
			if (rc < 0) {
				/*
				 * Go on with the other side: a DC that
				 * died leaves its own side unknown, not
				 * the live partner's one-sided.
				 */
				char m[sizeof(e.msg) + 32];

				snprintf(m, sizeof(m), "could not undo it: %s",
				         e.msg);
				say(r, "FAILED", REC_FATE_FAILED, s->it,
				    undo_name(s), m);
				ok = false;
				continue;
			}
			s->fate = F_UNDONE;
			say(r, "undone", REC_FATE_UNDONE, s->it, undo_name(s),
			    s->op == ST_CREATE ? "deleted again"
			    : s->op == ST_UPDATE
			            ? "the old values are written back"
			    : s->it->before.has_fti && s->it->before.fti.n > 0
			            ? "the old name suffixes are stored back"
			            : "it had no name suffixes before, and LSA "
			              "stores none: the new ones stay (no "
			              "secret is involved)");
		}
		if (ok) {
			err_init(&e);
			rec_journal_trust_end(r->j, tx->a, tx->b, "before", why,
			                      &e);
			fprintf(r->o->report,
			        "note: %s <-> %s is as it was before the apply "
			        "(%s)\n",
			        tx->a, tx->b, why);
			snprintf(sides, sizeof(sides),
			         "as it was before the apply (%s)", why);
			note(r, REC_FATE_NOTE, tx->a, tx->b, sides, -1);
			return;
		}
	} else {
		fprintf(r->o->report,
		        "note: finishing %s <-> %s before stopping: its old "
		        "object is deleted, so stopping now would leave it "
		        "one-sided\n",
		        tx->a, tx->b);
		note(r, REC_FATE_NOTE, tx->a, tx->b,
		     "finishing before stopping: its old object is deleted, "
		     "so stopping now would leave it one-sided",
		     -1);
		for (size_t i = 0; i < tx->n && ok; i++) {
			struct step *s = &tx->st[i];
			int rc = -1;

			if (s->fate == F_DONE)
				continue;
			for (int attempt = 0; attempt < 2 && rc < 0;
			     attempt++) {
				err_init(&e);
				if (s->op == ST_CREATE &&
				    s->fate == F_UNKNOWN) {
					/* whatever it left goes first */
					rc = undo_step(r, s, &e);
					if (rc < 0)
						continue;
				}
				rc = run_step(r, tx, s, "finishing", &e);
			}
			if (rc < 0) {
				say(r, "FAILED", REC_FATE_FAILED, s->it,
				    op_names[s->op], e.msg);
				ok = false;
			}
		}
		if (ok) {
			reached_desired(r, tx, why);
			return;
		}
	}
	r->incomplete++;
	describe_sides(r, tx, sides, sizeof(sides));
	err_init(&e);
	rec_journal_trust_end(r->j, tx->a, tx->b, "incomplete", sides, &e);
	fprintf(r->o->report,
	        "INCOMPLETE %s <-> %s: %s; nothing more could be written "
	        "(FAILED above says why: a DC that does not answer, or one "
	        "that refused). Run 'adtrust apply' again once that is "
	        "fixed: it finishes the trust with a new shared secret "
	        "(journal '%s')\n",
	        tx->a, tx->b, sides, r->j ? rec_journal_path(r->j) : "none");
	note(r, REC_FATE_INCOMPLETE, tx->a, tx->b, sides, -1);
}

/* ---- one trust ---- */

static void
add_step(struct tx *tx, enum step_op op, const struct plan_item *it)
{
	tx->st = xreallocarray(tx->st, tx->n + 1, sizeof(*tx->st));
	tx->st[tx->n++] = (struct step){.op = op, .it = it};
}

static bool
same_trust(const struct plan_item *x, const struct plan_item *y)
{
	if (x->trust_index >= 0 || y->trust_index >= 0)
		return x->trust_index == y->trust_index;
	return (strcasecmp(x->domain, y->domain) == 0 &&
	        strcasecmp(x->partner, y->partner) == 0) ||
	       (strcasecmp(x->domain, y->partner) == 0 &&
	        strcasecmp(x->partner, y->domain) == 0);
}

/* The steps of the trust of item 'first', in the order they run. */
static void
build(struct tx *tx, const struct plan *p, const struct model *m,
      const struct plan_item *first)
{
	memset(tx, 0, sizeof(*tx));
	tx->t = first->trust_index >= 0 ? &m->trusts[first->trust_index] : NULL;
	tx->a = first->domain;
	tx->b = first->partner;
	for (int pass = 0; pass < 5; pass++) {
		for (size_t i = 0; i < p->n_items; i++) {
			const struct plan_item *it = &p->items[i];
			bool changes_suffixes = false;

			if (!same_trust(it, first) || it->action == PLAN_NOOP)
				continue;
			for (size_t k = 0; k < it->n_changes; k++) {
				const struct model_field *f =
				        model_field_find(it->changes[k].field);

				if (f != NULL && f->kind == MODEL_FK_SUFFIXES)
					changes_suffixes = true;
			}
			switch (pass) {
			case 0:
				if (it->action == PLAN_DELETE)
					add_step(tx, ST_DELETE, it);
				break;
			case 1:
				if (it->action == PLAN_UPDATE) {
					add_step(tx, ST_UPDATE, it);
					if (changes_suffixes)
						add_step(tx, ST_FTI_UPDATE, it);
				}
				break;
			case 2:
				if (it->action == PLAN_REPLACE)
					add_step(tx, ST_DELETE, it);
				break;
			case 3:
				if (it->action == PLAN_CREATE ||
				    it->action == PLAN_REPLACE)
					add_step(tx, ST_CREATE, it);
				break;
			case 4:
				if ((it->action == PLAN_CREATE ||
				     it->action == PLAN_REPLACE) &&
				    (it->after.attributes &
				     TA_FOREST_TRANSITIVE))
					add_step(tx, ST_FTI_NEW, it);
				break;
			}
		}
	}
}

/* Runs one trust; 0, or the error that stopped it (already settled). */
static int
run_trust(struct run *r, struct tx *tx, struct err *err)
{
	bool started = false;
	int rc;

	for (size_t i = 0; i < tx->n; i++) {
		struct step *s = &tx->st[i];

		if (stop_requested(r)) {
			if (!started)
				return err_set(err, ERR_FAIL, "interrupted");
			settle(r, tx, "the run was interrupted");
			return err_set(err, ERR_FAIL, "interrupted");
		}
		started = true;
		if ((rc = run_step(r, tx, s, NULL, err)) < 0) {
			say(r, "FAILED", REC_FATE_FAILED, s->it,
			    op_names[s->op], err->msg);
			settle(r, tx, "a step failed");
			return rc;
		}
	}
	if (started)
		reached_desired(r, tx, NULL);
	return 0;
}

/* ---- the run ---- */

/* Everything that can be checked before the first write. */
static int
preflight(struct run *r, struct err *err)
{
	const struct plan *p = r->p;
	int rc;

	for (size_t i = 0; i < p->n_items; i++) {
		const struct plan_item *it = &p->items[i];
		const struct model_tdo *a = &it->after;

		if (it->blocked)
			return err_set(err, ERR_DENIED,
			               "'%s' is protected: its %s needs "
			               "--allow-destroy; nothing was applied",
			               it->address,
			               plan_action_name(it->action));
		if ((it->action == PLAN_CREATE || it->action == PLAN_REPLACE) &&
		    !a->realm_side &&
		    (a->flat_name == NULL ||
		     (a->sid == NULL && a->type != TDO_TYPE_MIT)))
			return err_set(err, ERR_INVALID,
			               "'%s': creating a trust needs the "
			               "partner's 'netbios' and 'sid' in its "
			               "domain entry; nothing was applied",
			               it->address);
	}
	for (size_t i = 0; i < p->n_items; i++) {
		const struct plan_item *it = &p->items[i];
		struct prov *w = wr(r, it->domain);
		bool seen = false;

		if (it->action == PLAN_NOOP)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->items[k].action != PLAN_NOOP &&
			       strcasecmp(p->items[k].domain, it->domain) == 0;
		if (seen)
			continue;
		if ((rc = w->ops->preflight(w, it->domain, err)) < 0)
			return err_prefix(err,
			                  "preflight of '%s' failed; nothing "
			                  "was written",
			                  it->domain);
	}
	return 0;
}

/* The trust of this file between a and b (either way), or NULL. */
static const struct model_trust *
trust_of(const struct run *r, const char *a, const char *b)
{
	for (unsigned i = 0; r->m != NULL && i < r->m->n_trusts; i++) {
		const struct model_trust *t = &r->m->trusts[i];

		if ((strcasecmp(t->trusting, a) == 0 &&
		     strcasecmp(t->trusted, b) == 0) ||
		    (strcasecmp(t->trusting, b) == 0 &&
		     strcasecmp(t->trusted, a) == 0))
			return t;
	}
	return NULL;
}

/*
 * Whether this run settled the side of domain d (partner q) that a dead
 * run wrote: it wrote that side again (create, replace or delete: a new
 * secret, or none), or this file declares the trust absent there and the
 * side is gone.  A side this file does not manage (the wizard's partner
 * side, another file's trust) is not settled by it.
 */
static bool
side_settled(const struct run *r, const char *d, const char *q)
{
	const struct model_trust *t;
	const struct model_domain *md;

	for (size_t j = 0; j < r->p->n_items; j++) {
		const struct plan_item *it = &r->p->items[j];

		if (strcasecmp(it->domain, d) != 0 ||
		    strcasecmp(it->partner, q) != 0)
			continue;
		/* an MIT realm side is re-keyed in place (an update) */
		return r->touched[j] &&
		       (it->action == PLAN_CREATE ||
		        it->action == PLAN_REPLACE ||
		        it->action == PLAN_DELETE ||
		        (it->action == PLAN_UPDATE && it->after.realm_side));
	}
	/* no item: gone, and this file wants it gone? (one trust a pair) */
	if ((t = trust_of(r, d, q)) == NULL || t->ensure != MODEL_ABSENT)
		return false;
	md = model_domain_find(r->m, d);
	return md != NULL &&
	       model_side_managed(t, md, strcasecmp(t->trusting, d) == 0);
}

/*
 * Removes the journals of dead runs whose open trusts this run settled:
 * for a trust this file holds both sides of, both sides were written again
 * by this run (or are declared absent and gone); for a one-side trust of
 * the same file, the sides that run wrote.  Anything else stays — a trust
 * of another file, or another file's run — so that file's plan and drift
 * still report it.
 */
static void
clear_leftovers(struct run *r)
{
	const struct rec_leftovers *ls = r->o->leftovers;

	if (ls == NULL)
		return;
	for (size_t i = 0; i < ls->n; i++) {
		const struct rec_leftover *l = &ls->v[i];
		bool all = true;

		for (size_t k = 0; k < l->n_pairs && all; k++) {
			const struct rec_left_pair *lp = &l->pairs[k];
			const struct model_trust *t = trust_of(r, lp->a, lp->b);
			bool both;

			if (!lp->open)
				continue;
			/*
			 * Only a file that holds both sides vouches for both
			 * secrets; a one-side file settles what its own
			 * earlier run wrote, never another file's run.
			 */
			if (t == NULL ||
			    (t->sides != MODEL_SIDES_BOTH &&
			     (l->source == NULL || r->p->source_path == NULL ||
			      strcmp(l->source, r->p->source_path) != 0))) {
				all = false;
				continue;
			}
			both = t->sides == MODEL_SIDES_BOTH;
			if ((both || lp->wrote[0]) &&
			    !side_settled(r, lp->a, lp->b))
				all = false;
			if ((both || lp->wrote[1]) &&
			    !side_settled(r, lp->b, lp->a))
				all = false;
		}
		if (all && unlink(l->path) == 0) {
			char *d = xasprintf("the interrupted apply's journal "
			                    "'%s' is resolved and removed",
			                    l->path);

			fprintf(r->o->report, "note: %s\n", d);
			note(r, REC_FATE_NOTE, NULL, NULL, d, -1);
			free(d);
		}
	}
}

int
rec_apply(const struct plan *p, const struct model *m,
          const struct rec_apply_opts *o, struct err *err)
{
	struct run r = {.p = p,
	                .m = m,
	                .o = o,
	                .w = o->writer,
	                .rw = o->realm_writer ? o->realm_writer : o->writer};
	const struct plan_item *stopped_at = NULL;
	struct err je;
	int rc = 0;

	if (r.w == NULL || !(r.w->ops->caps & PROV_CAN_WRITE))
		return err_set(err, ERR_INVALID,
		               "the provider '%s' cannot write trusts",
		               r.w ? r.w->ops->name : "(none)");
	if (!(r.rw->ops->caps & PROV_CAN_WRITE))
		return err_set(err, ERR_INVALID,
		               "the provider '%s' cannot write realm trusts",
		               r.rw->ops->name);
	if ((rc = preflight(&r, err)) < 0)
		return rc;
	if (plan_is_noop(p))
		goto out;
	r.touched = xcalloc(p->n_items ? p->n_items : 1, sizeof(*r.touched));
	if (o->journal_dir != NULL &&
	    (rc = rec_journal_open(&r.j, o->journal_dir, p, err)) < 0)
		goto out;
	for (size_t i = 0; i < p->n_items && rc == 0; i++) {
		const struct plan_item *it = &p->items[i];
		bool seen = false;
		struct tx tx;

		if (it->action == PLAN_NOOP)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->items[k].action != PLAN_NOOP &&
			       same_trust(&p->items[k], it);
		if (seen)
			continue;
		build(&tx, p, m, it);
		rc = run_trust(&r, &tx, err);
		if (rc < 0)
			stopped_at = it;
		if (tx.pw != NULL)
			model_secret_free(tx.pw);
		free(tx.st);
	}
	if (rc < 0 || r.incomplete > 0)
		for (size_t i = 0; i < p->n_items; i++)
			if (p->items[i].action != PLAN_NOOP && !r.touched[i])
				say(&r, "not done", REC_FATE_NOT_DONE,
				    &p->items[i], NULL, NULL);
	if (rc < 0 && o->stop != NULL && *o->stop != 0)
		err_set(err, ERR_FAIL,
		        "interrupted by signal %d after %zu write%s; %s",
		        *o->stop, r.writes, r.writes == 1 ? "" : "s",
		        r.incomplete > 0 ? "some trusts are INCOMPLETE (see "
		                           "above); run apply again"
		                         : "every trust is as it was or as "
		                           "desired (see above)");
	else if (rc < 0 && r.incomplete == 0 && stopped_at != NULL)
		err_prefix(err, "stopped; every trust is as it was or as "
		                "desired");
	if (o->failed_checks != NULL)
		*o->failed_checks = r.failed_checks;
	err_init(&je);
	if (rec_journal_close(r.j, r.incomplete > 0, &je) < 0 && rc == 0)
		rc = (*err = je).code;
	r.j = NULL;
	if (rc == 0)
		clear_leftovers(&r);
out:
	if (rc == 0 && plan_is_noop(p))
		clear_leftovers(&r);
	free(r.touched);
	return rc;
}
