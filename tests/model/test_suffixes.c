/*
 * Name suffixes resolved in model/ (model_fti_resolve): the records a
 * forest trust's trusting side must hold, from the spec and what was read.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "model/model.h"

static void
add(struct fti *f, uint8_t type, const char *name, uint32_t flags)
{
	struct fti_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.flags = flags;
	r.name = (char *)(uintptr_t)name; /* fti_add copies */
	fti_add(f, &r);
}

Test(model_suffixes, resolve_enables_disables_and_keeps_the_conflict_bit)
{
	char *enable[] = {(char *)(uintptr_t) "new.b.test"};
	char *disable[] = {(char *)(uintptr_t) "old.b.test"};
	struct model_suffixes s = {
	        .enable = enable,
	        .n_enable = 1,
	        .disable = disable,
	        .n_disable = 1,
	        .unlisted = MODEL_UNLISTED_KEEP,
	};
	struct fti seen, want;
	const struct fti_record *r;

	fti_init(&seen);
	fti_init(&want);
	add(&seen, FTI_TLN, "old.b.test", FTI_TLN_DISABLED_CONFLICT);
	add(&seen, FTI_TLN, "kept.b.test", 0);
	add(&seen, FTI_TLN_EX, "lab.b.test", 0);
	model_fti_resolve(&want, &seen, &s);

	cr_assert_eq(want.n, 4);
	r = model_fti_find(&want, FTI_TLN, "OLD.b.test");
	cr_assert_not_null(r);
	cr_expect_eq(r->flags,
	             FTI_TLN_DISABLED_CONFLICT | FTI_TLN_DISABLED_ADMIN);
	r = model_fti_find(&want, FTI_TLN, "kept.b.test");
	cr_assert_not_null(r);
	cr_expect_eq(r->flags, 0u, "unlisted: keep");
	r = model_fti_find(&want, FTI_TLN, "new.b.test");
	cr_assert_not_null(r);
	cr_expect_eq(r->flags, 0u);
	/* exclude not given: the exclusions read stay */
	cr_expect_not_null(model_fti_find(&want, FTI_TLN_EX, "lab.b.test"));

	/* given (even empty), exclude is the set */
	s.exclude_set = true;
	model_fti_resolve(&want, &seen, &s);
	cr_expect_null(model_fti_find(&want, FTI_TLN_EX, "lab.b.test"));
	cr_expect_eq(want.n, 3);
	fti_release(&want);
	fti_release(&seen);
}
