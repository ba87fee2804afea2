#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_30: GitOps and drift against the Samba lab: a saved plan refused after a
# change made with samba-tool between plan and apply (the moved object
# named), applied unchanged it succeeds; drift is read-only (the LSA helper
# never starts), exits 2 naming the field after an out-of-band change, 0
# with an ignore rule in force, 2 with the rule expired; drift vs pending in
# the four combinations; the apply lock names its holder and a stale lock is
# taken over; a desired state from git records the applied commit as a ref;
# no secret in any plan file, JSON or metrics.
# Usage: t_30_gitops.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_30
. "$(dirname "$0")/adt.sh" "$@"
mkdir -p "$T/state"
export ADTRUST_STATE_DIR=$T/state
enctypes_A() { stA domain trust modify b.test --raw-kerb-enctypes="$1" >/dev/null 2>&1; }
Y=$T/ext.yaml
cp examples/lab/external-two-way.yaml "$Y"

lab_reset
adt 0 apply --auto-approve -f "$Y" || bad "initial apply"

# ---- drift: read-only, field named, ignore rules ----
cat >"$T/no-helper" <<W
#!/bin/sh
touch "$T/helper-started"; exit 1
W
chmod +x "$T/no-helper"
if ADTRUST_LSA=$T/no-helper adt 0 drift -f "$Y" && has "^No drift" && [ ! -e "$T/helper-started" ]; then
	ok "drift after apply: no drift, and the LSA helper never started"; else bad "drift read-only/no drift"; fi
enctypes_A 0x10
if ADTRUST_LSA=$T/no-helper adt 2 drift -f "$Y" && has "a.test/b.test encryption: live 0x10 (aes256), applied 0x18" &&
   ! has "^Pending" && [ ! -e "$T/helper-started" ]; then ok "samba-tool change: drift exits 2 naming the field (drift only)"; else bad "drift only"; fi
cp "$Y" "$T/ext.orig"
printf '    ignore:\n      - { field: encryption, side: a.test, until: 2099-12-31, reason: "CHG-77 test" }\n' >>"$Y"
if adt 0 drift -f "$Y" && has "CHG-77"; then ok "an ignore rule in force: exit 0"; else bad "ignore in force"; fi
sed -i 's/2099-12-31/2026-01-01/' "$Y"
if adt 2 drift -f "$Y" && has "expired on 2026-01-01" && has "encryption"; then ok "the rule expired: exit 2 and says so"; else bad "expired rule"; fi
cp "$T/ext.orig" "$Y"
sed -i 's/sid_filtering: true/sid_filtering: true\n    protect: false/' "$Y"
if adt 2 drift -f "$Y" --json --metrics "$T/m.prom" && jq -e '.drift and (.pending|not)' "$T/out" >/dev/null &&
   grep -q 'adtrust_drift_fields{domain="a.test",partner="b.test"} 1' "$T/m.prom"; then
	ok "drift only (the file changed without effect): JSON and metrics"; else bad "drift json/metrics"; fi
sed -i 's/encryption: \[aes128, aes256\]/encryption: [aes128]/' "$Y"
if adt 2 drift -f "$Y" && has "^Drift" && has "^Pending" && has "b.test/a.test encryption"; then
	ok "drift and pending both"; else bad "drift+pending"; fi
enctypes_A 0x18
if adt 2 drift -f "$Y" && ! has "^Drift" && has "^Pending"; then ok "pending only"; else bad "pending only"; fi
cp "$T/ext.orig" "$Y"
if adt 0 drift -f "$Y" && has "^No drift"; then ok "neither"; else bad "neither"; fi

# ---- saved plans refuse to go stale ----
sed -i 's/encryption: \[aes128, aes256\]/encryption: [aes256]/' "$Y"
adt 2 plan --detailed-exitcode -f "$Y" -o "$T/p.json" || bad "plan -o"
enctypes_A 0x1c
if adt 1 apply --auto-approve "$T/p.json" && has "moved: a.test/b.test: changed since the plan" &&
   has "nothing was applied"; then ok "a saved plan is refused after samba-tool changed the trust (moved object named)"; else bad "stale plan"; fi
enctypes_A 0x18
adt 2 plan --detailed-exitcode -f "$Y" -o "$T/p.json" || bad "plan -o again"
if [ "$(stat -c %a "$T/p.json")" = 600 ] && adt 0 apply --auto-approve "$T/p.json" && has "Apply complete" &&
   adt 0 plan --detailed-exitcode -f "$Y"; then ok "the saved plan applied unchanged succeeds and converges"; else bad "saved plan apply"; fi
if adt 0 show --json "$T/p.json" && jq -e '.no_op == false' "$T/out" >/dev/null; then ok "show --json of the saved plan"; else bad "show"; fi

# ---- locks ----
sed -i 's/encryption: \[aes256\]/encryption: [aes128, aes256]/' "$Y"
( exec 8>"$T/state/lock-a.test"; flock 8; printf 'host=%s pid=%s started=2026-11-21T00:00:00Z\n' "$(hostname)" "$BASHPID" >&8; sleep 20 ) &
holder=$!
sleep 1
if adt 1 apply --auto-approve --lock-timeout 2 -f "$Y" && has "domain 'a.test' is locked by another apply (host=" &&
   has "pid=$holder"; then ok "a second apply waits, then refuses naming the holder"; else bad "lock holder"; fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
printf 'host=%s pid=%s started=2026-11-21T00:00:00Z\n' "$(hostname)" "$holder" >"$T/state/lock-a.test"
if adt 0 apply --auto-approve --lock-timeout 2 -f "$Y" && has "left by a process that is gone" && has "Apply complete"; then
	ok "a stale lock of a dead process is detected and taken over"; else bad "stale lock"; fi

# ---- desired state from git: the applied commit is recorded ----
R=$T/repo
git init -q -b main "$R" && cp "$Y" "$R/trusts.yaml" && git -C "$R" add trusts.yaml &&
	git -C "$R" -c user.name=t -c user.email=t@t commit -qm one
sed -i 's/encryption: \[aes128, aes256\]/encryption: [aes256]/' "$R/trusts.yaml"
git -C "$R" -c user.name=t -c user.email=t@t commit -qam two
if adt 2 plan --detailed-exitcode -f "git:$R@HEAD:trusts.yaml" && has "encryption: 0x18 (aes128, aes256) -> 0x10 (aes256)" &&
   adt 0 plan --detailed-exitcode -f "git:$R@HEAD~1:trusts.yaml"; then ok "plans from HEAD and HEAD~1 differ as expected"; else bad "git plans"; fi
if adt 0 apply --auto-approve -f "git:$R@HEAD:trusts.yaml" &&
   [ "$(git -C "$R" rev-parse refs/adtrust/applied/trusts.yaml 2>/dev/null)" = "$(git -C "$R" rev-parse HEAD)" ]; then
	ok "apply from git records refs/adtrust/applied/trusts.yaml"; else bad "applied ref"; fi
if adt 0 drift -f "git:$R@HEAD:trusts.yaml" && has "^No drift" &&
   adt 2 drift -f "git:$R@HEAD~1:trusts.yaml" && has "^Pending"; then ok "drift from git uses the applied ref"; else bad "git drift"; fi

# ---- no secret anywhere ----
if ! grep -rqF -e "$ADT_LAB_ADMINPASS" "$T" 2>/dev/null; then ok "no secret in plan files, JSON, metrics or state"; else bad "secret leaked"; fi
lab_reset
adt_done
