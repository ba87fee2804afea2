/*
 * The audit's rule table: one row per rule, with its check.  Ids are
 * stable: a rule that goes away leaves its id unused.  The references are
 * the specification sections and the ids other tools use for the same
 * risk (PingCastle rule, ANSSI AD checklist point, DISA STIG), where one
 * exists; docs/audit.md lists them for people.
 *
 * Which side a rule looks at (trustDirection of the TDO, from the holding
 * domain's view):
 *   SID filtering / SID history / selective authentication: OUTBOUND (we
 *     trust the partner: its users and their SIDs come in here);
 *   encryption types: INBOUND (our KDC issues referral tickets to the
 *     partner with the TDO's keys; PingCastle T-AlgsAES skips outbound-only
 *     TDOs for the same reason);
 *   TGT delegation: any direction (the KDC that honours it is the one
 *     issuing the referral, i.e. the inbound side, PingCastle's reading;
 *     adtrust itself writes the bits on outbound sides, docs/decisions.md):
 *     a bit is reported wherever it is set.
 */
#include "reconcile/audit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"

#define AES_BITS (ENC_AES128 | ENC_AES256)
#define LEGACY_BITS (ENC_DES_CBC_CRC | ENC_DES_CBC_MD5 | ENC_RC4_HMAC)

static bool
is_forest(const struct model_tdo *t)
{
	return (t->attributes & TA_FOREST_TRANSITIVE) != 0;
}

static bool
is_ad(const struct model_tdo *t)
{
	return t->type == TDO_TYPE_UPLEVEL || t->type == TDO_TYPE_DOWNLEVEL;
}

/* An AD trust that is not forest-wide and not inside the forest. */
static bool
is_external(const struct model_tdo *t)
{
	return is_ad(t) && !is_forest(t) && !(t->attributes & TA_WITHIN_FOREST);
}

/* A trust to another forest (external or forest trust). */
static bool
crosses_forest(const struct model_tdo *t)
{
	return is_ad(t) && !(t->attributes & TA_WITHIN_FOREST);
}

static bool
outbound(const struct model_tdo *t)
{
	return (t->direction & TDO_DIR_OUTBOUND) != 0;
}

static bool
inbound(const struct model_tdo *t)
{
	return (t->direction & TDO_DIR_INBOUND) != 0;
}

/* The partner is on the migration allow-list (DNS or NetBIOS name). */
static bool
allowed(const struct rec_audit_ctx *c, const struct model_tdo *t)
{
	const struct rec_audit_opts *o = c->opts;

	for (size_t i = 0; o != NULL && i < o->n_allow; i++)
		if (strcasecmp(o->allow[i], t->partner) == 0 ||
		    (t->flat_name != NULL &&
		     strcasecmp(o->allow[i], t->flat_name) == 0))
			return true;
	return false;
}

static bool
sid_filtering_off(const struct rec_audit_ctx *c, const struct model_tdo *t,
                  char *why, size_t len)
{
	if (!is_external(t) || !outbound(t) ||
	    (t->attributes & TA_QUARANTINED_DOMAIN) || allowed(c, t))
		return false;
	snprintf(why, len,
	         "%s trust, %s: QUARANTINED_DOMAIN (0x4) is not set, so "
	         "every SID %s puts in a ticket (SID history included) is "
	         "accepted",
	         t->type == TDO_TYPE_DOWNLEVEL ? "downlevel" : "external",
	         model_dir_name(t->direction), t->partner);
	return true;
}

static bool
sid_history_forest(const struct rec_audit_ctx *c, const struct model_tdo *t,
                   char *why, size_t len)
{
	if (!is_forest(t) || !outbound(t) ||
	    !(t->attributes & TA_TREAT_AS_EXTERNAL) || allowed(c, t))
		return false;
	snprintf(why, len,
	         "forest trust, %s: TREAT_AS_EXTERNAL (0x40) is set, so SID "
	         "history from %s's forest is accepted (netdom "
	         "/EnableSIDHistory:yes)",
	         model_dir_name(t->direction), t->partner);
	return true;
}

static bool
tgt_delegation(const struct rec_audit_ctx *c, const struct model_tdo *t,
               char *why, size_t len)
{
	if (!is_forest(t) || t->direction == TDO_DIR_DISABLED ||
	    (t->attributes & TA_CROSS_ORG_NO_TGT_DELEGATION) ||
	    !(t->attributes & TA_CROSS_ORG_ENABLE_TGT_DELEGATION) ||
	    allowed(c, t))
		return false;
	snprintf(why, len,
	         "forest trust, %s: ENABLE_TGT_DELEGATION (0x800) is set and "
	         "NO_TGT_DELEGATION (0x200) is not: services with "
	         "unconstrained delegation across the trust receive users' "
	         "TGTs",
	         model_dir_name(t->direction));
	return true;
}

static bool
tgt_delegation_legacy(const struct rec_audit_ctx *c, const struct model_tdo *t,
                      char *why, size_t len)
{
	(void)c;
	if (!is_forest(t) || t->direction == TDO_DIR_DISABLED ||
	    (t->attributes & (TA_CROSS_ORG_NO_TGT_DELEGATION |
	                      TA_CROSS_ORG_ENABLE_TGT_DELEGATION)))
		return false;
	snprintf(why, len,
	         "forest trust, %s: neither NO_TGT_DELEGATION (0x200) nor "
	         "ENABLE_TGT_DELEGATION (0x800) is set: DCs with the 2019 "
	         "updates block TGT delegation, older DCs allow it (the "
	         "pre-2019 meaning); set 0x200 (tgt_delegation: false) to "
	         "block it on every DC",
	         model_dir_name(t->direction));
	return true;
}

/* Encryption rules look at AD and MIT trusts whose KDC issues referrals. */
static bool
enc_scope(const struct model_tdo *t)
{
	return (t->type == TDO_TYPE_UPLEVEL || t->type == TDO_TYPE_MIT) &&
	       inbound(t);
}

static bool
enc_set(const struct model_tdo *t)
{
	return t->has_enctypes && (t->enctypes & 0x3fu) != 0;
}

static bool
enctypes_no_aes(const struct rec_audit_ctx *c, const struct model_tdo *t,
                char *why, size_t len)
{
	char buf[128];

	(void)c;
	if (!enc_scope(t) || !enc_set(t) || (t->enctypes & AES_BITS))
		return false;
	model_enctypes_str(buf, sizeof(buf), t->enctypes);
	snprintf(why, len,
	         "msDS-SupportedEncryptionTypes is %s: no AES, %s only", buf,
	         (t->enctypes & ENC_RC4_HMAC) &&
	                         (t->enctypes &
	                          (ENC_DES_CBC_CRC | ENC_DES_CBC_MD5))
	                 ? "RC4 and DES"
	         : (t->enctypes & ENC_RC4_HMAC) ? "RC4"
	                                        : "DES");
	return true;
}

static bool
enctypes_unset(const struct rec_audit_ctx *c, const struct model_tdo *t,
               char *why, size_t len)
{
	(void)c;
	if (!enc_scope(t) || enc_set(t))
		return false;
	snprintf(why, len,
	         "msDS-SupportedEncryptionTypes is %s: the etypes of "
	         "referral tickets depend on each DC's defaults (RC4 on "
	         "older Windows DCs)",
	         t->has_enctypes ? "0" : "not set");
	return true;
}

static bool
enctypes_legacy(const struct rec_audit_ctx *c, const struct model_tdo *t,
                char *why, size_t len)
{
	char buf[128];

	(void)c;
	if (!enc_scope(t) || !enc_set(t) || !(t->enctypes & AES_BITS) ||
	    !(t->enctypes & LEGACY_BITS))
		return false;
	model_enctypes_str(buf, sizeof(buf), t->enctypes);
	snprintf(why, len,
	         "msDS-SupportedEncryptionTypes is %s: AES, but %s still "
	         "allowed",
	         buf, (t->enctypes & ENC_RC4_HMAC) ? "RC4 is" : "DES is");
	return true;
}

static bool
selective_auth_off(const struct rec_audit_ctx *c, const struct model_tdo *t,
                   char *why, size_t len)
{
	(void)c;
	if (!crosses_forest(t) || !outbound(t) ||
	    (t->attributes & TA_CROSS_ORGANIZATION))
		return false;
	snprintf(why, len,
	         "%s trust, %s: CROSS_ORGANIZATION (0x10) is not set: every "
	         "user of %s may authenticate to every computer here",
	         is_forest(t) ? "forest" : "external",
	         model_dir_name(t->direction), t->partner);
	return true;
}

/* The partner's TDO for t's domain, when the partner domain was read. */
static const struct model_tdo *
partner_tdo(const struct rec_audit_ctx *c, const struct model_tdo *t,
            bool *read)
{
	const struct model_domain_state *pd;

	*read = false;
	if (c->state == NULL ||
	    (pd = model_state_find(c->state, t->partner)) == NULL)
		return NULL;
	*read = true;
	for (size_t i = 0; i < pd->n_tdos; i++)
		if (strcasecmp(pd->tdos[i].partner, t->domain) == 0)
			return &pd->tdos[i];
	return NULL;
}

static bool
partner_missing(const struct rec_audit_ctx *c, const struct model_tdo *t,
                char *why, size_t len)
{
	bool read;

	if (t->type == TDO_TYPE_MIT || partner_tdo(c, t, &read) != NULL ||
	    !read)
		return false;
	snprintf(why, len,
	         "one-sided: %s holds a TDO for %s (%s), but %s has none "
	         "for %s",
	         t->domain, t->partner, model_dir_name(t->direction),
	         t->partner, t->domain);
	return true;
}

#define SHAPE_BITS (TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST)

static bool
partner_mismatch(const struct rec_audit_ctx *c, const struct model_tdo *t,
                 char *why, size_t len)
{
	const struct model_tdo *p;
	uint32_t mirrored;
	bool read;

	/* reported once per pair, from the side whose name sorts first */
	if ((p = partner_tdo(c, t, &read)) == NULL ||
	    strcasecmp(t->domain, t->partner) > 0)
		return false;
	mirrored = (t->direction & 1u) << 1 | (t->direction & 2u) >> 1;
	if (mirrored != (p->direction & 3u))
		snprintf(why, len,
		         "the directions do not mirror: %s says %s, %s says %s "
		         "(trustDirection)",
		         t->domain, model_dir_name(t->direction), t->partner,
		         model_dir_name(p->direction));
	else if (t->type != p->type)
		snprintf(why, len,
		         "the trust types differ: %s says %s, %s says %s "
		         "(trustType)",
		         t->domain, model_type_name(t->type), t->partner,
		         model_type_name(p->type));
	else if ((t->attributes ^ p->attributes) & SHAPE_BITS)
		snprintf(why, len,
		         "the trust kinds differ: %s says trustAttributes "
		         "0x%x, %s says 0x%x (FOREST_TRANSITIVE 0x8, "
		         "WITHIN_FOREST 0x20)",
		         t->domain, (unsigned)t->attributes, t->partner,
		         (unsigned)p->attributes);
	else
		return false;
	return true;
}

static bool
secret_old(const struct rec_audit_ctx *c, const struct model_tdo *t, char *why,
           size_t len)
{
	unsigned days = c->opts != NULL && c->opts->max_secret_age_days > 0
	                        ? c->opts->max_secret_age_days
	                        : 365;
	long long when = 0;
	const char *attr = NULL;

	if (outbound(t) && t->secret_out_set > 0) {
		when = t->secret_out_set;
		attr = "trustAuthOutgoing";
	}
	if (inbound(t) && t->secret_in_set > 0 &&
	    (when == 0 || t->secret_in_set < when)) {
		when = t->secret_in_set;
		attr = "trustAuthIncoming";
	}
	if (attr == NULL || c->now - when <= (long long)days * 86400)
		return false;
	snprintf(why, len,
	         "%s was last set %lld days ago (over %u; from the TDO's "
	         "replPropertyMetaData)",
	         attr, (c->now - when) / 86400, days);
	return true;
}

static bool
downlevel(const struct rec_audit_ctx *c, const struct model_tdo *t, char *why,
          size_t len)
{
	(void)c;
	if (t->type != TDO_TYPE_DOWNLEVEL)
		return false;
	snprintf(why, len,
	         "trustType 1 (downlevel): %s is treated as a Windows NT 4 "
	         "domain (NTLM only, no Kerberos, no AES)",
	         t->partner);
	return true;
}

static bool
auth_target_validation_off(const struct rec_audit_ctx *c,
                           const struct model_tdo *t, char *why, size_t len)
{
	(void)c;
	if (!(t->attributes & TA_DISABLE_AUTH_TARGET_VALIDATION))
		return false;
	snprintf(why, len,
	         "DISABLE_AUTH_TARGET_VALIDATION (0x1000) is set: NTLM "
	         "pass-through authentication across the trust does not "
	         "check that the target domain is one %s may route to",
	         t->partner);
	return true;
}

#define ADTS_BITS "MS-ADTS 6.1.6.7.9 (trustAttributes)"
#define NETDOM                                                                 \
	"https://learn.microsoft.com/windows-server/administration/"           \
	"windows-commands/netdom-trust"

const struct rec_rule rec_rules[] = {
        {"ADT001", "sid-filtering-off", REC_SEV_CRITICAL, true, true,
         "sid_filtering", "SID filtering is off on an external trust",
         "Without SID filtering (quarantine) the trusting domain accepts "
         "any SID the trusted domain puts in a ticket, including SID "
         "history: an administrator of the trusted domain can become "
         "Domain Admin here.  Only migration domains on the allow-list "
         "are exempt.",
         ADTS_BITS " QUARANTINED_DOMAIN; MS-PAC 4.1.2.2 (SID filtering); "
                   "PingCastle T-SIDFiltering; ANSSI "
                   "vuln1_trusts_domain_notfiltered (R16); STIG V-8538",
         NETDOM, sid_filtering_off},
        {"ADT002", "sid-history-forest", REC_SEV_HIGH, true, true,
         "sid_history", "SID history is accepted across a forest trust",
         "TREAT_AS_EXTERNAL relaxes a forest trust's SID filtering to an "
         "external trust's, so SIDs in the partner forest's SID history "
         "are accepted here.  Keep it for migrations only, with the "
         "domain on the allow-list.",
         ADTS_BITS " TREAT_AS_EXTERNAL; MS-PAC 4.1.2.2; PingCastle "
                   "T-SIDFiltering; ANSSI vuln1_trusts_forest_sidhistory "
                   "(R16); STIG V-8538",
         NETDOM, sid_history_forest},
        {"ADT003", "tgt-delegation", REC_SEV_HIGH, true, true, "tgt_delegation",
         "TGT delegation is enabled across a forest trust",
         "With ENABLE_TGT_DELEGATION, a service with unconstrained "
         "delegation in the other forest receives the TGTs of users "
         "who authenticate to it and can act as them in their own "
         "forest (the 2019 'printer bug' attacks).  0x200 set wins over "
         "0x800.",
         ADTS_BITS " CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION / "
                   "NO_TGT_DELEGATION; MS-KILE 3.3.5.7.5; KB4490425; "
                   "PingCastle T-TGTDelegation; ANSSI "
                   "vuln3_trusts_tgt_deleg",
         "https://support.microsoft.com/help/4490425", tgt_delegation},
        {"ADT004", "tgt-delegation-pre2019", REC_SEV_LOW, true, true,
         "tgt_delegation", "TGT delegation depends on the DC's update level",
         "Neither bit set is the pre-2019 default: DCs without the "
         "July 2019 updates delegate TGTs across the trust, updated DCs "
         "do not.  NO_TGT_DELEGATION (0x200) blocks it on every DC.",
         ADTS_BITS " (0x200, 0x800); KB4490425; PingCastle "
                   "T-TGTDelegation",
         "https://support.microsoft.com/help/4490425", tgt_delegation_legacy},
        {"ADT005", "enctypes-no-aes", REC_SEV_HIGH, true, true, "encryption",
         "The trust allows no AES (RC4 or DES only)",
         "Referral tickets across the trust are encrypted with RC4 or "
         "DES, whose keys are weak and crackable offline.",
         "MS-KILE 2.2.7 (msDS-SupportedEncryptionTypes); MS-ADTS "
         "6.1.6.9.1.2; KB5021131; PingCastle T-AlgsAES",
         "https://support.microsoft.com/help/5021131", enctypes_no_aes},
        {"ADT006", "enctypes-unset", REC_SEV_MEDIUM, true, true, "encryption",
         "msDS-SupportedEncryptionTypes is not set",
         "Without the attribute each DC picks the referral ticket "
         "etypes from its own defaults, which are RC4 on older Windows "
         "DCs.  Set AES explicitly.",
         "MS-KILE 2.2.7; MS-ADTS 6.1.6.7.3; KB5021131; PingCastle "
         "T-AlgsAES ('Not Configured')",
         "https://support.microsoft.com/help/5021131", enctypes_unset},
        {"ADT007", "enctypes-legacy", REC_SEV_LOW, true, true, "encryption",
         "RC4 or DES is allowed next to AES",
         "AES is there, but a downgrade to RC4 or DES stays possible.",
         "MS-KILE 2.2.7; KB5021131", NULL, enctypes_legacy},
        {"ADT008", "selective-auth-off", REC_SEV_MEDIUM, false, true,
         "selective_authentication",
         "Selective authentication is off on a trust to another forest",
         "A policy choice, off by default: for a trust to another "
         "organisation, selective authentication (CROSS_ORGANIZATION) "
         "lets its users reach only the computers that grant them "
         "Allowed-to-Authenticate.",
         ADTS_BITS " CROSS_ORGANIZATION; MS-KILE 3.3.5.7.5", NETDOM,
         selective_auth_off},
        {"ADT009", "partner-side-missing", REC_SEV_MEDIUM, true, false, NULL,
         "The partner holds no side of the trust",
         "Both domains were read and only one holds a trusted domain "
         "object: the trust does not work, or is a leftover of a half "
         "create or delete.",
         "MS-ADTS 6.1.6.7 (one TDO per side); MS-LSAD 3.1.4.7.10", NULL,
         partner_missing},
        {"ADT010", "partner-side-mismatch", REC_SEV_MEDIUM, true, false, NULL,
         "The two sides of the trust disagree",
         "The directions do not mirror each other, or the trust type or "
         "kind (forest, within forest) differs between the sides.",
         "MS-ADTS 6.1.6.7.12 (trustDirection), 6.1.6.7.15 (trustType), "
         "6.1.6.7.9",
         NULL, partner_mismatch},
        {"ADT011", "secret-not-rotated", REC_SEV_MEDIUM, true, false, NULL,
         "The trust secret has not changed for a long time",
         "Windows DCs change a trust's secret every 30 days; one that "
         "stays the same for long is not maintained (a dead trust, or "
         "rotation failing) and gives a stolen key a long life.",
         "MS-ADTS 6.1.6.9.1 (trustAuthIncoming/Outgoing); MS-DRSR 5.162 "
         "(replPropertyMetaData); PingCastle T-Inactive; ANSSI "
         "vuln2_trusts_accounts",
         NULL, secret_old},
        {"ADT012", "downlevel-trust", REC_SEV_MEDIUM, true, true, "type",
         "A downlevel (Windows NT 4 style) trust",
         "A downlevel trust uses NTLM only: no Kerberos, no AES, no "
         "selective authentication or forest-level protections.",
         "MS-ADTS 6.1.6.7.15 (TRUST_TYPE_DOWNLEVEL); PingCastle "
         "T-Downlevel",
         NULL, downlevel},
        {"ADT013", "auth-target-validation-off", REC_SEV_MEDIUM, true, true,
         "auth_target_validation",
         "Authentication target validation is disabled",
         "NTLM pass-through authentication across the trust no longer "
         "checks that the target domain may be routed to through it.",
         ADTS_BITS " DISABLE_AUTH_TARGET_VALIDATION; MS-LSAD 2.2.1.5; "
                   "netdom /AuthTargetValidation",
         NETDOM, auth_target_validation_off},
};

const size_t rec_n_rules = sizeof(rec_rules) / sizeof(rec_rules[0]);
