#ifndef ADT_PROVIDERS_FAKE_H
#define ADT_PROVIDERS_FAKE_H

/*
 * The in-memory provider: domains and their trusted domain objects held in
 * memory, read and written through the same slots as the LDAP reader and
 * the LSA writer (libgit2's in-memory config backend).  It is the test
 * double for everything above providers/: its write steps can fail, lose
 * their answer, take the DC down or deliver a signal, at any step k.
 *
 * A TDO's trust password is never kept: only its SHA-256, so that a test
 * can tell whether the two sides of a trust share a secret.
 */

#include <stdbool.h>
#include <stddef.h>

#include "providers/prov.h"

extern const struct prov_ops prov_fake_ops;

/* What happens at a write step. */
enum prov_fake_fault {
	PROV_FAKE_NONE = 0,
	PROV_FAKE_FAIL,   /* refused: nothing changes, ERR_BACKEND */
	PROV_FAKE_LOST,   /* made, but the answer is lost: ERR_IO */
	PROV_FAKE_DOWN,   /* the DC dies: this and every later call on that
	                     domain (reads too) fail with ERR_IO */
	PROV_FAKE_SIGNAL, /* raise(signo), then the write is made */
};

/* A new, empty fake (what prov_open(&prov_fake_ops, NULL cfg) gives). */
struct prov *prov_fake_new(void);

/* Adds a domain; vendor "Samba Team" makes it a Samba DC, "" Windows. */
void prov_fake_add_domain(struct prov *p, const char *name, const char *netbios,
                          const char *sid, const char *vendor);

/*
 * Puts a TDO (a deep copy of t, held by t->domain) with the given trust
 * password (NULL: unknown).  Replaces one for the same partner.
 */
void prov_fake_put(struct prov *p, const struct model_tdo *t,
                   const char *password);

/*
 * The TDO for partner held by domain, borrowed, or NULL.  *secret (may be
 * NULL) gets the hex SHA-256 of its password ("" when unknown).
 */
const struct model_tdo *prov_fake_get(struct prov *p, const char *domain,
                                      const char *partner, const char **secret);

/* Arms a fault for write step 'step' (1 = the first write). */
void prov_fake_fault(struct prov *p, size_t step, enum prov_fake_fault f,
                     int signo);
/* Disarms every fault and brings every domain back up. */
void prov_fake_heal(struct prov *p);
/* Write steps attempted so far. */
size_t prov_fake_writes(struct prov *p);

#endif
