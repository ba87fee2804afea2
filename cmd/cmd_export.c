/*
 * adtrust export --domain NAME [-f FILE | --snapshot DIR] [-o OUT]
 * Writes the live trusts of one domain as desired state that validates and
 * plans to no changes: every field explicit, so the file manages all of it.
 * -f FILE supplies how to reach the domain (its ldap URI and credentials,
 * copied into the output); --snapshot reads LDIF instead.  An MIT realm
 * (kind: mit-realm in FILE) is read through its kadmind: its cross-realm
 * principals become realm trusts with its side managed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/sbuf.h"

static void
secret_yaml(struct sbuf *o, const struct model_secret *s)
{
	if (s->env != NULL)
		sbuf_addf(o, "{ env: %s }", s->env);
	else if (s->file != NULL)
		sbuf_addf(o, "{ file: \"%s\" }", s->file);
	else
		sbuf_addf(o, "{ prompt: \"%s\" }", s->prompt);
}

static void
domain_yaml(struct sbuf *o, const char *name, const char *netbios,
            const char *sid, bool realm, const struct model_domain *conn)
{
	sbuf_addf(o, "  - name: %s\n", name);
	if (realm) {
		sbuf_adds(o, "    kind: mit-realm\n");
		if (conn != NULL && conn->kadmin != NULL)
			sbuf_addf(o, "    kadmin: %s\n", conn->kadmin);
		if (conn != NULL && conn->credentials != NULL)
			sbuf_addf(o, "    credentials: %s\n",
			          conn->credentials);
		if (conn != NULL && conn->service != NULL)
			sbuf_addf(o, "    service: %s\n", conn->service);
		return;
	}
	if (netbios != NULL)
		sbuf_addf(o, "    netbios: %s\n", netbios);
	if (sid != NULL)
		sbuf_addf(o, "    sid: %s\n", sid);
	if (conn == NULL)
		return;
	if (conn->ldap != NULL)
		sbuf_addf(o, "    ldap: %s\n", conn->ldap);
	if (conn->rpc != NULL)
		sbuf_addf(o, "    rpc: %s\n", conn->rpc);
	if (conn->credentials != NULL)
		sbuf_addf(o, "    credentials: %s\n", conn->credentials);
	if (conn->starttls != NULL)
		sbuf_addf(o, "    starttls: %s\n",
		          *conn->starttls ? "true" : "false");
}

static const char *
yn(uint32_t attrs, uint32_t bit, bool inverted)
{
	return ((attrs & bit) != 0) != inverted ? "true" : "false";
}

static void
names(struct sbuf *o, const char *key, const struct fti *f, uint8_t type,
      bool disabled)
{
	bool first = true;

	for (size_t i = 0; i < f->n; i++) {
		const struct fti_record *r = &f->rec[i];
		bool off = (r->flags & (FTI_TLN_DISABLED_ADMIN |
		                        FTI_TLN_DISABLED_NEW)) != 0;

		if (r->type != type || (type == FTI_TLN && off != disabled))
			continue;
		sbuf_addf(o, "%s%s", first ? "" : ", ", r->name);
		first = false;
		(void)key;
	}
}

static void
trust_yaml(struct sbuf *o, const struct model_domain_state *d,
           const struct model_tdo *t)
{
	bool out = (t->direction & TDO_DIR_OUTBOUND) != 0;
	bool forest = (t->attributes & TA_FOREST_TRANSITIVE) != 0;
	bool realm = t->type == TDO_TYPE_MIT;
	const char *type = realm                                ? "realm"
	                   : forest                             ? "forest"
	                   : (t->attributes & TA_WITHIN_FOREST) ? "shortcut"
	                                                        : "external";
	static const struct {
		uint32_t bit;
		const char *name;
	} encs[] = {{ENC_DES_CBC_CRC, "des-cbc-crc"},
	            {ENC_DES_CBC_MD5, "des-cbc-md5"},
	            {ENC_RC4_HMAC, "rc4"},
	            {ENC_AES128, "aes128"},
	            {ENC_AES256, "aes256"},
	            {ENC_AES256_SK, "aes256-sk"}};
	bool first = true;

	sbuf_addf(o, "  - trusting: %s\n    trusted: %s\n",
	          out ? d->name : t->partner, out ? t->partner : d->name);
	sbuf_addf(o, "    direction: %s\n",
	          t->direction == TDO_DIR_BOTH ? "two-way" : "one-way");
	sbuf_addf(o, "    type: %s\n    sides: %s\n", type,
	          out ? "trusting" : "trusted");
	sbuf_addf(o,
	          "    password: { prompt: \"trust password for %s and "
	          "%s\" }   # used only to create it again\n",
	          d->name, t->partner);
	if (t->realm_side) {
		/* the MIT half: which principals exist and their key types */
		char name[600];

		for (unsigned k = 0; k < 2; k++)
			if (t->princ[k].present) {
				model_princ_name(name, sizeof(name), t, k);
				sbuf_addf(o, "    # %s: kvno %u\n", name,
				          t->princ[k].kvno);
			}
		sbuf_adds(o, "    encryption: [");
		for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++)
			if (t->enctypes & encs[i].bit) {
				sbuf_addf(o, "%s%s", first ? "" : ", ",
				          encs[i].name);
				first = false;
			}
		sbuf_adds(o, "]\n");
		return;
	}
	if (realm)
		sbuf_addf(o, "    transitive: %s\n",
		          yn(t->attributes, TA_NON_TRANSITIVE, true));
	if (out && !realm) {
		sbuf_addf(o, "    selective_authentication: %s\n",
		          yn(t->attributes, TA_CROSS_ORGANIZATION, false));
		sbuf_addf(o, "    sid_filtering: %s\n",
		          forest ? yn(t->attributes, TA_TREAT_AS_EXTERNAL, true)
		                 : yn(t->attributes, TA_QUARANTINED_DOMAIN,
		                      false));
		if (t->attributes & (TA_CROSS_ORG_ENABLE_TGT_DELEGATION |
		                     TA_CROSS_ORG_NO_TGT_DELEGATION))
			sbuf_addf(o, "    tgt_delegation: %s\n",
			          yn(t->attributes,
			             TA_CROSS_ORG_ENABLE_TGT_DELEGATION,
			             false));
		sbuf_addf(o, "    auth_target_validation: %s\n",
		          yn(t->attributes, TA_DISABLE_AUTH_TARGET_VALIDATION,
		             true));
		if (forest)
			sbuf_addf(o, "    pim: %s\n",
			          yn(t->attributes, TA_PIM_TRUST, false));
	}
	if (realm)
		sbuf_addf(o, "    uses_rc4: %s\n",
		          yn(t->attributes, TA_USES_RC4_ENCRYPTION, false));
	sbuf_addf(o, "    uplevel_only: %s\n    uses_aes: %s\n",
	          yn(t->attributes, TA_UPLEVEL_ONLY, false),
	          yn(t->attributes, TA_USES_AES_KEYS, false));
	if (t->has_enctypes) {
		sbuf_adds(o, "    encryption: [");
		for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++)
			if (t->enctypes & encs[i].bit) {
				sbuf_addf(o, "%s%s", first ? "" : ", ",
				          encs[i].name);
				first = false;
			}
		sbuf_adds(o, "]\n");
	}
	if (forest && out && t->has_fti) {
		sbuf_adds(o, "    name_suffixes:\n      enable: [");
		names(o, "enable", &t->fti, FTI_TLN, false);
		sbuf_adds(o, "]\n      disable: [");
		names(o, "disable", &t->fti, FTI_TLN, true);
		sbuf_adds(o, "]\n      exclude: [");
		names(o, "exclude", &t->fti, FTI_TLN_EX, false);
		sbuf_adds(o, "]\n      unlisted: keep\n");
	}
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"domain", required_argument, NULL, 'd'},
	        {"file", required_argument, NULL, 'f'},
	        {"snapshot", required_argument, NULL, 's'},
	        {"out", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *domain = NULL, *file = NULL, *out = NULL;
	struct prov_cfg cfg = {0};
	struct model empty = {.version = 1};
	struct model *m = NULL;
	struct model_state st;
	const struct model_domain_state *d;
	const struct model_domain *conn = NULL;
	const struct model_credential *cred = NULL;
	struct prov *p = NULL;
	struct diags dg;
	struct sbuf o;
	struct err err;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "d:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			domain = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 's':
			cfg.snapshot_dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: adtrust export --domain NAME [-f FILE | "
			       "--snapshot DIR] [-o OUT]\n");
			return 0;
		default:
			return cmd_usage("export", "unknown option");
		}
	}
	if (domain == NULL || optind < argc)
		return cmd_usage("export", "--domain NAME is required");
	if (file == NULL && cfg.snapshot_dir == NULL)
		return cmd_usage("export",
		                 "give -f FILE (how to reach the domain) or "
		                 "--snapshot DIR");
	err_init(&err);
	diags_init(&dg);
	sbuf_init(&o);
	model_state_init(&st);
	if (file != NULL) {
		rc = model_load_file(&m, file, &dg, &err);
		for (size_t i = 0; i < dg.n; i++)
			err_print(&dg.v[i], stderr);
		if (rc < 0)
			goto fail;
		if ((conn = model_domain_find(m, domain)) == NULL) {
			err_set(&err, ERR_INVALID, "'%s' does not declare '%s'",
			        file, domain);
			goto fail;
		}
		if (conn->credentials != NULL)
			cred = model_cred_find(m, conn->credentials);
	}
	cfg.model = m != NULL ? m : &empty;
	rc = prov_open(&p,
	               cfg.snapshot_dir ? &prov_snapshot_ops : &prov_ldap_ops,
	               &cfg, &err);
	if (rc < 0 || (rc = prov_read(p, &domain, 1, &st, &err)) < 0)
		goto fail;
	d = &st.domains[0];
	sbuf_addf(&o,
	          "# adtrust export --domain %s: the live trusts of %s\n"
	          "version: 1\ndomains:\n",
	          domain, d->name);
	domain_yaml(&o, d->name, d->netbios, d->sid,
	            conn != NULL && conn->kind == MODEL_KIND_MIT_REALM, conn);
	for (size_t i = 0; i < d->n_tdos; i++)
		domain_yaml(&o, d->tdos[i].partner, d->tdos[i].flat_name,
		            d->tdos[i].sid,
		            d->tdos[i].type == TDO_TYPE_MIT &&
		                    !d->tdos[i].realm_side,
		            NULL);
	if (cred != NULL) {
		sbuf_addf(&o, "credentials:\n  - name: %s\n    method: %s\n",
		          cred->name,
		          cred->method == MODEL_CRED_PASSWORD ? "password"
		          : cred->method == MODEL_CRED_KEYTAB ? "keytab"
		                                              : "kerberos");
		if (cred->keytab != NULL)
			sbuf_addf(&o, "    keytab: %s\n", cred->keytab);
		if (cred->user != NULL)
			sbuf_addf(&o, "    user: %s\n", cred->user);
		if (cred->password != NULL) {
			sbuf_adds(&o, "    password: ");
			secret_yaml(&o, cred->password);
			sbuf_adds(&o, "\n");
		}
		if (cred->ccache != NULL)
			sbuf_addf(&o, "    ccache: %s\n", cred->ccache);
	}
	sbuf_adds(&o, d->n_tdos ? "trusts:\n" : "trusts: []\n");
	for (size_t i = 0; i < d->n_tdos; i++)
		trust_yaml(&o, d, &d->tdos[i]);
	if (out != NULL)
		rc = cmd_write_file(out, o.buf, o.len, 0644, &err);
	else
		rc = fwrite(o.buf, 1, o.len, stdout) == o.len ? 0 : -1;
	if (rc < 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	if (err.msg[0] != '\0')
		cmd_error(&err);
	rc = 1;
done:
	prov_close(p);
	model_state_release(&st);
	model_free(m);
	diags_release(&dg);
	sbuf_release(&o);
	return rc;
}
