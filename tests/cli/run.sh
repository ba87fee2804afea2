#!/bin/bash
# CLI tests of the adtrust binary given as $1 (no servers needed): exit
# codes, validate positions, plan text/JSON, golden plans, colour, and that
# no secret value ever reaches an output.  Prints "N passed, N failed".
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
export ADTRUST_TODAY=2026-11-21
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
# run NAME WANT_EXIT cmd...: stdout -> $T/out, stderr -> $T/err
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'Sanitizer' "$T/err"; then ko "$name (sanitizer report)"; return 1; fi
	if [ "$rc" -ne "$want" ]; then echo "    exit $rc, want $want"; ko "$name"; return 1; fi
	return 0
}

# --- validate ---
for f in examples/*.yaml examples/netdom/*.yaml examples/lab/*.yaml; do
	[ -f "$f" ] || continue
	run "validate $f" 0 "$ADT" validate -f "$f" && ok "validate $f"
done
if run "validate many-mistakes" 1 "$ADT" validate -f tests/data/yaml/many-mistakes.yaml; then
	n=$(grep -cE '^tests/data/yaml/many-mistakes.yaml:[0-9]+:[0-9]+: ' "$T/err")
	if [ "$n" -eq 8 ] && [ "$(wc -l <"$T/err")" -eq 8 ] &&
	   grep -q ':7:5: unknown key .netbois.' "$T/err" &&
	   grep -q ':13:15: .credentials\[0\].password. must not hold a secret' "$T/err" &&
	   ! grep -q hunter2 "$T/err"; then
		ok "validate reports one line per mistake at its position"
	else
		ko "validate reports one line per mistake at its position"
	fi
fi
if run "usage error" 64 "$ADT" plan --bogus; then ok "usage error exits 64"; else ko "usage error exits 64"; fi
if run "unknown verb" 64 "$ADT" frobnicate; then ok "unknown verb exits 64"; else ko "unknown verb exits 64"; fi
if run "missing file" 1 "$ADT" plan -f /nonexistent.yaml --snapshot examples/snapshots/demo &&
	grep -q "cannot open '/nonexistent.yaml'" "$T/err"; then ok "missing file is a one-line error"; else ko "missing file is a one-line error"; fi

# --- plan ---
if run "plan demo" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo &&
	grep -q '^Plan: 2 to create, 1 to update, 0 to replace, 1 to delete (1 blocked by protect).$' "$T/out"; then ok "plan demo summary"; else ko "plan demo summary"; fi
# a reviewer's plan: sides under their trust at file:line, YAML names with
# the raw value as a note, secret sources, unchanged trusts in one line
if run "plan demo reviewable" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo &&
   grep -q '^examples/demo.yaml:50: trust between engineering.contoso.com and marketing.contoso.com$' "$T/out" &&
   grep -q '^      + sid_filtering: true  (trustAttributes 0x4 QUARANTINED_DOMAIN)$' "$T/out" &&
   grep -q '^      + encryption: \[aes128, aes256\]  (msDS-SupportedEncryptionTypes 0x18)$' "$T/out" &&
   grep -q '^      # new trust password: generated at apply' "$T/out" &&
   grep -q '^  = 2 unchanged sides of 1 trust (--show-unchanged lists them)$' "$T/out" &&
   ! grep -q 'trusts\[' "$T/out" && [ "$(grep -c '= no-op' "$T/out")" = 1 ]; then
	ok "plan: trusts at file:line, YAML names, secret sources, unchanged in one line"; else ko "plan: trusts at file:line, YAML names, secret sources, unchanged in one line"; fi
if run "plan --show-unchanged" 0 "$ADT" plan --show-unchanged -f examples/demo.yaml --snapshot examples/snapshots/demo &&
   [ "$(grep -c '= no-op' "$T/out")" = 3 ] && grep -q '^examples/demo.yaml:66: trust between' "$T/out" &&
   ! grep -q 'unchanged sides' "$T/out"; then ok "plan --show-unchanged lists each unchanged side under its trust"; else ko "plan --show-unchanged lists each unchanged side under its trust"; fi
if MKT_ADMIN_PASSWORD=s3cret-value ENG_MKT_TRUST_PW=s3cret-value run "plan secret source" 0 "$ADT" plan \
	-f examples/netdom/wizard-this-side.yaml --snapshot examples/snapshots/wizard-this-side &&
   grep -q '# new trust password: from {env: ENG_MKT_TRUST_PW}$' "$T/out" && ! grep -q s3cret "$T/out"; then
	ok "plan names a secret's source, never its value"; else ko "plan names a secret's source, never its value"; fi
if run "plan demo detailed" 2 "$ADT" plan --detailed-exitcode -f examples/demo.yaml \
	--snapshot examples/snapshots/demo; then ok "plan --detailed-exitcode exits 2 on changes"; else ko "plan --detailed-exitcode exits 2 on changes"; fi
if run "plan noop detailed" 0 "$ADT" plan --detailed-exitcode -f examples/netdom/realm-inbound.yaml \
	--snapshot examples/snapshots/realm-inbound && grep -q '^No changes' "$T/out"; then ok "plan --detailed-exitcode exits 0 without changes"; else ko "plan --detailed-exitcode exits 0 without changes"; fi
if run "plan json" 0 "$ADT" plan --json -f examples/demo.yaml --snapshot examples/snapshots/demo &&
   jq -e '.format_version == "1" and .no_op == false and (.desired.sha256 | length) == 64
	  and ([.changes[] | select(.action == "delete" and .blocked)] | length) == 1
	  and ([.changes[] | .address] | length) == 7' "$T/out" >/dev/null; then
	ok "plan --json parses with jq and has the expected content"
else
	ko "plan --json parses with jq and has the expected content"
fi
if run "plan -o" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo -o "$T/plan.json" &&
	[ "$(stat -c %a "$T/plan.json")" = 600 ] && jq -e . "$T/plan.json" >/dev/null; then ok "plan -o writes a mode 0600 JSON plan"; else ko "plan -o writes a mode 0600 JSON plan"; fi
if run "allow-destroy" 0 "$ADT" plan --allow-destroy -f examples/demo.yaml --snapshot examples/snapshots/demo &&
	! grep -q 'blocked' "$T/out"; then ok "--allow-destroy unblocks the protected delete"; else ko "--allow-destroy unblocks the protected delete"; fi
if run "missing snapshot" 1 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/one-way &&
	grep -q "no snapshot of domain '[a-z.-]*' in examples/snapshots/one-way" "$T/err"; then ok "a domain missing from the snapshot is named"; else ko "a domain missing from the snapshot is named"; fi

# --- colour ---
if command -v script >/dev/null; then
	script -qec "$ADT plan -f examples/demo.yaml --snapshot examples/snapshots/demo" /dev/null >"$T/tty" 2>&1
	NO_COLOR=1 script -qec "$ADT plan -f examples/demo.yaml --snapshot examples/snapshots/demo" /dev/null >"$T/tty-nc" 2>&1
	if grep -q $'\033\[' "$T/tty" && ! grep -q $'\033\[' "$T/tty-nc" &&
	   ! grep -q $'\033\[' <("$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo); then
		ok "colour only on a terminal and never with NO_COLOR"
	else
		ko "colour only on a terminal and never with NO_COLOR"
	fi
fi

# --- golden plans: examples/netdom/<case>.yaml against examples/snapshots/<case> ---
for y in examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	[ -d "examples/snapshots/$c" ] || continue
	for fmt in txt json; do
		flag=; [ $fmt = json ] && flag=--json
		"$ADT" plan $flag -f "$y" --snapshot "examples/snapshots/$c" >"$T/g" 2>"$T/err"
		# the absolute path depends on the checkout
		[ $fmt = json ] && jq 'del(.desired.abspath) | .adtrust_version = "VERSION"' "$T/g" >"$T/g2" && mv "$T/g2" "$T/g"
		if diff -u "tests/golden/$c.plan.$fmt" "$T/g" >"$T/err"; then
			ok "golden $c.plan.$fmt"
		else
			ko "golden $c.plan.$fmt (make check-update regenerates; review the diff)"
		fi
	done
done

# --- export | validate | plan round-trips to no changes, for every snapshot domain ---
for dir in examples/snapshots/*/; do
	for f in "$dir"*.ldif; do
		[ -f "$f" ] || continue
		dom=$(sed -n 's/^dnsRoot: //p' "$f" | head -1)
		[ -n "$dom" ] || continue
		if run "export $dom" 0 "$ADT" export --domain "$dom" --snapshot "$dir" -o "$T/exp.yaml" &&
		   run "validate export $dom" 0 "$ADT" validate -f "$T/exp.yaml" &&
		   run "plan export $dom" 0 "$ADT" plan --detailed-exitcode -f "$T/exp.yaml" --snapshot "$dir"; then
			ok "export $dom ($dir) validates and plans to no changes"
		fi
		# --json: the same trusts (pairs and settings) as the YAML
		if run "export --json $dom" 0 "$ADT" export --json --domain "$dom" --snapshot "$dir" &&
		   jq -e '.format_version == "1" and (.trusts | type) == "array"' "$T/out" >/dev/null &&
		   [ "$(jq -c '[.trusts[] | [.trusting, .trusted, .type, .settings]]' "$T/out")" = \
		     "$(python3 -c '
import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
keys = ("trusting", "trusted", "direction", "type", "sides", "password", "encryption", "name_suffixes")
print(json.dumps([[t["trusting"], t["trusted"], t["type"], {k: v for k, v in t.items() if k not in keys}]
	for t in d["trusts"] or []], separators=(",", ":")))' "$T/exp.yaml")" ]; then
			ok "export --json $dom ($dir) has the YAML export's trusts and settings"
		else
			ko "export --json $dom ($dir) has the YAML export's trusts and settings"
		fi
	done
done

# --- drift: the four combinations of drift and pending, ignore rules, metrics ---
D=$T/drift; mkdir -p "$D/state" "$D/s1"
cp examples/netdom/realm-inbound.yaml "$D/trusts.yaml"
cp examples/snapshots/realm-inbound/*.ldif "$D/s1/"
sed -i 's/^msDS-SupportedEncryptionTypes: 24$/msDS-SupportedEncryptionTypes: 16/' "$D/s1/northamerica.ldif"
S0=examples/snapshots/realm-inbound
key=$(printf %s "$(realpath "$D/trusts.yaml")" | sha256sum | cut -c1-16)
applied() { cp "$1" "$D/state/applied-$key.yaml"; }
drift() { run "drift $*" "$1" "$ADT" drift --state-dir "$D/state" -f "$D/trusts.yaml" "${@:2}"; }
cp "$D/trusts.yaml" "$D/A.yaml"
if drift 2 --snapshot "$D/s1" && grep -q '^No apply of this file is recorded' "$T/out" && grep -q 'encryption' "$T/out"; then
	ok "drift without a recorded apply compares with the file"; fi
applied "$D/A.yaml"
if drift 0 --snapshot "$S0" && grep -q '^No drift' "$T/out"; then ok "drift: neither drift nor pending -> exit 0"; else ko "drift: neither drift nor pending -> exit 0"; fi
if drift 2 --snapshot "$D/s1" && grep -q '^Drift' "$T/out" && grep -q 'encryption: live 0x10 (aes256), applied 0x18' "$T/out" &&
   ! grep -q '^Pending' "$T/out"; then ok "drift: drift only -> exit 2, names the field"; fi
sed -i 's/encryption: \[aes128, aes256\]/encryption: [aes256]/' "$D/trusts.yaml"
if drift 2 --snapshot "$S0" && grep -q '^Pending' "$T/out" && ! grep -q '^Drift' "$T/out"; then
	ok "drift: pending only -> exit 2"; fi
sed -i 's/transitive: false/transitive: true/' "$D/trusts.yaml"
if drift 2 --snapshot "$D/s1" && grep -q '^Drift' "$T/out" && grep -q '^Pending' "$T/out" &&
   grep -q 'transitive' "$T/out"; then ok "drift: drift and pending both reported"; fi
cp "$D/A.yaml" "$D/trusts.yaml"
printf '    ignore:\n      - { field: encryption, until: 2099-01-01, reason: "CHG-42" }\n' >>"$D/trusts.yaml"
if drift 0 --snapshot "$D/s1" && grep -q 'CHG-42' "$T/out"; then ok "drift: an ignore rule in force silences its field (exit 0)"; else ko "drift: an ignore rule in force silences its field (exit 0)"; fi
sed -i 's/2099-01-01/2026-01-01/' "$D/trusts.yaml"
if drift 2 --snapshot "$D/s1" && grep -q 'expired on 2026-01-01' "$T/out" && grep -q 'encryption' "$T/out"; then
	ok "drift: an expired ignore rule is reported and its field drifts"; fi
if drift 2 --snapshot "$D/s1" --json --metrics "$D/m.prom" &&
   jq -e '.drift == true and .pending == false and (.drift_changes[0].field == "encryption")
	  and (.expired_ignore_rules | length) == 1' "$T/out" >/dev/null &&
   grep -q '^adtrust_drift_fields{domain="northamerica.contoso.com",partner="ATHENA.MIT.EDU"} 1$' "$D/m.prom" &&
   grep -q '^adtrust_drift_check_success 1$' "$D/m.prom" &&
   grep -q '^adtrust_drift_last_success_timestamp_seconds [0-9]' "$D/m.prom" &&
   [ -z "$(ls "$D" | grep '\.tmp\.')" ]; then ok "drift --json and --metrics (atomic, Prometheus text)"; fi
if drift 1 --snapshot "$D/nonexistent" --metrics "$D/m.prom" &&
   grep -q '^adtrust_drift_check_success 0$' "$D/m.prom" &&
   ! grep -q '^adtrust_drift_last_success_timestamp_seconds 0$' "$D/m.prom"; then
	ok "drift error: exit 1, metrics keep the last success time"; fi

# --- saved plans ---
run "plan -o saved" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo -o "$T/saved.json"
if run "show --json" 0 "$ADT" show --json "$T/saved.json" && diff -q "$T/out" "$T/saved.json" >/dev/null &&
   jq -e '.no_op == false' "$T/out" >/dev/null; then ok "show --json renders a saved plan identically"; fi
if run "show" 0 "$ADT" show "$T/saved.json" && grep -q '^Plan: 2 to create' "$T/out" &&
   grep -q '^examples/demo.yaml:50: trust between' "$T/out" && grep -q '# new trust password: generated' "$T/out"; then
	ok "show renders the text plan (file:line and secret sources from the saved plan)"; else ko "show renders the text plan"; fi
if run "show --show-unchanged" 0 "$ADT" show --show-unchanged "$T/saved.json" && [ "$(grep -c '= no-op' "$T/out")" = 3 ]; then
	ok "show --show-unchanged"; else ko "show --show-unchanged"; fi
# a saved plan of format 1 from before line/secret existed still shows and loads
jq 'del(.changes[].line, .changes[].secret)' "$T/saved.json" >"$T/old1.json" && chmod 600 "$T/old1.json"
if run "show old format 1" 0 "$ADT" show "$T/old1.json" && grep -q '^trusts\[0\]: trust between' "$T/out"; then
	ok "a format-1 plan without line/secret still shows (YAML path instead of file:line)"; else ko "a format-1 plan without line/secret still shows"; fi
if run "apply snapshot plan" 1 "$ADT" apply --auto-approve "$T/saved.json" && grep -q 'planned against the snapshot' "$T/err"; then
	ok "a plan made from a snapshot is refused by apply"; fi
jq '.desired.text |= sub("aes128, aes256"; "rc4")' "$T/saved.json" >"$T/tampered.json"
jq '.desired.snapshot = null' "$T/tampered.json" >"$T/t2.json"
if run "apply tampered" 1 "$ADT" apply --auto-approve "$T/t2.json" && grep -q 'does not match its recorded sha256' "$T/err"; then
	ok "a saved plan whose desired state was altered is refused"; fi
if run "apply needs tty or auto-approve" 64 "$ADT" apply -f examples/demo.yaml; then ok "apply without a terminal needs --auto-approve (64)"; else ko "apply without a terminal needs --auto-approve (64)"; fi

# --- desired state from git ---
G=$T/git; git init -q -b main "$G/work"
cp examples/demo.yaml "$G/work/trusts.yaml"
git -C "$G/work" add trusts.yaml && git -C "$G/work" -c user.name=t -c user.email=t@t commit -qm one
sed -i 's/encryption: \[aes256\]/encryption: [aes128, aes256]/' "$G/work/trusts.yaml"
git -C "$G/work" -c user.name=t -c user.email=t@t commit -qam two
git clone -q --bare "$G/work" "$G/bare.git"
head=$(git -C "$G/work" rev-parse HEAD)
if run "git HEAD" 0 "$ADT" plan --json -f "git:$G/work@HEAD:trusts.yaml" --snapshot examples/snapshots/demo &&
   jq -e --arg c "$head" '.desired.git_commit == $c and .desired.git_dirty == false and .summary.update == 3' "$T/out" >/dev/null &&
   run "git HEAD~1" 0 "$ADT" plan --json -f "git:$G/work@HEAD~1:trusts.yaml" --snapshot examples/snapshots/demo &&
   jq -e '.summary.update == 1' "$T/out" >/dev/null; then ok "plans from HEAD and HEAD~1 differ as expected"; fi
if run "git bare" 0 "$ADT" plan --git-dir "$G/bare.git" --rev main -f trusts.yaml --snapshot examples/snapshots/demo &&
   grep -q 'at commit' "$T/out"; then ok "a bare repository works (--git-dir/--rev)"; fi
echo "# edited" >>"$G/work/trusts.yaml"
if run "git dirty" 0 "$ADT" plan --json -f "git:$G/work@HEAD:trusts.yaml" --snapshot examples/snapshots/demo &&
   jq -e '.desired.git_dirty == true' "$T/out" >/dev/null; then ok "the plan records that the work tree differs"; fi
if run "git bad rev" 1 "$ADT" validate -f "git:$G/work@nosuchref:trusts.yaml" && grep -q "nosuchref" "$T/err"; then ok "an unknown revision is a one-line error"; else ko "an unknown revision is a one-line error"; fi

# --- secrets never reach an output ---
S1='Zq9-MktAdmin-7f3a1c' S2='Zq9-TrustPw-0b8e44' S3='Zq9-Athena-c1d2e3'
export MKT_ADMIN_PASSWORD=$S1 ENG_MKT_TRUST_PW=$S2 ATHENA_TRUST_PASSWORD=$S3
: >"$T/all"
for y in examples/*.yaml examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	[ -d "examples/snapshots/$c" ] || continue
	"$ADT" plan -f "$y" --snapshot "examples/snapshots/$c" -o "$T/p.json" >>"$T/all" 2>&1
	"$ADT" plan --json -f "$y" --snapshot "examples/snapshots/$c" >>"$T/all" 2>&1
	cat "$T/p.json" >>"$T/all"
done
printf 'version: 1\ncredentials:\n  - name: c\n    method: password\n    user: u@A\n    password: %s\n' "$S1" >"$T/lit.yaml"
"$ADT" validate -f "$T/lit.yaml" >>"$T/all" 2>&1
if [ -s "$T/all" ] && ! grep -qE "$S1|$S2|$S3" "$T/all"; then
	ok "no secret value in any plan text, JSON, saved plan or error"
else
	ko "no secret value in any plan text, JSON, saved plan or error"
fi

# export writes through libyaml's emitter: a value with quotes, a colon or
# a control character still makes a file that validates
mkdir -p "$T/q" && cp examples/snapshots/two-way/*.ldif "$T/q/"
qname=$(printf 'M"K'"'"': #\tX' | base64 -w0)
sed -i "s|^flatName: MARKETING\$|flatName:: $qname|" "$T/q/engineering.ldif"
if run "export quotes" 0 "$ADT" export --domain engineering.contoso.com --snapshot "$T/q" -o "$T/q.yaml" &&
	run "validate export quotes" 0 "$ADT" validate -f "$T/q.yaml" &&
	python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(0 if d["domains"][1]["netbios"] == "M\"K'"'"': #\tX" else 1)' "$T/q.yaml"; then
	ok "export escapes quotes, colons and control characters (the file validates)"
else
	ko "export escapes quotes, colons and control characters (the file validates)"
fi

# a parent-child trust is exported as what it is (AD's own), never as a shortcut
mkdir -p "$T/pc"
cat >"$T/pc/a.ldif" <<'LDIF'
dn: DC=a,DC=test
objectClass: domainDNS
objectSid:: AQQAAAAAAAUVAAAAAQAAAAEAAAABAAAA

dn: CN=c.a.test,CN=System,DC=a,DC=test
objectClass: trustedDomain
trustPartner: c.a.test
flatName: C
trustDirection: 3
trustType: 2
trustAttributes: 32
objectGUID:: URaqpDji38a+EsWKhIORxQ==
LDIF
if run "export parent-child" 0 "$ADT" export --domain a.test --snapshot "$T/pc" -o "$T/pc.yaml" &&
	! grep -q 'shortcut' "$T/pc.yaml" && grep -q '^# Not exported: the parent-child trust with c.a.test' "$T/pc.yaml" &&
	run "validate export parent-child" 0 "$ADT" validate -f "$T/pc.yaml"; then
	ok "export writes a parent-child trust as AD's own, never as type: shortcut"
else
	ko "export writes a parent-child trust as AD's own, never as type: shortcut"
fi

# --- hostile input (issue 9): a clean, positioned error, fast ---
# quick NAME WANT_EXIT cmd...: run, and fail if it takes a second or more
quick() {
	local name=$1 want=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	run "$name" "$want" timeout 10 "$@" || return 1
	t1=$(date +%s%N)
	if [ $(((t1 - t0) / 1000000)) -ge 1000 ]; then echo "    took $(((t1 - t0) / 1000000)) ms"; ko "$name"; return 1; fi
	return 0
}
python3 -c "import sys; sys.stdout.write('version: 1\ndomains: ' + '[' * 400000 + ']' * 400000 + '\n')" >"$T/deep.yaml"
if quick "deep nesting" 1 "$ADT" validate -f "$T/deep.yaml" &&
	grep -q "deep.yaml:2:73: YAML nested more than 64 levels deep" "$T/err"; then ok "deep [[[ nesting stops at the depth limit"; else ko "deep [[[ nesting stops at the depth limit"; fi
printf 'version: 1\ndomains: []\n---\nversion: 1\n' >"$T/multi.yaml"
if quick "two documents" 1 "$ADT" validate -f "$T/multi.yaml" &&
	grep -q "multi.yaml:3:1: a second YAML document" "$T/err"; then ok "a second YAML document is refused"; else ko "a second YAML document is refused"; fi
printf 'version: 1\ncredentials:\n  - name: c\n    method: password\n    user: u@A\n    password: { env: NAME hunter2 }\n' >"$T/env.yaml"
if quick "env name" 1 "$ADT" validate -f "$T/env.yaml" &&
	grep -q "env.yaml:6:22: 'credentials\[0\].password.env' must be an environment variable name" "$T/err" &&
	! grep -q hunter2 "$T/err"; then ok "{env: NAME hunter2} is refused, the value not echoed"; else ko "{env: NAME hunter2} is refused, the value not echoed"; fi
{
	printf 'version: 1\ndomains:\n  - name: a.test\n  - name: b.test\ntrusts:\n'
	for _ in $(seq 2000); do printf '  - { trusting: a.test, trusted: b.test, type: external, direction: two-way, sides: both, selective_authentication: true, sid_filtering: true }\n'; done
} >"$T/dups.yaml"
if quick "2000 duplicate trusts" 1 "$ADT" validate -f "$T/dups.yaml" &&
	[ "$(grep -c 'is declared twice (first as trusts\[0\]' "$T/err")" -eq 1999 ] &&
	grep -q '^.*dups.yaml:2005:5: trusts\[1999\]' "$T/err"; then ok "2,000 duplicate trusts ($(($(wc -c <"$T/dups.yaml") / 1024)) KB): each named, at once"; else ko "2,000 duplicate trusts: each named, at once"; fi
mkdir -p "$T/num" && printf '1\n' >"$T/num/x.ldif"
for verb in plan export; do
	if [ $verb = plan ]; then set -- plan -f examples/netdom/one-way.yaml; else set -- export --domain usa-chicago.contoso.com -f examples/netdom/one-way.yaml; fi
	if quick "numeric-line LDIF $verb" 1 "$ADT" "$@" --snapshot "$T/num" &&
		grep -q "no snapshot of domain" "$T/err"; then ok "an LDIF holding only '1' is no record ($verb)"; else ko "an LDIF holding only '1' is no record ($verb)"; fi
done
mkdir -p "$T/dir" && cp examples/snapshots/one-way/*.ldif "$T/dir/"
sed -i 's/^objectClass: trustedDomain$/&\ntrustDirection: -1/' "$T/dir/usa-chicago.ldif" 2>/dev/null
cp examples/snapshots/two-way/*.ldif "$T/dir/" && rm -f "$T/dir/usa-chicago.ldif" "$T/dir/northamerica.ldif"
awk '/^trustDirection:/ && !d {print "trustDirection: -1"; d=1; next} {print}' examples/snapshots/two-way/engineering.ldif >"$T/dir/engineering.ldif"
line=$(grep -n '^trustDirection: -1' "$T/dir/engineering.ldif" | cut -d: -f1)
if quick "trustDirection -1" 1 "$ADT" plan -f examples/netdom/two-way.yaml --snapshot "$T/dir" &&
	grep -q "engineering.ldif:$line: .*trustDirection -1 is out of range" "$T/err"; then ok "trustDirection: -1 is refused with file and line"; else ko "trustDirection: -1 is refused with file and line"; fi
# an escape sequence in a flatName must neither reach the terminal nor forge a line
forged=$(printf 'MARK\033[2J\nPlan: 0 to create, 0 to update, 0 to replace, 0 to delete.' | base64 -w0)
sed "s|^flatName: MARKETING\$|flatName:: $forged|" examples/snapshots/two-way/engineering.ldif >"$T/dir/engineering.ldif"
if run "escaped flatName" 2 "$ADT" plan --detailed-exitcode -f examples/netdom/two-way.yaml --snapshot "$T/dir" -o "$T/forged.json" &&
	! grep -q $'\033' "$T/out" && ! grep -q '^Plan: 0 to create' "$T/out" && grep -q 'MARK\\x1b\[2J\\x0aPlan: 0' "$T/out"; then ok "control characters in a flatName are escaped in the plan"; else ko "control characters in a flatName are escaped in the plan"; fi
# drift shows the same live value escaped
if run "escaped flatName drift" 2 "$ADT" drift -f examples/netdom/two-way.yaml --snapshot "$T/dir" --state-dir "$T/nostate" &&
	! grep -q $'\033' "$T/out" && ! grep -q '^Plan: 0 to create' "$T/out" && grep -q 'MARK\\x1b\[2J\\x0aPlan: 0' "$T/out"; then ok "control characters in a flatName are escaped in drift"; else ko "control characters in a flatName are escaped in drift"; fi
# a tampered saved plan must not clear the reviewer's screen and print "No changes."
if run "plan -o" 2 "$ADT" plan --detailed-exitcode -f examples/netdom/two-way.yaml --snapshot examples/snapshots/two-way -o "$T/p.json"; then
	python3 - "$T/p.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for c in p["changes"]:
    c["reason"] = "\u001b[2J\u001b[H\nNo changes. The live trusts of 2 domains match 'x'.\n"
json.dump(p, open(sys.argv[1], "w"))
PY
	if run "show tampered" 0 "$ADT" show "$T/p.json" &&
		! grep -q $'\033' "$T/out" && ! grep -q '^No changes' "$T/out"; then ok "a tampered saved plan is shown escaped"; else ko "a tampered saved plan is shown escaped"; fi
fi

# one size cap for every source: a git: blob, a saved plan, an LDIF file
mkdir -p "$T/big" && git -C "$T/big" init -q && head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$T/big/t.yaml" &&
	git -C "$T/big" add t.yaml && git -C "$T/big" -c user.name=t -c user.email=t@t commit -qm big
if quick "git blob over the cap" 1 "$ADT" validate -f "git:$T/big@HEAD:t.yaml" &&
	grep -q "'t.yaml' in commit [0-9a-f]* of .* is larger than 16777216 bytes" "$T/err"; then ok "a git: blob over 16 MiB is refused before it is read"; else ko "a git: blob over 16 MiB is refused before it is read"; fi
truncate -s $((1 << 30)) "$T/huge.json"
if quick "1 GiB saved plan" 1 "$ADT" show "$T/huge.json" && grep -q "huge.json" "$T/err"; then ok "a 1 GiB saved plan is refused without reading it"; else ko "a 1 GiB saved plan is refused without reading it"; fi
mkdir -p "$T/bigldif" && head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$T/bigldif/x.ldif"
if quick "LDIF over the cap" 1 "$ADT" plan -f examples/netdom/one-way.yaml --snapshot "$T/bigldif" &&
	grep -q "x.ldif' is larger than 16777216 bytes" "$T/err"; then ok "an LDIF file over 16 MiB is refused"; else ko "an LDIF file over 16 MiB is refused"; fi

echo
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
