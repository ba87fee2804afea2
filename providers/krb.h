#ifndef ADT_PROVIDERS_KRB_H
#define ADT_PROVIDERS_KRB_H

/*
 * Kerberos checks of a trust with MIT krb5: the RFC 4120 cross-realm flow
 * (spec TRUST-DATA-MODEL 6.5), what `netdom trust /verify /kerberos` and
 * `kinit; kvno krbtgt/B@A; kvno cifs/dc.b@B` do.  Each call has its own
 * krb5_context and works in a MEMORY: ccache it destroys before returning:
 * nothing is written to a credential cache, keytab or file, and only AS and
 * TGS requests reach the KDCs.  krb5 memory never leaves this module.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

enum prov_krb_step {
	PROV_KRB_INITIAL = 0, /* the user's TGT krbtgt/UR@UR */
	PROV_KRB_CROSS = 1,   /* the cross-realm TGT krbtgt/TARGET@UR */
	PROV_KRB_SERVICE = 2, /* a service ticket SERVICE@TARGET */
	PROV_KRB_N_STEPS = 3,
};

/* One step's outcome; strings are "" when unknown. */
struct prov_krb_ticket {
	bool done;        /* the step was attempted */
	bool ok;          /* and gave a ticket */
	char server[256]; /* the ticket's (or requested) server principal */
	int32_t enctype;  /* of the ticket's encrypted part, 0 unknown */
	char enctype_name[48];
	uint32_t kvno;   /* key version of the server key that sealed it */
	int32_t code;    /* krb5 error code when !ok, else 0 */
	char error[256]; /* krb5_get_error_message() when !ok */
};

struct prov_krb_result {
	char client[256];     /* the principal whose tickets were used */
	char user_realm[128]; /* its realm */
	bool from_ccache;     /* the TGT came from a ccache (no password) */
	struct prov_krb_ticket step[PROV_KRB_N_STEPS];
};

/*
 * Checks that a user of one realm gets tickets in target_realm:
 *  1. initial: with password, an AS exchange for user_principal
 *     ("user@REALM"; "user" alone takes the default realm); without
 *     (password NULL), the TGT krbtgt/UR@UR copied from ccache (NULL:
 *     the default ccache) into the MEMORY: ccache, and only that ticket,
 *     so no cached cross-realm or service ticket can hide a broken trust;
 *     user_principal, if given, must then be the ccache's principal;
 *  2. cross-realm: krbtgt/TARGET@UR from the user realm's KDC;
 *  3. service (unless service is NULL): "service@TARGET", e.g. service
 *     "cifs/dcb.b.test", from the target realm's KDC.
 * The password is only handed to krb5 (which wipes its copy); it is never
 * copied into *out or a message, and the caller keeps and wipes it.
 *
 * *out is always filled.  Returns 0 when every step gave a ticket;
 * ERR_BACKEND when a step failed, with err->sys the krb5 code and a one-line
 * message naming both realms and the step, e.g. "A.TEST -> B.TEST: no
 * cross-realm ticket: Server not found in Kerberos database" (later steps
 * are not attempted); ERR_NOTFOUND when there is no ccache or no TGT in it;
 * ERR_INVALID for bad arguments (no principal with a password, a service
 * naming a realm, the target being the user's own realm).
 */
int prov_krb_check_trust(struct prov_krb_result *out,
                         const char *user_principal, const char *password,
                         const char *ccache, const char *target_realm,
                         const char *service, struct err *err);

/*
 * The principal of a ccache (NULL: the default one) as text, into buf.
 * ERR_NOTFOUND when there is no such ccache or it holds no principal.
 */
int prov_krb_ccache_principal(char *buf, size_t len, const char *ccache,
                              struct err *err);

/* "initial ticket", "cross-realm ticket", "service ticket". */
const char *prov_krb_step_name(enum prov_krb_step s);

/*
 * The realm part of a principal "a/b@R" (after the first unescaped '@'),
 * borrowed from principal; NULL when there is none.
 */
const char *prov_krb_realm_of(const char *principal);

#endif
