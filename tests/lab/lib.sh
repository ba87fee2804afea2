# Shared helpers for the lab tests tests/lab/t_*.sh (bash). Start a test with:
#   #!/bin/bash
#   set -euo pipefail
#   . "$(dirname "$0")/lib.sh"
# Exit codes: 0 pass, 1 fail (fail/assert_*), 77 skip (skip/require_adtrust).
# run.sh provides ADTRUST / ADTRUST_LSA and resets the lab to "no trusts" before each test.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

TEST_NAME=$(basename "$0" .sh)
mkdir -p "$LAB/tmp"
TEST_TMP=$(mktemp -d "$LAB/tmp/$TEST_NAME.XXXXXX"); export TEST_TMP
trap 'rm -rf "$TEST_TMP"' EXIT
export KRB5CCNAME=FILE:$TEST_TMP/krb5cc     # private ccache per test (kinit_as switches it)

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
step() { echo "--- $*"; }

# assert_ok CMD...: CMD (command or shell function) must exit 0. Its output is kept in $OUT and
# printed on failure. assert_fails: must exit non-zero. assert_rc N CMD...: must exit N.
# CMD runs in a subshell: variables it sets/exports (e.g. kinit_as's KRB5CCNAME) do not stick.
assert_rc() {
  local want=$1 rc=0; shift
  OUT=$("$@" 2>&1) || rc=$?
  [ "$rc" = "$want" ] || fail "expected exit $want, got $rc: $*"$'\n'"$OUT"
}
assert_ok() { assert_rc 0 "$@"; }
assert_fails() {
  local rc=0; OUT=$("$@" 2>&1) || rc=$?
  [ "$rc" != 0 ] || fail "expected failure, but it succeeded: $*"$'\n'"$OUT"
}
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$1', got '$2'"; }
assert_contains() { # HAYSTACK NEEDLE [MSG]
  case $1 in *"$2"*) ;; *) fail "${3:-missing text}: '$2' not found in:"$'\n'"$1" ;; esac
}
assert_not_contains() {
  case $1 in *"$2"*) fail "${3:-unexpected text}: '$2' found in:"$'\n'"$1" ;; esac
}

# with_timeout SECS CMD...: like timeout(1), but CMD may also be a shell function. 124 = timed out.
with_timeout() {
  local secs=$1 rc=0; shift
  if [ "$(type -t "$1")" = function ]; then
    timeout -k 5 "$secs" bash -c "$(declare -f); \"\$@\"" with_timeout "$@" || rc=$?
  else
    timeout -k 5 "$secs" "$@" || rc=$?
  fi
  [ $rc = 124 ] && echo "TIMEOUT after ${secs}s: $*" >&2
  return $rc
}

# adt ARGS...: run adtrust inside the lab netns (env: KRB5_CONFIG, KRB5CCNAME, ADT_LAB_ADMINPASS,
# LDAPTLS_REQCERT...). Time limit ADT_TIMEOUT (default 120 s).
require_adtrust() { [ -x "${ADTRUST:-}" ] || skip "adtrust binary not built: ${ADTRUST:-ADTRUST unset}"; }
adt() {
  [ -x "${ADTRUST:-}" ] || fail "ADTRUST is not an executable: '${ADTRUST:-}'"
  with_timeout "${ADT_TIMEOUT:-120}" ip netns exec "$NETNS" "$ADTRUST" "$@"
}

# kinit_as A|B [USER [PASSWORD]]: TGT in realm A or B (password via stdin) into a per-realm ccache,
# which becomes the current one (KRB5CCNAME). Default: administrator / $ADT_LAB_ADMINPASS.
kinit_as() {
  local realm; eval "realm=\$${1}_REALM"
  [ -n "$realm" ] || fail "kinit_as: realm must be A or B, got '$1'"
  export KRB5CCNAME=FILE:$TEST_TMP/krb5cc.$1
  printf '%s\n' "${3:-$ADT_LAB_ADMINPASS}" | nsx kinit "${2:-administrator}@$realm" >/dev/null
}

# ldap_gssapi A|B TOOL ARGS...: ldapsearch/ldapmodify/... against DC A|B with the current ccache
# (plain ldap:// + SASL sign/seal, as Samba requires). ldap_simple (env.sh): simple bind + StartTLS.
ldap_gssapi() {
  local x=$1 tool=$2 fqdn; shift 2; eval "fqdn=\$${x}_FQDN"
  nsx "$tool" -Q -Y GSSAPI -H "ldap://$fqdn" "$@"
}
