/*
 * nothreads.c -- LD_PRELOAD shim for the control run of
 * bench/read_concurrency.sh -S: pthread_create always fails with EAGAIN, so
 * providers/ldap.c takes its "no thread: read it here" path and reads the
 * domains one after another in the calling thread.  It shows what a serial
 * provider would measure, i.e. that the benchmark can tell the difference.
 */
#include <errno.h>
#include <pthread.h>

int
pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
               void *arg)
{
	(void)t;
	(void)attr;
	(void)fn;
	(void)arg;
	return EAGAIN;
}
