#include "util/version.h"

/* The Makefile passes it (and rebuilds this file when it changes). */
#ifndef ADT_VERSION
#define ADT_VERSION "unknown"
#endif

const char *
version_string(void)
{
	return ADT_VERSION;
}
