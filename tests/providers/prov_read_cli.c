/*
 * prov_read_cli: opens a read provider for a model built from argv and
 * prints the observed state as a stable text dump (for tests/lab scripts,
 * until the adtrust CLI exists).
 *
 *   prov_read_cli snapshot DIR DOMAIN...
 *   prov_read_cli ldap [-m kerberos|password|none] [-u USER] [-c CCACHE]
 *                 [-T|-N] [-t MS] DOMAIN=URI...
 *
 * -m password takes the password from $ADT_LDAP_PASSWORD (never argv);
 * -T forces StartTLS on, -N off (starttls: false, which is refused for a
 * password).  Exit 0 on success, 1 on error (printed as file:line: msg),
 * 64 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

static void
dump(const struct model_state *s)
{
	char buf[256];

	for (size_t i = 0; i < s->n_domains; i++) {
		const struct model_domain_state *d = &s->domains[i];

		printf("domain %s\n", d->name);
		printf("  netbios %s\n", d->netbios ? d->netbios : "-");
		printf("  sid %s\n", d->sid ? d->sid : "-");
		printf("  dn %s\n", d->dn ? d->dn : "-");
		printf("  forest_root %s\n",
		       d->forest_root ? d->forest_root : "-");
		printf("  vendor %s\n", d->vendor ? d->vendor : "-");
		printf("  functional_level %d\n", d->functional_level);
		printf("  source %s\n", d->source ? d->source : "-");
		printf("  tdos %zu\n", d->n_tdos);
		for (size_t j = 0; j < d->n_tdos; j++) {
			const struct model_tdo *t = &d->tdos[j];

			printf("  tdo %s\n", t->dn);
			printf("    domain %s\n", t->domain);
			printf("    partner %s\n", t->partner);
			printf("    flat_name %s\n",
			       t->flat_name ? t->flat_name : "-");
			printf("    sid %s\n", t->sid ? t->sid : "-");
			printf("    direction %u\n", (unsigned)t->direction);
			printf("    type %u\n", (unsigned)t->type);
			printf("    attributes 0x%08x\n",
			       (unsigned)t->attributes);
			printf("    attr_mask 0x%08x\n",
			       (unsigned)t->attr_mask);
			if (t->has_enctypes)
				printf("    enctypes 0x%08x\n",
				       (unsigned)t->enctypes);
			else
				printf("    enctypes -\n");
			printf("    guid %s\n", t->guid[0] ? t->guid : "-");
			if (t->has_fti) {
				printf("    fti %zu bytes, %zu records\n",
				       t->fti_len, t->fti.n);
				for (size_t k = 0; k < t->fti.n; k++) {
					const struct fti_record *r =
					        &t->fti.rec[k];

					snprintf(buf, sizeof(buf),
					         "%s flags=0x%x %s %s %s",
					         fti_type_name(r->type),
					         (unsigned)r->flags,
					         r->name ? r->name : "-",
					         r->netbios ? r->netbios : "-",
					         r->sid ? r->sid : "-");
					printf("      %s\n", buf);
				}
			} else {
				printf("    fti -\n");
			}
			printf("    digest %s\n", t->digest);
			printf("    source %s\n", t->source);
		}
	}
}

static int
usage(void)
{
	fputs("usage: prov_read_cli snapshot DIR DOMAIN...\n"
	      "       prov_read_cli ldap [-m kerberos|password|none] "
	      "[-u USER] [-c CCACHE] [-T|-N] [-t MS] DOMAIN=URI...\n",
	      stderr);
	return 64;
}

int
main(int argc, char **argv)
{
	struct model_secret secret = {0};
	struct model_credential cred = {0};
	struct model_domain *doms = NULL;
	struct model m = {0};
	struct prov_cfg cfg = {0};
	struct model_state st;
	struct prov *p = NULL;
	const struct prov_ops *ops;
	const char **names = NULL;
	char envname[] = "ADT_LDAP_PASSWORD", credname[] = "cli";
	bool starttls = true, *stls = NULL;
	size_t n;
	struct err err;
	int c, rc = 1, method = -1;

	err_init(&err);
	model_state_init(&st);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "snapshot") == 0) {
		if (argc < 4)
			return usage();
		ops = &prov_snapshot_ops;
		cfg.snapshot_dir = argv[2];
		n = (size_t)(argc - 3);
		names = xcalloc(n, sizeof(*names));
		for (size_t i = 0; i < n; i++)
			names[i] = argv[3 + i];
	} else if (strcmp(argv[1], "ldap") == 0) {
		ops = &prov_ldap_ops;
		optind = 2;
		while ((c = getopt(argc, argv, "m:u:c:TNt:")) != -1) {
			switch (c) {
			case 'm':
				if (strcmp(optarg, "kerberos") == 0)
					method = MODEL_CRED_KERBEROS;
				else if (strcmp(optarg, "password") == 0)
					method = MODEL_CRED_PASSWORD;
				else if (strcmp(optarg, "none") == 0)
					method = -1;
				else
					return usage();
				break;
			case 'u':
				cred.user = optarg;
				break;
			case 'c':
				cred.ccache = optarg;
				break;
			case 'T':
				starttls = true;
				stls = &starttls;
				break;
			case 'N':
				starttls = false;
				stls = &starttls;
				break;
			case 't':
				cfg.timeout_ms =
				        (unsigned)strtoul(optarg, NULL, 10);
				break;
			default:
				return usage();
			}
		}
		if (optind >= argc)
			return usage();
		n = (size_t)(argc - optind);
		doms = xcalloc(n, sizeof(*doms));
		names = xcalloc(n, sizeof(*names));
		for (size_t i = 0; i < n; i++) {
			char *arg = argv[optind + (int)i],
			     *eq = strchr(arg, '=');

			if (eq == NULL)
				return usage();
			*eq = '\0';
			doms[i].name = arg;
			doms[i].ldap = eq + 1;
			doms[i].starttls = stls;
			doms[i].credentials = method >= 0 ? credname : NULL;
			names[i] = arg;
		}
		if (method >= 0) {
			cred.name = credname;
			cred.method = (enum model_cred_method)method;
			secret.env = envname;
			cred.password = &secret;
			m.credentials = &cred;
			m.n_credentials = 1;
		}
		m.domains = doms;
		m.n_domains = (unsigned)n;
		cfg.model = &m;
	} else {
		return usage();
	}
	if (prov_open(&p, ops, &cfg, &err) < 0 ||
	    prov_read(p, names, n, &st, &err) < 0) {
		err_print(&err, stderr);
		goto out;
	}
	dump(&st);
	rc = fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
out:
	prov_close(p);
	model_state_release(&st);
	free(names);
	free(doms);
	return rc;
}
