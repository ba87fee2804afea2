#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "model/model.h"
#include "util/err.h"

Test(model_secret, env_and_file_references_resolve)
{
	char path[] = "/tmp/adt-secret-XXXXXX";
	char name[] = "ADT_TEST_SECRET";
	struct model_secret env = {.env = name};
	struct model_secret file = {.file = path};
	struct err err;
	char *v = NULL;
	int fd;

	setenv("ADT_TEST_SECRET", "s3cr3t-env", 1);
	err_init(&err);
	cr_assert_eq(model_secret_resolve(&v, &env, "x", &err), 0);
	cr_expect_str_eq(v, "s3cr3t-env");
	model_secret_free(v);

	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "s3cr3t-file\r\nsecond line\n", 25), 25);
	close(fd);
	cr_assert_eq(model_secret_resolve(&v, &file, "x", &err), 0);
	cr_expect_str_eq(v, "s3cr3t-file", "first line, CR stripped");
	model_secret_free(v);
	unlink(path);
}

Test(model_secret, failures_name_the_reference_never_a_value)
{
	char name[] = "ADT_TEST_UNSET_VAR", path[] = "/nonexistent/secret";
	struct model_secret env = {.env = name};
	struct model_secret file = {.file = path};
	struct err err;
	char *v = NULL;

	unsetenv("ADT_TEST_UNSET_VAR");
	err_init(&err);
	cr_expect_eq(
	        model_secret_resolve(&v, &env, "the password of 'u'", &err),
	        ERR_NOTFOUND);
	cr_expect_null(v);
	cr_expect(strstr(err.msg, "ADT_TEST_UNSET_VAR") != NULL);
	cr_expect(strstr(err.msg, "the password of 'u'") != NULL);
	cr_expect_lt(model_secret_resolve(&v, &file, "x", &err), 0);
	cr_expect(strstr(err.msg, "/nonexistent/secret") != NULL);
}

Test(model_secret, the_cache_asks_once_per_reference)
{
	char name[] = "ADT_TEST_CACHED";
	struct model_secret a = {.env = name};
	struct model_secret b = {.env = name};
	struct model_secret_cache *c = model_secret_cache_new();
	struct err err;
	char *v = NULL;

	err_init(&err);
	setenv("ADT_TEST_CACHED", "first", 1);
	cr_assert_eq(model_secret_get(c, &v, &a, "x", &err), 0);
	model_secret_free(v);
	/* a prompt would not be asked again: the environment is not read */
	setenv("ADT_TEST_CACHED", "second", 1);
	cr_assert_eq(model_secret_get(c, &v, &a, "x", &err), 0);
	cr_expect_str_eq(v, "first");
	model_secret_free(v);
	/* another reference is its own entry */
	cr_assert_eq(model_secret_get(c, &v, &b, "x", &err), 0);
	cr_expect_str_eq(v, "second");
	model_secret_free(v);
	/* without a cache, every call resolves */
	cr_assert_eq(model_secret_get(NULL, &v, &a, "x", &err), 0);
	cr_expect_str_eq(v, "second");
	model_secret_free(v);
	model_secret_cache_free(c);
}
