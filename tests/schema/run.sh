#!/bin/bash
# The JSON Schema of the desired state against `adtrust validate` ($1):
# the same verdict for every example and every broken test file
# (tests/data/yaml, where a name starting with ok- means valid) and the
# README's sample (which must be valid), adtrust
# alone stricter on the fuzz corpus only for problems across objects;
# every key of model/schema.c and of the field rows is in the schema, and every example names
# the schema for yaml-language-server.
set -uo pipefail
ADT=$(realpath "$1")
cd "$(dirname "$0")/../.."
fail=0
shopt -s nullglob globstar
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# the README's desired-state samples must be valid too
awk -v d="$T" '/^```yaml$/ {n++; on = 1; f = sprintf("%s/readme-ok-%d.yaml", d, n); next}
	/^```$/ {on = 0} on {print >f}' README.md
readme=("$T"/readme-ok-*.yaml)
[ ${#readme[@]} -gt 0 ] || { echo "FAIL no yaml sample found in README.md"; fail=1; }
for f in "${readme[@]}"; do
	"$ADT" validate -f "$f" >/dev/null 2>"$T/err" || { echo "FAIL README.md sample does not validate:"; cat "$T/err"; fail=1; }
done
python3 tests/schema/verdicts.py "$ADT" examples/*.yaml examples/netdom/*.yaml examples/lab/*.yaml \
	tests/data/yaml/**/*.yaml "${readme[@]}" || fail=1
python3 tests/schema/verdicts.py "$ADT" --loose tests/fuzz/corpus/model/* || fail=1
for f in tests/data/yaml/**/*.yaml; do
	want=1; [[ $(basename "$f") == ok-* ]] && want=0
	"$ADT" validate -q -f "$f" >/dev/null 2>&1; rc=$?
	[ "$rc" -eq "$want" ] || { echo "FAIL $f: validate exit $rc, its name says $want"; fail=1; }
done
keys=$(grep -oE 'CYAML_FIELD_[A-Z_]+\("[a-z_]+"' model/schema.c | sed -E 's/.*\("//; s/"$//' | sort -u)
# the boolean fields' keys: the key rows of MODEL_BOOL_FIELDS (model/model.h)
keys+=" "$(grep -oE '^\s*X\([a-z0-9_]+, (TRUST|SIDE), 1,' model/model.h | sed -E 's/^\s*X\(//; s/,.*//')
for k in $keys; do
	grep -q "\"$k\": {" docs/adtrust.schema.json || { echo "FAIL key '$k' of model/schema.c is not in docs/adtrust.schema.json"; fail=1; }
done
# the schema's field names (ignore rules) are the plan fields' rows, in
# order: MODEL_TDO_FIELDS, then the boolean key rows (model/model.h)
rows=$( (grep -oE '^\s*X\([a-z0-9_]+, [A-Z]+, "' model/model.h
	grep -oE '^\s*X\([a-z0-9_]+, (TRUST|SIDE), 1,' model/model.h) | sed -E 's/^\s*X\(//; s/,.*//' | tr '\n' ' ')
fields=$(python3 -c 'import ast, re, sys
m = re.search(r"^FIELDS = (\[.*\])$", open(sys.argv[1]).read(), re.M)
print(" ".join(ast.literal_eval(m.group(1))) + " ")' docs/adtrust.schema.py)
[ "$rows" = "$fields" ] || { echo "FAIL docs/adtrust.schema.py FIELDS ($fields) are not the rows of model_fields ($rows)"; fail=1; }
for f in examples/**/*.yaml; do
	case $f in examples/ci/*) continue ;; esac
	rel=$(realpath --relative-to="$(dirname "$f")" docs/adtrust.schema.json)
	head -1 "$f" | grep -qx "# yaml-language-server: \$schema=$rel" ||
		{ echo "FAIL $f: its first line is not '# yaml-language-server: \$schema=$rel'"; fail=1; }
done
python3 docs/adtrust.schema.py | cmp -s - docs/adtrust.schema.json ||
	{ echo "FAIL docs/adtrust.schema.json is not what docs/adtrust.schema.py writes"; fail=1; }
[ $fail -eq 0 ] && echo "schema: all passed"
exit $fail
