#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_45: -v/--verbose against the lab.  'adtrust -v plan' logs, per DC, the
# StartTLS, the simple bind (as the user), the rootDSE, domain, crossRef
# and trustedDomain searches with entry counts and durations, and the
# domain's total; plan writes nothing, so no LSA line; stdout is the same
# as without -v.  'adtrust -v apply' adds the LSA calls through the
# helper (the write login, CreateTrustedDomainEx2 on both DCs, the read
# back, the secure-channel reset), each naming the DC, its domain, the
# partner and the duration.  A rejected bind is logged as failed, with the
# server's answer.  With the MIT realms up, plan of a realm trust logs the
# kadm5 calls to kadmind.  Never the admin password, never the trust
# password (a one-side pair with a known trust password), in any output.
# Usage: t_45_verbose.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_45
. "$(dirname "$0")/adt.sh" "$@"
. "$HERE/mit.sh"
export KRB5CCNAME=FILE:$T/krb5cc    # never the caller's ccache
export ADT_LAB_NOFLUSH=1            # adtrust resets the secure channels it changed
export ADT_LAB_TRUST_PW='Lab-only.Verbose-Trust-45'
X=examples/lab/external-two-way.yaml
MS='[0-9]+ ms'
# log RE: a line of the -v log ($T/stderr) matches RE (anchored)
log() { grep -qE "^adtrust: $1\$" "$T/stderr"; }

lab_reset

# ---- plan: LDAP steps of both DCs ----
adt 2 plan --detailed-exitcode -f "$X" && cp "$T/stdout" "$T/plain.out"
if adt 2 -v plan --detailed-exitcode -f "$X" && cmp -s "$T/stdout" "$T/plain.out"; then
	ok "-v plan: same exit code and stdout as without -v"; else bad "-v plan stdout"; fi
ldap_ok=1
for x in A B; do
	eval "fq=\$${x}_FQDN dns=\$${x}_DNSDOMAIN dn=\$${x}_DN realm=\$${x}_REALM"
	log "ldap $fq \\($dns\\): StartTLS: $MS" &&
	log "ldap $fq \\($dns\\): simple bind as administrator@$realm: $MS" &&
	log "ldap $fq \\($dns\\): search rootDSE: $MS, 1 entry" &&
	log "ldap $fq \\($dns\\): search $dn \\(objectClass=\\*\\): $MS, 1 entry" &&
	log "ldap $fq \\($dns\\): search CN=Partitions,CN=Configuration,$dn .*: $MS, 1 entry" &&
	log "ldap $fq \\($dns\\): search CN=System,$dn: $MS, 0 entries" &&
	log "ldap $fq \\($dns\\): domain read: $MS, 0 trust objects" || ldap_ok=0
done
if [ $ldap_ok = 1 ]; then ok "-v plan: every LDAP step of dca and dcb with its DC, domain, duration and entries"
else bad "-v plan LDAP lines"; cat "$T/stderr"; fi
if ! grep -q '^adtrust: lsa ' "$T/stderr" && ! grep -qv '^adtrust: ldap ' "$T/stderr"; then
	ok "-v plan: LDAP lines only (plan never starts the LSA helper)"; else bad "-v plan: other lines"; fi
if adt 2 plan -f "$X" --detailed-exitcode --verbose && log "ldap dca.a.test \\(a.test\\): search rootDSE: $MS, 1 entry"; then
	ok "--verbose after the command"; else bad "--verbose after the command"; fi

# ---- apply: LDAP, then LSA on both DCs ----
lsa_ok=1
if adt 0 -v apply --auto-approve -f "$X"; then ok "-v apply creates the two-way trust"; else bad "-v apply"; fi
for x in A B; do
	eval "fq=\$${x}_FQDN dns=\$${x}_DNSDOMAIN realm=\$${x}_REALM"
	other=$([ $x = A ] && echo b.test || echo a.test)
	log "lsa $fq \\($dns\\): login \\(SMB3 sealed, OpenPolicy2 for writing\\) as administrator@$realm: $MS" &&
	log "lsa $fq \\($dns\\): CreateTrustedDomainEx2 $other: $MS" &&
	log "lsa $fq \\($dns\\): QueryTrustedDomainInfoByName $other: $MS" &&
	log "lsa $fq \\($dns\\): LogonControl2Ex\\(REDISCOVER\\) $other: $MS" || lsa_ok=0
done
if [ $lsa_ok = 1 ]; then ok "-v apply: LSA login, CreateTrustedDomainEx2, read back and secure-channel reset on each DC, with durations"
else bad "-v apply LSA lines"; cat "$T/stderr"; fi
if log "ldap dcb.b.test \\(b.test\\): domain read: $MS, 0 trust objects"; then
	ok "-v apply: the LDAP reads before the writes too"; else bad "-v apply LDAP lines"; fi
if adt 0 -v plan --detailed-exitcode -f "$X" && log "ldap dca.a.test \\(a.test\\): search CN=System,DC=a,DC=test: $MS, 1 entry" &&
   log "ldap dca.a.test \\(a.test\\): domain read: $MS, 1 trust object"; then
	ok "-v re-plan: the new TDO counted"; else bad "-v re-plan"; fi
lab_reset

# ---- a known trust password (one side each): never logged ----
if adt 0 -v apply --auto-approve -f examples/lab/wizard-a.yaml &&
   log "lsa dca.a.test \\(a.test\\): CreateTrustedDomainEx2 b.test: $MS" &&
   adt 0 -v apply --auto-approve -f examples/lab/wizard-b.yaml &&
   log "lsa dcb.b.test \\(b.test\\): CreateTrustedDomainEx2 a.test: $MS"; then
	ok "-v apply of each side with a shared trust password"; else bad "-v wizard applies"; fi
lab_reset

# ---- a failed step says so ----
if ADT_LAB_ADMINPASS=wrong-Verbose-45 adt 1 -v plan -f "$X" &&
   log "ldap dc[ab]\\.[ab]\\.test \\([ab]\\.test\\): simple bind as administrator@[AB]\\.TEST: $MS, failed: Invalid credentials \\(49\\)"; then
	ok "-v: a rejected bind is logged as failed with the server's answer"; else bad "-v failed bind"; fi

# ---- kadm5 (the MIT realms, when up) ----
if mit_healthy; then
	if adt - -v plan -f examples/lab/realm-two-way.yaml &&
	   log "kadm5 kdc\\.athena\\.test[^ ]* \\(ATHENA\\.TEST\\): kadm5_init_with_password as [^ ]+@ATHENA\\.TEST: $MS" &&
	   log "kadm5 kdc\\.athena\\.test[^ ]* \\(ATHENA\\.TEST\\): kadm5_get_principals krbtgt/\\*: $MS"; then
		ok "-v plan of a realm trust: the kadm5 calls to kadmind"; else bad "-v kadm5 lines"; cat "$T/stderr"; fi
else
	echo "skip - MIT realms not up: no kadm5 check"
fi

# ---- no secret in any output ----
if ! grep -qF -e "$ADT_LAB_ADMINPASS" -e "$ADT_LAB_TRUST_PW" -e wrong-Verbose-45 "$T/all"; then
	ok "no admin or trust password in any output of -v"; else bad "a secret leaked"; fi

adt_done
