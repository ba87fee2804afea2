#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/err.h"
#include "util/safefile.h"
#include "util/sbuf.h"

static int
load(struct model **m, const char *yaml, struct diags *d)
{
	struct err err;

	diags_init(d);
	err_init(&err);
	return model_load_buf(m, "t.yaml", yaml, strlen(yaml), d, &err);
}

/* Expects problem i at line:col with a message containing needle. */
static void
expect(const struct diags *d, size_t i, unsigned line, unsigned col,
       const char *needle)
{
	cr_assert_lt(i, d->n, "only %zu problems", d->n);
	cr_expect_str_eq(d->v[i].file, "t.yaml");
	cr_expect_eq(d->v[i].line, line, "problem %zu '%s': line %u, want %u",
	             i, d->v[i].msg, d->v[i].line, line);
	cr_expect_eq(d->v[i].col, col, "problem %zu '%s': col %u, want %u", i,
	             d->v[i].msg, d->v[i].col, col);
	cr_expect(strstr(d->v[i].msg, needle) != NULL, "'%s' lacks '%s'",
	          d->v[i].msg, needle);
}

static const char *const good = "version: 1\n"
                                "domains:\n"
                                "  - name: a.test\n"
                                "    netbios: A\n"
                                "    sid: S-1-5-21-1-2-3\n"
                                "  - name: b.test\n"
                                "credentials:\n"
                                "  - name: c\n"
                                "    method: password\n"
                                "    user: admin@A.TEST\n"
                                "    password: { env: PW }\n"
                                "trusts:\n"
                                "  - trusting: a.test\n"
                                "    trusted: b.test\n"
                                "    direction: two-way\n"
                                "    type: external\n"
                                "    encryption: [aes128, AES256]\n"
                                "    selective_authentication: yes\n";

Test(model_load, valid_file_loads_with_values_and_digest)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_eq(load(&m, good, &d), 0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(m->n_domains, 2);
	cr_expect_str_eq(m->domains[0].netbios, "A");
	cr_assert_eq(m->n_trusts, 1);
	cr_expect_eq(m->trusts[0].direction, MODEL_DIR_TWO_WAY);
	cr_assert_not_null(m->trusts[0].opts.encryption);
	cr_expect_eq(*m->trusts[0].opts.encryption, ENC_AES128 | ENC_AES256);
	cr_assert_not_null(m->trusts[0].opts.selective_authentication);
	cr_expect(*m->trusts[0].opts.selective_authentication);
	cr_expect_null(m->trusts[0].opts.sid_filtering);
	cr_expect_str_eq(m->credentials[0].password->env, "PW");
	cr_expect_eq(strlen(m->sha256), 64);
	model_free(m);
	diags_release(&d);
}

Test(model_load, unknown_key_reports_line_column_and_suggestion)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_lt(load(&m,
	                  "version: 1\ndomains:\n  - name: a.test\n"
	                  "    netbois: A\n",
	                  &d),
	             0);
	cr_assert_null(m);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 4, 5, "unknown key 'netbois'");
	cr_expect(strstr(d.v[0].msg, "did you mean 'netbios'") != NULL);
	diags_release(&d);
}

Test(model_load, every_problem_is_reported_in_order)
{
	struct model *m = NULL;
	struct diags d;
	const char *y = "version: 1\n"
	                "domains:\n"
	                "  - name: a.test\n"
	                "    kind: mit_realm\n"
	                "    name: b.test\n"
	                "trusts:\n"
	                "  - trusting: a.test\n"
	                "    direction: twoway\n"
	                "    type: forest\n"
	                "    pim: maybe\n"
	                "    encryption: [aes512]\n";

	cr_assert_lt(load(&m, y, &d), 0);
	cr_assert_eq(d.n, 6, "got %zu problems", d.n);
	expect(&d, 0, 4, 11, "invalid value 'mit_realm'");
	expect(&d, 1, 5, 5, "duplicate key 'name'");
	expect(&d, 2, 7, 5, "missing required key 'trusted'");
	expect(&d, 3, 8, 16, "invalid value 'twoway'");
	expect(&d, 4, 10, 10, "must be true or false");
	expect(&d, 5, 11, 18, "invalid value 'aes512'");
	diags_release(&d);
}

Test(model_load, wrong_type_and_syntax_error_have_positions)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_lt(load(&m, "version: one\ndomains: a.test\n", &d), 0);
	cr_assert_eq(d.n, 2);
	expect(&d, 0, 1, 10, "must be a whole number");
	expect(&d, 1, 2, 10, "must be a list");
	diags_release(&d);

	cr_assert_lt(load(&m, "version: 1\ndomains: [a\n", &d), 0);
	cr_assert_eq(d.n, 1);
	cr_expect(strstr(d.v[0].msg, "YAML syntax error") != NULL);
	cr_expect_eq(d.v[0].line, 3);
	diags_release(&d);
}

Test(model_load, literal_secret_is_refused_without_echoing_it)
{
	struct model *m = NULL;
	struct diags d;
	const char *y = "version: 1\ncredentials:\n  - name: c\n"
	                "    method: password\n    user: u@A\n"
	                "    password: Sup3rSecret!\n";

	cr_assert_lt(load(&m, y, &d), 0);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 6, 15, "must not hold a secret");
	cr_expect_null(strstr(d.v[0].msg, "Sup3rSecret"));
	diags_release(&d);
}

Test(model_load, secret_reference_must_name_one_source)
{
	struct model *m = NULL;
	struct diags d;
	const char *y = "version: 1\ncredentials:\n  - name: c\n"
	                "    method: password\n    user: u@A\n"
	                "    password: { env: A, file: /x }\n";

	cr_assert_lt(load(&m, y, &d), 0);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 6, 15, "exactly one of env, file or prompt");
	diags_release(&d);
}

Test(model_load, empty_document_is_an_error)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_lt(load(&m, "# nothing\n", &d), 0);
	cr_assert_eq(d.n, 1);
	cr_expect(strstr(d.v[0].msg, "empty document") != NULL);
	diags_release(&d);
}

Test(model_validate, semantic_problems_name_the_yaml_path)
{
	struct model *m = NULL;
	struct diags d;
	const char *y = "version: 2\n"
	                "domains:\n"
	                "  - name: a.test\n"
	                "  - name: b.test\n"
	                "  - name: a.test\n"
	                "  - name: R.TEST\n"
	                "    kind: mit-realm\n"
	                "trusts:\n"
	                "  - trusting: a.test\n"
	                "    trusted: c.test\n"
	                "    type: external\n"
	                "    name_suffixes: { enable: [c.test] }\n"
	                "  - trusting: b.test\n"
	                "    trusted: a.test\n"
	                "    type: external\n"
	                "    transitive: true\n"
	                "  - trusting: a.test\n"
	                "    trusted: b.test\n"
	                "    type: forest\n"
	                "    sides: trusted\n"
	                "    sid_history: true\n"
	                "    sid_filtering: true\n"
	                "  - trusting: a.test\n"
	                "    trusted: R.TEST\n"
	                "    type: external\n";

	cr_assert_lt(load(&m, y, &d), 0);
	cr_assert_eq(d.n, 9, "got %zu", d.n);
	expect(&d, 0, 1, 1, "version: unsupported version 2");
	expect(&d, 1, 5, 5, "domains[2]: domain 'a.test' is declared twice");
	expect(&d, 2, 10, 5, "trusts[0].trusted: unknown domain 'c.test'");
	expect(&d, 3, 12, 5, "'name_suffixes' applies to forest trusts only");
	expect(&d, 4, 16, 5, "'transitive' applies to realm trusts only");
	expect(&d, 5, 17, 5,
	       "trusts[2]: the trust between 'a.test' and 'b.test' is declared "
	       "twice");
	expect(&d, 6, 20, 5, "needs 'password'");
	expect(&d, 7, 21, 5, "contradicts");
	expect(&d, 8, 23, 5, "must have type 'realm'");
	diags_release(&d);
}

Test(model_validate, an_exclusion_outside_every_suffix_names_both)
{
	struct model *m = NULL;
	struct diags d;
	const char *y = "version: 1\n"
	                "domains:\n"
	                "  - name: a.test\n"
	                "  - name: b.test\n"
	                "trusts:\n"
	                "  - trusting: a.test\n"
	                "    trusted: b.test\n"
	                "    type: forest\n"
	                "    password: { env: PW }\n"
	                "    name_suffixes:\n"
	                "      enable: [b.test, '*.c.test']\n"
	                "      exclude: [lab.b.test, x.c.test, other.test, "
	                "c.test.evil]\n";

	cr_assert_lt(load(&m, y, &d), 0);
	cr_assert_eq(d.n, 2, "got %zu: %s", d.n, d.n ? d.v[0].msg : "");
	expect(&d, 0, 12, 39,
	       "exclusion 'other.test' is under none of the trust's name "
	       "suffixes (b.test, *.c.test)");
	expect(&d, 1, 12, 51, "exclusion 'c.test.evil'");
	diags_release(&d);
}

/* Hostile YAML (issue 9): each bounded with a positioned error. */

static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1), *p = s;

	cr_assert_not_null(s);
	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

Test(model_load, deep_flow_nesting_stops_at_the_depth_limit)
{
	char *y = repeat("version: 1\ndomains: ", "[", 100000, "");
	struct model *m = NULL;
	struct diags d;

	cr_assert_eq(load(&m, y, &d), ERR_INVALID);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 2, 73, "nested more than 64 levels deep");
	diags_release(&d);
	free(y);
}

Test(model_load, a_second_document_is_refused)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_eq(load(&m, "version: 1\ndomains: []\n---\nversion: 1\n", &d),
	             ERR_INVALID);
	expect(&d, 0, 3, 1, "a second YAML document");
	diags_release(&d);
}

Test(model_load, aliases_are_bounded_in_number_and_expansion)
{
	char *many = repeat("version: 1\nx: &a 1\ny: [", "*a, ", 1100, "1]\n");
	struct model *m = NULL;
	struct diags d;
	struct sbuf sb;

	cr_assert_eq(load(&m, many, &d), ERR_INVALID);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 3, 4101, "more than 1024 YAML aliases");
	diags_release(&d);
	free(many);

	/* a billion laughs: each level nine aliases of the one before */
	sbuf_init(&sb);
	sbuf_adds(&sb, "version: 1\nx0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]\n");
	for (int i = 1; i < 12; i++)
		sbuf_addf(&sb,
		          "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
		          "*a%d, *a%d, *a%d]\n",
		          i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		          i - 1, i - 1);
	cr_assert_eq(load(&m, sb.buf, &d), ERR_INVALID);
	cr_assert_eq(d.n, 1);
	cr_expect(strstr(d.v[0].msg, "stand for more than") != NULL, "%s",
	          d.v[0].msg);
	cr_expect_gt(d.v[0].line, 1);
	diags_release(&d);
	sbuf_release(&sb);

	/* an alias inside its own anchor would be a cycle */
	cr_assert_eq(load(&m, "version: 1\ndomains: &a [*a]\n", &d),
	             ERR_INVALID);
	expect(&d, 0, 2, 14, "names no complete anchor");
	diags_release(&d);
}

Test(model_load, a_file_over_the_size_cap_is_refused)
{
	size_t n = SAFEFILE_INPUT_MAX + 1;
	char *y = malloc(n + 1);
	struct model *m = NULL;
	struct diags d;
	struct err err;

	cr_assert_not_null(y);
	memset(y, '#', n);
	y[n] = '\0';
	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", y, n, &d, &err), ERR_INVALID);
	cr_assert_eq(d.n, 1);
	cr_expect(strstr(d.v[0].msg, "larger than") != NULL, "%s", d.v[0].msg);
	diags_release(&d);
	free(y);
}

Test(model_load, an_env_reference_must_be_a_name_and_is_never_echoed)
{
	struct model *m = NULL;
	struct diags d;

	cr_assert_eq(load(&m,
	                  "version: 1\n"
	                  "credentials:\n"
	                  "  - name: c\n"
	                  "    method: password\n"
	                  "    user: u@A\n"
	                  "    password: { env: NAME hunter2 }\n",
	                  &d),
	             ERR_INVALID);
	cr_assert_eq(d.n, 1);
	expect(&d, 0, 6, 22, "must be an environment variable name");
	cr_expect(strstr(d.v[0].msg, "hunter2") == NULL);
	diags_release(&d);
}
