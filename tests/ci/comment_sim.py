#!/usr/bin/env python3
"""Runs the plan-comment scripts of examples/ci/ against simulated APIs.

usage: comment_sim.py EXAMPLES_CI_DIR BUILD/adtrust

GitHub: the run: script of the step "Comment the plan on the pull request",
with a fake `gh` on PATH serving the issue comments of one pull request.
GitLab: the plan job's script item holding the marker, with a fake `curl`
serving the notes of one merge request.  For each: the first run posts one
comment, the next push edits that comment (found by its hidden marker and
its author) instead of posting another, a human's comment quoting the
marker is left alone, a long plan is cut at a line boundary under the
platform's limit with a note naming the artifact.  Also: the GitLab
Terraform report made from a real plan has the plan's counts, and the
action versions are on the node24 runtime.  Prints PASS/FAIL lines.
"""
import json, os, re, shutil, subprocess, sys, tempfile

import yaml

EX, ADTRUST = sys.argv[1], os.path.abspath(sys.argv[2])
MARKER = "<!-- adtrust-plan: trusts.yaml -->"


def res(ok, msg):
    print(("PASS " if ok else "FAIL ") + msg)


FAKE_GH = r'''#!/usr/bin/env python3
import json, os, subprocess, sys
st = os.environ["SIM_STATE"]
db = json.load(open(st))
args = sys.argv[1:]
with open(st + ".log", "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:1] != ["api"]:
    sys.exit("fake gh: only 'gh api' is simulated")
method, jq, fields, path, i = "GET", None, {}, None, 1
while i < len(args):
    a = args[i]
    if a == "-X":
        method = args[i + 1]; i += 2; continue
    if a == "--jq":
        jq = args[i + 1]; i += 2; continue
    if a in ("-F", "-f"):
        k, v = args[i + 1].split("=", 1)
        fields[k] = open(v[1:]).read() if a == "-F" and v.startswith("@") else v
        i += 2; continue
    if a == "--paginate":
        i += 1; continue
    path = a; i += 1
repo = os.environ["GITHUB_REPOSITORY"]
out = None
if method == "GET" and path == "repos/%s/issues/%s/comments" % (repo, db["pr"]):
    out = db["comments"]
elif method == "POST" and path == "repos/%s/issues/%s/comments" % (repo, db["pr"]):
    db["next"] += 1
    out = {"id": db["next"], "user": {"login": "github-actions[bot]", "type": "Bot"},
           "body": fields["body"]}
    db["comments"].append(out)
elif method == "PATCH" and path.startswith("repos/%s/issues/comments/" % repo):
    cid = int(path.rsplit("/", 1)[1])
    hit = [c for c in db["comments"] if c["id"] == cid]
    if not hit:
        sys.exit("fake gh: HTTP 404")
    hit[0]["body"] = fields["body"]
    out = hit[0]
else:
    sys.exit("fake gh: unexpected %s %s" % (method, path))
json.dump(db, open(st, "w"))
text = json.dumps(out)
if jq is not None:
    text = subprocess.run(["jq", "-r", jq], input=text, text=True, capture_output=True,
                          check=True).stdout
print(text)
'''

FAKE_CURL = r'''#!/usr/bin/env python3
import json, os, sys, urllib.parse
st = os.environ["SIM_STATE"]
db = json.load(open(st))
args = sys.argv[1:]
with open(st + ".log", "a") as log:
    log.write(json.dumps(args) + "\n")
method, data, url, token, i = "GET", {}, None, None, 0
while i < len(args):
    a = args[i]
    if a in ("--request", "-X"):
        method = args[i + 1]; i += 2; continue
    if a in ("--header", "-H"):
        if args[i + 1].startswith("PRIVATE-TOKEN: "):
            token = args[i + 1].split(": ", 1)[1]
        i += 2; continue
    if a == "--data-urlencode":
        k, v = args[i + 1].split("@", 1) if "@" in args[i + 1].split("=", 1)[0] else args[i + 1].split("=", 1)
        data[k] = open(v).read() if "@" in args[i + 1].split("=", 1)[0] else v
        i += 2; continue
    if a.startswith("-"):
        i += 1; continue
    url = a; i += 1
if token != db["token"]:
    sys.stderr.write("curl: (22) 401\n"); sys.exit(22)
u = urllib.parse.urlsplit(url)
base = "/api/v4/projects/%s/merge_requests/%s/notes" % (db["project"], db["mr"])
out = None
if method == "GET" and u.path == "/api/v4/user":
    out = {"id": db["me"], "username": "project_9_bot"}
elif method == "GET" and u.path == base:
    out = db["notes"]
elif method == "POST" and u.path == base:
    db["next"] += 1
    out = {"id": db["next"], "author": {"id": db["me"]}, "body": data["body"]}
    db["notes"].append(out)
elif method == "PUT" and u.path.startswith(base + "/"):
    nid = int(u.path.rsplit("/", 1)[1])
    hit = [n for n in db["notes"] if n["id"] == nid]
    if not hit:
        sys.stderr.write("curl: (22) 404\n"); sys.exit(22)
    hit[0]["body"] = data["body"]
    out = hit[0]
else:
    sys.stderr.write("fake curl: unexpected %s %s\n" % (method, url)); sys.exit(22)
json.dump(db, open(st, "w"))
print(json.dumps(out))
'''


def plans(tmp):
    """A real plan text, another one, and a long one (about 300 KB)."""
    subprocess.run([ADTRUST, "plan", "-f", "examples/demo.yaml", "--snapshot",
                    "examples/snapshots/demo", "-o", os.path.join(tmp, "p.json")],
                   check=False, capture_output=True)
    short = subprocess.run([ADTRUST, "show", os.path.join(tmp, "p.json")],
                           capture_output=True, text=True).stdout
    other = short.replace("Plan:", "Plan (second push):")
    lines = short.splitlines()
    body = [l for l in lines if l and not l.startswith("Plan:")]
    long_ = "\n".join((body * (300000 // max(1, len("\n".join(body))) + 1))) + "\n" + lines[-1] + "\n"
    return short, other, long_


def run_script(script, env, tmp, plan):
    open(os.path.join(tmp, "plan.txt"), "w").write(plan)
    e = dict(os.environ)
    e.update(env)
    e["PATH"] = os.path.join(tmp, "bin") + ":" + e["PATH"]
    p = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp, env=e,
                       capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def code_block(body):
    m = re.search(r"```\n(.*?)```", body, re.S)
    return m.group(1) if m else ""


def scenario(name, script, env, tmp, key, mine, limit, note_re):
    """key: comments|notes; mine(c): written by the CI identity."""
    short, other, long_ = plans(tmp)
    st = env["SIM_STATE"]
    db = json.load(open(st))
    human = {"id": 3, "body": "quoting the bot: " + MARKER + " please re-run",
             "user": {"login": "alice", "type": "User"}, "author": {"id": 7}}
    db[key] = [{"id": 1, "body": "LGTM", "user": {"login": "bob", "type": "User"},
                "author": {"id": 8}}, human]
    json.dump(db, open(st, "w"))
    log = st + ".log"

    def state():
        return json.load(open(st))[key]

    def calls():
        return [json.loads(l) for l in open(log)] if os.path.exists(log) else []

    rc, err = run_script(script, env, tmp, short)
    ours = [c for c in state() if mine(c)]
    res(rc == 0 and len(ours) == 1 and ours[0]["body"].startswith(MARKER + "\n") and
        code_block(ours[0]["body"]) == short and "truncated" not in ours[0]["body"],
        "%s: first run posts one comment with the marker and the whole plan%s" %
        (name, "" if rc == 0 else " (exit %d: %s)" % (rc, err)))
    first = ours[0]["id"] if ours else None
    n_calls = len(calls())
    rc, err = run_script(script, env, tmp, other)
    ours = [c for c in state() if mine(c)]
    res(rc == 0 and len(ours) == 1 and ours[0]["id"] == first and
        code_block(ours[0]["body"]) == other,
        "%s: the next push edits that comment in place (no second comment)%s" %
        (name, "" if rc == 0 else " (exit %d: %s)" % (rc, err)))
    res(not any(("POST" in c) for c in calls()[n_calls:]),
        "%s: no POST on the second run" % name)
    res([c for c in state() if c["id"] == 3][0]["body"] == human["body"] and
        [c for c in state() if c["id"] == 1][0]["body"] == "LGTM",
        "%s: a human's comment quoting the marker is left alone" % name)
    rc, err = run_script(script, env, tmp, long_)
    ours = [c for c in state() if mine(c)]
    body = ours[0]["body"] if ours else ""
    shown = code_block(body)
    full = long_.splitlines(keepends=True)
    res(rc == 0 and len(ours) == 1 and len(body) <= limit and 0 < len(shown) <= len(long_) and
        long_.startswith(shown) and shown.endswith("\n") and
        len(shown.splitlines()) < len(full),
        "%s: a %d-byte plan is cut at a line boundary, comment %d <= %d chars" %
        (name, len(long_), len(body), limit))
    res(re.search(r"\*\*Plan truncated:\*\* %d of %d lines shown" %
                  (len(shown.splitlines()), len(full)), body) is not None and
        re.search(note_re, body) is not None,
        "%s: the truncation note counts the lines and points at the full plan" % name)


def setup(tmp, fake, cmd, db):
    os.makedirs(os.path.join(tmp, "bin"), exist_ok=True)
    f = os.path.join(tmp, "bin", cmd)
    open(f, "w").write(fake)
    os.chmod(f, 0o755)
    a = os.path.join(tmp, "bin", "adtrust")
    if not os.path.exists(a):
        os.symlink(ADTRUST, a)
    st = os.path.join(tmp, "state.json")
    json.dump(db, open(st, "w"))
    if os.path.exists(st + ".log"):
        os.remove(st + ".log")
    return st


def gh_expr(v):
    return re.sub(r"\$\{\{[^}]*\}\}", "SIM", str(v))


top = os.getcwd()
gh = yaml.safe_load(open(os.path.join(EX, "github-actions.yml")))
gl = yaml.safe_load(open(os.path.join(EX, "gitlab-ci.yml")))

# ---- action versions: the node24 ones (runner >= 2.327.1) -----------------------
MIN = {"actions/checkout": 5, "actions/upload-artifact": 6,
       "actions/download-artifact": 7, "actions/github-script": 8}
uses = [st.get("uses") for j in gh["jobs"].values() for st in j.get("steps") or [] if st.get("uses")]
old = [u for u in uses if u.split("@")[0] in MIN and
       not (re.fullmatch(r"v(\d+)(\.\d+)*", u.split("@")[1]) and
            int(re.match(r"v(\d+)", u.split("@")[1]).group(1)) >= MIN[u.split("@")[0]])]
res(uses and not old, "github-actions.yml: actions on the node24 runtime (%s)%s" %
    (", ".join(sorted(set(uses))), "" if not old else "  <- old: " + ", ".join(old)))

# ---- the applied record: pushed by apply, fetched by drift ------------------------
REF = "refs/adtrust/applied/trusts.yaml"
ap = gh["jobs"]["apply"]
ap_run = "\n".join(st.get("run", "") for st in ap["steps"])
res(re.search(r"adtrust apply [^\n]*plan\.json[\s\S]*git push origin \"\+%s:%s\"" % (REF, REF), ap_run)
    is not None and ap.get("permissions", {}).get("contents") == "write",
    "github-actions.yml: apply pushes %s after the apply (contents: write)" % REF)
dr = gh["jobs"].get("drift") or {}
dr_run = "\n".join(st.get("run", "") for st in dr.get("steps") or [])
res(re.search(r"git fetch [^\n]*\+refs/adtrust/applied/\*:refs/adtrust/applied/\*[\s\S]*adtrust drift -f git:", dr_run)
    is not None and "schedule" in str(dr.get("if")),
    "github-actions.yml: the scheduled drift job fetches the applied record before drift")
res("schedule" not in str(gh["jobs"]["plan"].get("if")) and "schedule" in (gh.get("on") or gh.get(True)),
    "github-actions.yml: a schedule runs drift only (not plan, not apply)")
gl_ap = "\n".join(gl["apply"]["script"])
res(re.search(r"adtrust apply [^\n]*plan\.json[\s\S]*git push [^\n]*\"\+%s:%s\"" % (REF, REF), gl_ap)
    is not None, "gitlab-ci.yml: apply pushes %s after the apply" % REF)
gl_dr = "\n".join(gl.get("drift", {}).get("script") or [])
res(re.search(r"git fetch [^\n]*\+refs/adtrust/applied/\*:refs/adtrust/applied/\*[\s\S]*adtrust drift -f git:", gl_dr)
    is not None and "schedule" in str(gl["drift"].get("rules")) and
    "schedule" in str(gl["plan"].get("rules")),
    "gitlab-ci.yml: the scheduled drift job fetches the applied record; plan skips schedules")
# the ref apply writes is the one the examples push (adtrust names it from the path)
with tempfile.TemporaryDirectory() as t:
    ok = False
    try:
        g = lambda *a: subprocess.run(["git", "-C", t] + list(a), check=True, capture_output=True, text=True)
        g("init", "-q")
        shutil.copy("examples/demo.yaml", os.path.join(t, "trusts.yaml"))
        g("add", "trusts.yaml")
        g("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t")
        p = subprocess.run([ADTRUST, "plan", "-f", "git:%s@HEAD:trusts.yaml" % t, "--snapshot",
                            "examples/snapshots/demo", "--json"], capture_output=True, text=True)
        j = json.loads(p.stdout)
        ok = j["desired"].get("git_path") == "trusts.yaml"
    except Exception as e:  # noqa: BLE001
        print("NOTE applied-ref check: %s" % e)
    res(ok, "a plan of git:REPO@HEAD:trusts.yaml records git_path trusts.yaml "
        "(apply records refs/adtrust/applied/<git_path>)")

# ---- GitLab's MR widget report: the plan's counts ----------------------------------------
art = gl["plan"].get("artifacts") or {}
res((art.get("reports") or {}).get("terraform") == "plan.tfreport.json",
    "gitlab-ci.yml: plan's artifacts:reports:terraform is plan.tfreport.json (the MR widget row)")
tf = [s for s in gl["plan"]["script"] if "plan.tfreport.json" in s]
with tempfile.TemporaryDirectory() as t:
    os.makedirs(os.path.join(t, "bin"))
    os.symlink(ADTRUST, os.path.join(t, "bin", "adtrust"))
    subprocess.run([ADTRUST, "plan", "-f", "examples/demo.yaml", "--snapshot",
                    "examples/snapshots/demo", "-o", os.path.join(t, "plan.json")], capture_output=True)
    e = dict(os.environ, PATH=os.path.join(t, "bin") + ":" + os.environ["PATH"])
    p = subprocess.run(["bash", "-eo", "pipefail", "-c", "\n".join(tf)], cwd=t, env=e,
                       capture_output=True, text=True)
    try:
        rep = json.load(open(os.path.join(t, "plan.tfreport.json")))
        summ = json.loads(subprocess.run([ADTRUST, "show", "--json", os.path.join(t, "plan.json")],
                                         capture_output=True, text=True).stdout)["summary"]
        ok = (len(tf) == 1 and p.returncode == 0 and set(rep) == {"create", "update", "delete"} and
              rep == {"create": summ["create"] + summ["replace"], "update": summ["update"],
                      "delete": summ["delete"] + summ["replace"]})
    except Exception as ex:  # noqa: BLE001
        ok, rep = False, str(ex) + " " + p.stderr
    res(ok, "gitlab-ci.yml: the Terraform report of the demo plan is %s" % rep)

# ---- GitHub: one comment per pull request ------------------------------------------------
step = [s for s in gh["jobs"]["plan"]["steps"] if s.get("name") == "Comment the plan on the pull request"]
if len(step) != 1:
    res(False, "github-actions.yml: one step 'Comment the plan on the pull request'")
else:
    with tempfile.TemporaryDirectory() as t:
        st = setup(t, FAKE_GH, "gh", {"pr": "5", "next": 100, "comments": []})
        env = {k: gh_expr(v) for k, v in (step[0].get("env") or {}).items()}
        env.update({"SIM_STATE": st, "PR": "5", "GITHUB_REPOSITORY": "o/r",
                    "GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "77",
                    "PLAN_SHA": "abc123", "ARTIFACT": "adtrust-plan-abc123"})
        os.chdir(top)
        scenario("github-actions.yml", step[0]["run"], env, t, "comments",
                 lambda c: c["user"]["login"] == "github-actions[bot]", 65536,
                 r"artifact `adtrust-plan-abc123` of \[this run\]\(https://github\.example/o/r/actions/runs/77\)")

# ---- GitLab: one note per merge request --------------------------------------------------
item = [s for s in gl["plan"]["script"] if MARKER in s]
if len(item) != 1:
    res(False, "gitlab-ci.yml: one plan script item holding the marker")
else:
    with tempfile.TemporaryDirectory() as t:
        st = setup(t, FAKE_CURL, "curl", {"mr": "12", "project": "9", "me": 42, "token": "tok",
                                          "next": 500, "notes": []})
        env = {k: str(v) for k, v in (gl["plan"].get("variables") or {}).items()}
        env.update({"SIM_STATE": st, "CI_MERGE_REQUEST_IID": "12", "ADTRUST_NOTE_TOKEN": "tok",
                    "CI_API_V4_URL": "https://gl.example/api/v4", "CI_PROJECT_ID": "9",
                    "CI_COMMIT_SHORT_SHA": "abc123", "CI_JOB_URL": "https://gl.example/g/p/-/jobs/31",
                    "CI_JOB_ID": "31", "CI_DEFAULT_BRANCH": "main"})
        scenario("gitlab-ci.yml", item[0], env, t, "notes",
                 lambda n: n["author"]["id"] == 42, 1000000,
                 r"\[plan\.txt\]\(https://gl\.example/g/p/-/jobs/31/artifacts/file/plan\.txt\)")
