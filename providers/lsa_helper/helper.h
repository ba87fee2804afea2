#ifndef ADT_PROVIDERS_LSA_HELPER_HELPER_H
#define ADT_PROVIDERS_LSA_HELPER_HELPER_H

/*
 * adtrust-lsa internals.  main.c runs the protocol loop (see
 * providers/lsa_proto.h), rpc.c makes the Samba DCE/RPC calls, authblob.c
 * builds the encrypted trust password blob, probe.c finds out why a DC
 * cannot be reached.  Only this directory includes Samba headers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <talloc.h>
#define TEVENT_DEPRECATED 1 /* tevent_loop_allow_nesting(), see rpc.c */
#include <tevent.h>
#include <util/data_blob.h>
#include <util/time.h>
#include <core/ntstatus.h>
#include <core/werror.h>
#include <ndr.h>
#include <dcerpc.h>
#include <credentials.h>
#include <param.h>
#include <gen_ndr/lsa.h>
#include <gen_ndr/netlogon.h>

struct err;
struct lsa_msg;

/*
 * samba-dev 4.17 ships neither gen_ndr/ndr_lsa.h nor ndr_netlogon.h; the
 * tables are exported by the public libndr-standard.so.0.
 */
extern const struct ndr_interface_table ndr_table_lsarpc;
extern const struct ndr_interface_table ndr_table_netlogon;

/* One connection to one DC: the whole state of the helper process. */
struct hsess {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct cli_credentials *creds;
	struct dcerpc_pipe *lsa;  /* ncacn_np, SMB encryption required */
	struct dcerpc_pipe *netr; /* opened on first NETLOGON use */
	struct policy_handle pol; /* OpenPolicy2 */
	char *server;
	char *domain; /* the DC's domain (LOGIN realm, lower case), or NULL */
	char *ccache; /* Kerberos-only login: the ccache used, else NULL */
};

/*
 * Connects to req->server (LOGIN) and opens the policy handle.  On failure
 * rep gets the NTSTATUS and err a one-line message naming the server.
 */
int h_login(struct hsess **out, const struct lsa_msg *req, struct lsa_msg *rep,
            struct err *err);
void h_close(struct hsess *s);

/* One request: fills the reply body, or rep's status and err. */
int h_info(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
           struct err *err);
int h_query_tdo(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
                struct err *err);
int h_create_tdo(struct hsess *s, const struct lsa_msg *req,
                 struct lsa_msg *rep, struct err *err);
int h_set_info_ex(struct hsess *s, const struct lsa_msg *req,
                  struct lsa_msg *rep, struct err *err);
int h_set_enctypes(struct hsess *s, const struct lsa_msg *req,
                   struct lsa_msg *rep, struct err *err);
int h_set_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
              struct err *err);
int h_query_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
                struct err *err);
int h_fetch_fti(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
                struct err *err);
int h_delete_tdo(struct hsess *s, const struct lsa_msg *req,
                 struct lsa_msg *rep, struct err *err);
int h_validate(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
               struct err *err);
int h_sc_reset(struct hsess *s, const struct lsa_msg *req, struct lsa_msg *rep,
               struct err *err);

/*
 * Before a login and after a failed connect: resolves host and tries one
 * TCP connect to port within timeout_ms.  True, with why set ("name not
 * resolved", "connection refused on port 445 (is the DC down?)",
 * "connection to port 445 timed out after 5 s (...)", "host unreachable
 * (...)"), when the host cannot be reached; false (why "") when the
 * connect succeeds.
 */
bool h_unreachable(const char *host, unsigned port, unsigned timeout_ms,
                   char *why, size_t len);

/*
 * Builds the RC4-encrypted trustDomainPasswords blob (MS-LSAD 2.2.7.16)
 * for CreateTrustedDomainEx2: the UTF-8 password as a CLEAR entry for the
 * incoming and/or outgoing direction.  The blob is allocated on mem; the
 * caller wipes it after use.  ERR_INVALID for a password that is not
 * UTF-8, ERR_BACKEND if the session key is unavailable.
 */
int h_auth_blob(TALLOC_CTX *mem, struct dcerpc_pipe *p, uint32_t direction,
                const char *password, DATA_BLOB *out, struct err *err);

#endif
