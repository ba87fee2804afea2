#ifndef ADT_UTIL_VERSION_H
#define ADT_UTIL_VERSION_H

/*
 * The adtrust version: the VERSION file of a release tarball, else
 * `git describe --always --dirty` when it was built ("unknown" outside
 * both).  Static storage.
 */
const char *version_string(void);

#endif
