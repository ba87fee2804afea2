#!/bin/bash
# Replays every fuzz corpus through its target built with gcc + ASan/UBSan
# (the standalone driver): the corpora are regression tests in make check.
# Usage: tests/fuzz/replay.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/fuzz}
mkdir -p "$OUT"
CC=${CC:-cc}
FLAGS="-std=c11 -D_DEFAULT_SOURCE -DADT_FUZZ_STANDALONE -I. -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
UTIL="util/err.c util/xalloc.c util/sbuf.c util/sid.c util/strmap.c util/hex.c util/esc.c util/version.c util/trace.c"
# shellcheck disable=SC2086
$CC $FLAGS $UTIL model/fti.c tests/fuzz/fuzz_fti.c -o "$OUT/fuzz_fti"
# shellcheck disable=SC2086
$CC $FLAGS $UTIL providers/lsa_proto.c tests/fuzz/fuzz_lsa_proto.c -o "$OUT/fuzz_lsa_proto"
# shellcheck disable=SC2086
$CC $FLAGS $UTIL model/*.c tests/fuzz/fuzz_model.c \
	$(pkg-config --cflags --libs libcyaml yaml-0.1 gnutls) -o "$OUT/fuzz_model"
# shellcheck disable=SC2086
$CC $FLAGS $UTIL util/safefile.c model/*.c reconcile/plan.c reconcile/plan_json.c \
	reconcile/render_text.c tests/fuzz/fuzz_plan.c \
	$(pkg-config --cflags --libs libcyaml yaml-0.1 gnutls jansson) -o "$OUT/fuzz_plan"
# shellcheck disable=SC2086
$CC $FLAGS $UTIL providers/snapshot.c providers/tdo.c providers/prov.c model/*.c \
	tests/fuzz/fuzz_snapshot.c \
	$(pkg-config --cflags --libs ldap libcyaml yaml-0.1 gnutls) -o "$OUT/fuzz_snapshot"
pass=0 fail=0
for t in fti lsa_proto model plan snapshot; do
	if "$OUT/fuzz_$t" tests/fuzz/corpus/$t/* >"$OUT/$t.log" 2>&1 &&
	   ! grep -q 'Sanitizer' "$OUT/$t.log"; then
		echo "PASS fuzz corpus $t ($(ls tests/fuzz/corpus/$t | wc -l) inputs)"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz corpus $t"; tail -20 "$OUT/$t.log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
