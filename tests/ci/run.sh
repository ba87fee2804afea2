#!/bin/sh
# Checks the CI and scheduling examples in examples/ci/:
#   - every YAML file parses (python3-yaml) and has the expected shape;
#   - the shell inside them (GitHub run:, GitLab script:, the CronJob's
#     sh -c) passes bash -n / sh -n;
#   - systemd-analyze verify accepts the service and the timer;
#   - every adtrust command line in them uses a real verb and real flags, and
#     each file runs the commands it is for (plan/show/apply, drift --metrics);
#   - BUILD/adtrust VERB --help exits 0 for every verb they use;
#   - tests/ci/comment_sim.py: the plan-comment scripts run against a
#     simulated gh / GitLab API (one comment per merge request, edited in
#     place, found by its marker; a long plan cut with a note), the GitLab
#     Terraform report of a real plan, the node24 action versions, and the
#     apply/drift jobs pushing and fetching refs/adtrust/applied/.
#
# usage: tests/ci/run.sh BUILD/adtrust
# Needs python3 with python3-yaml (installed here with apt-get when root and
# missing; without it, a cruder text check is used) and systemd-analyze
# (package systemd).  Last line: "N passed, N failed"; exit 1 if any failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD/adtrust" >&2
	exit 64
fi
case $1 in
/*) ADTRUST=$1 ;;
*) ADTRUST=$(pwd)/$1 ;;
esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EX=$TOP/examples/ci
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# --- a python3 that can import yaml ------------------------------------------
find_py() {
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
PY=$(find_py)
if [ -z "$PY" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "python3-yaml missing: apt-get install python3-yaml" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends python3-yaml >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
			apt-get install -y -q --no-install-recommends python3-yaml >/dev/null 2>&1; }
	PY=$(find_py)
fi
if [ -n "$PY" ]; then
	MODE=yaml
elif command -v python3 >/dev/null 2>&1; then
	PY=python3
	MODE=text
	echo "NOTE python3-yaml not available: YAML checked as text only" >&2
else
	PY=
	MODE=none
fi

# --- the files ---------------------------------------------------------------
for f in github-actions.yml gitlab-ci.yml adtrust-drift.service adtrust-drift.timer \
	k8s-drift-cronjob.yaml README.md; do
	if [ -s "$EX/$f" ]; then ok "exists: examples/ci/$f"; else ko "missing: examples/ci/$f"; fi
done

# --- YAML, shell syntax, adtrust command lines (python) ----------------------
: >"$TMP/verbs"
if [ -n "$PY" ]; then
	"$PY" - "$EX" "$MODE" >"$TMP/py.out" 2>&1 <<'PYEOF'
import os, re, shlex, subprocess, sys

EX, MODE = sys.argv[1], sys.argv[2]
if MODE == "yaml":
    import yaml

def res(ok, msg):
    print(("PASS " if ok else "FAIL ") + msg)

# The adtrust CLI: per verb, option -> takes an argument; number of operands.
# --no-color and -q are global: before the verb (adtrust --no-color plan ...).
GLOBAL = {"--no-color", "-q"}
SPEC = {
    "validate": ({"-f": True}, 0),
    "plan": ({"-f": True, "-o": True, "--detailed-exitcode": False}, 0),
    "show": ({"--json": False}, 1),
    "apply": ({"--auto-approve": False, "--lock-timeout": True}, 1),
    "drift": ({"-f": True, "--json": False, "--metrics": True}, 0),
}
SEPS = {";", "&&", "||", "|", "&", "(", ")", "{", "}", "!", "then", "do",
        "else", "elif", "if", "while", "until", "exec", "time", "nice", "timeout"}

def strip_comment(line):
    """Cut an unquoted # that starts a word, as the shell does."""
    q, i, prev = None, 0, " "
    while i < len(line):
        c = line[i]
        if q == "'":
            if c == "'": q = None
        elif q == '"':
            if c == "\\": i += 1
            elif c == '"': q = None
        elif c == "\\": i += 1
        elif c in "'\"": q = c
        elif c == "#" and prev in " \t;&|(":
            return line[:i]
        prev = c
        i += 1
    return line

def words(line):
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = ""
    return list(lex)

def invocations(script, where):
    """adtrust command lines in a shell script: [(verb, argv, text)]."""
    out = []
    script = re.sub(r"\\\n", " ", script)
    for line in script.splitlines():
        line = strip_comment(line)
        if "adtrust" not in line:
            continue
        try:
            toks = words(line)
        except ValueError as e:
            res(False, "%s: cannot split %r: %s" % (where, line.strip(), e))
            continue
        for i, t in enumerate(toks):
            if os.path.basename(t) != "adtrust":
                continue
            prev = toks[i - 1] if i else ";"
            if not (prev in SEPS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", prev)):
                continue          # not in command position (an argument, a string)
            argv = []
            for a in toks[i + 1:]:
                if a in SEPS or re.fullmatch(r"[<>&|;()]+", a):
                    break
                argv.append(a)
            if argv and re.fullmatch(r"[0-9]", argv[-1]) and i + 1 + len(argv) < len(toks) \
                    and toks[i + 1 + len(argv)].startswith((">", "<")):
                argv.pop()        # 2>file
            text = " ".join(["adtrust"] + argv)
            while argv and argv[0] in GLOBAL:
                argv.pop(0)
            out.append((argv[0] if argv else "", argv[1:], text))
    return out

def check_invocation(verb, args, text, where):
    """Flags against SPEC; returns {option: value} and operands, or None."""
    if verb not in SPEC:
        res(False, "%s: unknown verb: %s" % (where, text))
        return None
    opts, nops = SPEC[verb]
    got, operands, bad = {}, [], []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and a != "-":
            name, eq, val = a.partition("=")
            if name not in opts:
                bad.append(a)
            elif opts[name]:
                if not eq:
                    i += 1
                    val = args[i] if i < len(args) else None
                if val is None or val == "":
                    bad.append(a + " (needs a value)")
                got[name] = val
            else:
                if eq:
                    bad.append(a + " (takes no value)")
                got[name] = True
        else:
            operands.append(a)
        i += 1
    if "--lock-timeout" in got and not re.fullmatch(r"[0-9]+", str(got["--lock-timeout"])):
        bad.append("--lock-timeout " + str(got["--lock-timeout"]) + " (not seconds)")
    if len(operands) != nops:
        bad.append("%d operand(s) %r, want %d" % (len(operands), operands, nops))
    res(not bad, "%s: %s%s" % (where, text, "" if not bad else "  <- " + "; ".join(bad)))
    print("VERB " + verb)
    return (got, operands) if not bad else None

def require(found, where, what, pred):
    res(any(pred(g, o) for v, g, o in found if v == what[0]), "%s runs %s" % (where, what[1]))

def collect(where, scripts):
    found = []
    for s in scripts:
        for verb, args, text in invocations(s, where):
            r = check_invocation(verb, args, text, where)
            if r:
                found.append((verb, r[0], r[1]))
    return found

def shell_syntax(where, scripts, shell):
    for n, s in enumerate(scripts, 1):
        s = re.sub(r"\$\{\{.*?\}\}", "GHEXPR", s)   # GitHub expressions
        p = subprocess.run([shell, "-n"], input=s, text=True, capture_output=True)
        res(p.returncode == 0, "%s: %s -n script %d%s" % (where, shell, n,
            "" if p.returncode == 0 else ": " + p.stderr.strip()))

def load(path, multi=False):
    where = os.path.basename(path)
    text = open(path).read()
    if "\t" in "".join(re.findall(r"^[ \t]*", text, re.M)):
        res(False, where + ": tab in indentation")
    if MODE != "yaml":
        return None
    try:
        data = list(yaml.safe_load_all(text)) if multi else yaml.safe_load(text)
        res(True, where + ": YAML parses")
        return data
    except yaml.YAMLError as e:
        res(False, where + ": YAML: " + str(e).replace("\n", " "))
        return None

def text_scripts(path):
    """Without a YAML parser: the non-comment lines, YAML keys stripped."""
    out = []
    for line in open(path):
        if line.lstrip().startswith("#"):
            continue
        line = re.sub(r"^\s*(?:-\s+)?(?:(?:run|script|command):\s*)?(?:[|>]-?\s*)?", "", line)
        out.append(line)
    return ["".join(out)]

PLAN_CI = [
    (("validate", "adtrust validate -f"), lambda g, o: "-f" in g),
    (("plan", "adtrust plan -f git:.@HEAD:trusts.yaml -o plan.json --detailed-exitcode"),
     lambda g, o: g.get("-f") == "git:.@HEAD:trusts.yaml" and g.get("-o") == "plan.json"
     and "--detailed-exitcode" in g),
    (("show", "adtrust show plan.json"), lambda g, o: o[0].endswith("plan.json")),
    (("apply", "adtrust apply --auto-approve ... plan.json"),
     lambda g, o: "--auto-approve" in g and o[0].endswith("plan.json")),
]

# --- GitHub Actions ------------------------------------------------------------
p = os.path.join(EX, "github-actions.yml"); w = "github-actions.yml"
if os.path.exists(p):
    d = load(p)
    if isinstance(d, dict):
        on = d.get("on", d.get(True, {})) or {}        # YAML 1.1: on -> True
        res("pull_request" in on and "push" in on, w + ": on pull_request and push")
        jobs = d.get("jobs") or {}
        scripts, envs, uploads = [], [], False
        for name, j in jobs.items():
            ro = j.get("runs-on")
            ro = ro if isinstance(ro, list) else [ro]
            res("self-hosted" in ro, "%s: job %s runs on self-hosted" % (w, name))
            if j.get("environment"):
                envs.append(name)
            for st in j.get("steps") or []:
                if "run" in st:
                    scripts.append(st["run"])
                u = str(st.get("uses", ""))
                if u.startswith("actions/upload-artifact") and \
                        "plan.json" in str((st.get("with") or {}).get("path", "")):
                    uploads = True
        res(uploads, w + ": uploads plan.json as an artifact")
        res(any("apply" in n for n in envs), w + ": apply job uses an environment (reviewers)")
        shell_syntax(w, scripts, "bash")
    else:
        scripts = text_scripts(p)
    found = collect(w, scripts)
    for what, pred in PLAN_CI:
        require(found, w, what, pred)
    res(bool(re.search(r"gh pr comment .*--body-file|github-script", open(p).read())),
        w + ": posts the plan as a PR comment")

# --- GitLab CI -------------------------------------------------------------------
p = os.path.join(EX, "gitlab-ci.yml"); w = "gitlab-ci.yml"
if os.path.exists(p):
    d = load(p)
    if isinstance(d, dict):
        jobs = {k: v for k, v in d.items() if isinstance(v, dict) and "script" in v}
        scripts = []
        for name, j in jobs.items():
            for k in ("before_script", "script", "after_script"):
                v = j.get(k) or d.get("default", {}).get(k) if k != "script" else j[k]
                if v:
                    scripts.append("\n".join(v) if isinstance(v, list) else v)
        plan = jobs.get("plan", {}); apply_ = jobs.get("apply", {})
        art = plan.get("artifacts") or {}
        res(bool(art.get("expose_as")) and {"plan.json", "plan.txt"} <= set(art.get("paths") or []),
            w + ": plan artifacts plan.json, plan.txt with expose_as")
        res("merge_request_event" in str(plan.get("rules")) + str(d.get("workflow")),
            w + ": plan runs on merge_request_event")
        needs = [n if isinstance(n, str) else n.get("job") for n in apply_.get("needs") or []]
        res("plan" in needs, w + ": apply needs: plan")
        res("manual" in str(apply_.get("when")) + str(apply_.get("rules")) or
            bool(apply_.get("environment")), w + ": apply is manual / in an environment")
        res("CI_DEFAULT_BRANCH" in str(apply_.get("rules")) + str(apply_.get("only")),
            w + ": apply only on the default branch")
        shell_syntax(w, scripts, "bash")
    else:
        scripts = text_scripts(p)
    found = collect(w, scripts)
    for what, pred in PLAN_CI:
        require(found, w, what, pred)

# --- Kubernetes ----------------------------------------------------------------------
p = os.path.join(EX, "k8s-drift-cronjob.yaml"); w = "k8s-drift-cronjob.yaml"
if os.path.exists(p):
    docs = load(p, multi=True)
    scripts = []
    if docs is not None:
        cj = [x for x in docs if isinstance(x, dict) and x.get("kind") == "CronJob"]
        res(len(cj) == 1 and cj[0].get("apiVersion") == "batch/v1", w + ": one batch/v1 CronJob")
        for x in cj:
            spec = x.get("spec") or {}
            res(spec.get("concurrencyPolicy") == "Forbid", w + ": concurrencyPolicy: Forbid")
            pod = ((((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {})
                   .get("spec") or {})
            res((pod.get("securityContext") or {}).get("runAsNonRoot") is True,
                w + ": pod runAsNonRoot")
            for c in pod.get("containers") or []:
                argv = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
                res(any("secretRef" in e for e in c.get("envFrom") or []),
                    "%s: container %s gets secrets via envFrom" % (w, c.get("name")))
                res((c.get("securityContext") or {}).get("allowPrivilegeEscalation") is False,
                    "%s: container %s allowPrivilegeEscalation: false" % (w, c.get("name")))
                if len(argv) >= 3 and os.path.basename(argv[0]) in ("sh", "bash") and argv[1] == "-c":
                    scripts.append(argv[2])
                    shell_syntax(w, [argv[2]], os.path.basename(argv[0]))
                elif argv:
                    scripts.append(" ".join(shlex.quote(a) for a in argv))
    else:
        scripts = text_scripts(p)
    found = collect(w, scripts)
    require(found, w, ("drift", "adtrust drift -f ... --metrics ..."),
            lambda g, o: "-f" in g and "--metrics" in g)

# --- systemd -------------------------------------------------------------------------
def unit(path):
    sec, kv = None, {}
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            sec = line.strip("[]")
            continue
        k, _, v = line.partition("=")
        kv.setdefault((sec, k.strip()), []).append(v.strip())
    return kv

p = os.path.join(EX, "adtrust-drift.service"); w = "adtrust-drift.service"
if os.path.exists(p):
    u = unit(p)
    g = lambda k: u.get(("Service", k), [])
    res(g("Type") == ["oneshot"], w + ": Type=oneshot")
    res(any("2" in v.split() for v in g("SuccessExitStatus")), w + ": SuccessExitStatus=2")
    for k, v in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes")):
        res(v in g(k), "%s: %s=%s" % (w, k, v))
    res(bool(g("EnvironmentFile")), w + ": EnvironmentFile for the secrets")
    res("yes" in g("DynamicUser") or bool(g("User")), w + ": DynamicUser or User")
    scripts = []
    for v in g("ExecStart"):
        scripts.append(v.lstrip("-@:+!"))
    found = collect(w, scripts)
    metrics = [gg.get("--metrics", "") for v, gg, o in found if v == "drift"]
    require(found, w, ("drift", "adtrust drift -f ... --metrics ..."),
            lambda g_, o: "-f" in g_ and "--metrics" in g_)
    res(any(any(m.startswith(r.rstrip("/") + "/") for r in " ".join(g("ReadWritePaths")).split())
            for m in metrics), w + ": ReadWritePaths covers the --metrics file")

p = os.path.join(EX, "adtrust-drift.timer"); w = "adtrust-drift.timer"
if os.path.exists(p):
    u = unit(p)
    t = lambda k: u.get(("Timer", k), [])
    res(any(re.search(r"0/15|\*/15|15min|15m", v) for v in t("OnCalendar") + t("OnUnitActiveSec")),
        w + ": every 15 minutes")
    res(bool(t("RandomizedDelaySec")), w + ": RandomizedDelaySec")
    res("timers.target" in " ".join(u.get(("Install", "WantedBy"), [])), w + ": WantedBy=timers.target")

# --- README ----------------------------------------------------------------------------
p = os.path.join(EX, "README.md")
if os.path.exists(p):
    r = open(p).read()
    for f in ("github-actions.yml", "gitlab-ci.yml", "adtrust-drift.service",
              "adtrust-drift.timer", "k8s-drift-cronjob.yaml"):
        res(f in r, "README.md describes " + f)
PYEOF
	rc=$?
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) ko "${line#FAIL }" ;;
		"VERB "*) echo "${line#VERB }" >>"$TMP/verbs" ;;
		*) echo "$line" ;;
		esac
	done <"$TMP/py.out"
	[ "$rc" -eq 0 ] || ko "the python checks crashed (exit $rc)"
else
	# No python3 at all: grep for the command lines.
	chk() { if grep -Eq -- "$2" "$EX/$1"; then ok "$1 runs: $2"; else ko "$1 runs: $2"; fi; }
	for f in github-actions.yml gitlab-ci.yml; do
		chk "$f" 'adtrust validate -f '
		chk "$f" 'adtrust plan -f git:\.@HEAD:trusts\.yaml -o plan\.json --detailed-exitcode'
		chk "$f" 'adtrust show plan\.json'
		chk "$f" 'adtrust apply --auto-approve.* plan\.json'
	done
	for f in adtrust-drift.service k8s-drift-cronjob.yaml; do
		chk "$f" 'adtrust drift -f [^ ]+ --metrics [^ ]+'
	done
	printf '%s\n' validate plan show apply drift >"$TMP/verbs"
fi

# --- the comment scripts, simulated (python3-yaml and jq) ---------------------------------
if [ "$MODE" = yaml ] && command -v jq >/dev/null 2>&1 && [ -x "$ADTRUST" ]; then
	(cd "$TOP" && "$PY" tests/ci/comment_sim.py "$EX" "$ADTRUST") >"$TMP/sim.out" 2>&1
	src=$?
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) ko "${line#FAIL }" ;;
		*) echo "$line" ;;
		esac
	done <"$TMP/sim.out"
	[ "$src" -eq 0 ] || ko "comment_sim.py crashed (exit $src)"
else
	ko "comment simulation not run: needs python3-yaml, jq and $ADTRUST"
fi

# --- systemd-analyze verify ----------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	U=$TMP/units
	mkdir -p "$U"
	cp "$EX/adtrust-drift.service" "$EX/adtrust-drift.timer" "$U/"
	# verify wants ExecStart's binary to exist: use the installed one, else
	# the build, else a stub.
	bin=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$U/adtrust-drift.service" | head -n 1)
	if [ ! -x "$bin" ]; then
		if [ -x "$ADTRUST" ]; then
			sub=$ADTRUST
		else
			sub=$TMP/adtrust
			printf '#!/bin/sh\nexit 0\n' >"$sub" && chmod +x "$sub"
		fi
		sed -i "s|^\(ExecStart=[-@:+!]*\)$bin|\1$sub|" "$U/adtrust-drift.service"
		echo "NOTE systemd-analyze verify: ExecStart $bin -> $sub"
	fi
	out=$(cd "$U" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify \
		"$U/adtrust-drift.service" "$U/adtrust-drift.timer" 2>&1)
	vrc=$?
	# verify exits 0 on warnings such as an unknown key: fail on any line
	# about our units too.
	ours=$(printf '%s\n' "$out" | grep 'adtrust-drift\.' || true)
	if [ "$vrc" -eq 0 ] && [ -z "$ours" ]; then
		ok "systemd-analyze verify adtrust-drift.service adtrust-drift.timer"
	else
		ko "systemd-analyze verify (exit $vrc):"
		printf '%s\n' "$out" | sed 's/^/     /'
	fi
else
	ko "systemd-analyze not found (Debian package systemd): units not verified"
fi

# --- the verbs exist -------------------------------------------------------------------
if [ -x "$ADTRUST" ]; then
	sort -u "$TMP/verbs" >"$TMP/verbs.u"
	while read -r v; do
		"$ADTRUST" "$v" --help >/dev/null 2>&1 </dev/null
		r=$?
		if [ "$r" -eq 0 ]; then ok "adtrust $v --help"; else ko "adtrust $v --help exits $r"; fi
	done <"$TMP/verbs.u"
else
	ko "$ADTRUST: not an executable"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
