#ifndef ADT_PROVIDERS_KADM_H
#define ADT_PROVIDERS_KADM_H

/*
 * The kadm5 provider: the MIT half of realm trusts, kept in an MIT KDC
 * through kadmind with the kadm5 client API (libkadm5clnt_mit).  A realm
 * side (model.h, MODEL_PRINC_IN) is the pair of cross-realm principals
 * krbtgt/PARTNER@REALM and krbtgt/REALM@PARTNER; it is read, created,
 * re-keyed, given other encryption types and deleted through the write
 * slots of providers/prov.h (prov_kadm_ops), so that rec_apply runs it
 * with the same plan, journal and rollback as the AD side.
 *
 * Keys are made here, not by kadmind: from the trust password with the
 * salt an AD DC uses for the same principal (REALM || "krbtgt" ||
 * INSTANCE-REALM: MS-KILE 3.3.5.6.2, Samba's db-glue.c and kdc_base_test.py,
 * spec TRUST-DATA-MODEL 6.2), and stored with kadm5_setkey_principal_4 at
 * the kvno adtrust chooses (1 for a new trust, +1 per re-key).  The
 * password is only handed to krb5_c_string_to_key; keys are wiped after
 * use; neither ever reaches an err or a log.  krb5/kadm5 memory never
 * leaves this module.
 */

#include <stddef.h>
#include <stdint.h>

struct err;
struct model_domain_state;
struct prov_cfg;

/*
 * Reads realm's cross-realm principals into *out (one realm side per
 * partner realm, named as the model names the partner when it does):
 * what the LDAP reader does for an AD domain.  Opens and closes its own
 * kadmind session with the realm's credentials from cfg->model.
 */
int prov_kadm_read_realm(struct model_domain_state *out,
                         const struct prov_cfg *cfg, const char *realm,
                         struct err *err);

/*
 * The salt an AD DC uses for the trust key of principal
 * krbtgt/INSTANCE@REALM: "REALMkrbtgtINSTANCE" (both upper case as given).
 */
void prov_kadm_ad_salt(char *buf, size_t len, const char *realm,
                       const char *instance);

/*
 * The key of 'enctype' (a krb5 enctype number: 18 aes256-cts-hmac-sha1-96,
 * 17 aes128-cts-hmac-sha1-96, 23 rc4-hmac) made from password and salt
 * (RFC 3961 string-to-key), into out (cap bytes; *len its length).
 * ERR_INVALID for an enctype krb5 cannot make.  The caller wipes out.
 */
int prov_kadm_string_to_key(uint8_t *out, size_t cap, size_t *len,
                            int32_t enctype, const char *password,
                            const char *salt, struct err *err);

#endif
