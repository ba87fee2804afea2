#!/usr/bin/env python3
"""The JSON Schema (docs/adtrust.schema.json) and `adtrust validate` agree.

usage: verdicts.py ADTRUST [--loose] FILE...

Each FILE is read as YAML 1.2 reads it (dates stay strings; a duplicate
key makes the file invalid, as editors and adtrust report it) and checked
against the schema (python3-jsonschema), then given to `adtrust validate`.
By default every file must get the same verdict.  With --loose (the fuzz
corpus: damaged files whose only problems may lie across objects, which no
JSON Schema expresses) the schema must never reject a file adtrust accepts.
Prints one line per disagreement and a summary; exit 1 on any."""
import json, os, subprocess, sys
import jsonschema, yaml

# What only adtrust can see: problems across objects.  With --loose each
# problem of a file only adtrust rejects must be one of these.
ACROSS = ("unknown domain", "unknown credentials", "declared twice",
          "cannot trust itself", "is not a side of this trust",
          "needs one side of kind mit-realm", "must have type 'realm'",
          "both sides are MIT realms", "is both enabled and",
          "is under none of the trust's name suffixes")
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class Loader(yaml.SafeLoader):
    pass


def no_dup_mapping(loader, node, deep=False):
    keys = set()
    for k, _ in node.value:
        key = loader.construct_object(k, deep=deep)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(None, None, "complex key", k.start_mark)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, "duplicate key %r" % (key,), k.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_dup_mapping)
Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)


def schema_verdict(validator, path):
    try:
        with open(path, "rb") as f:
            doc = yaml.load(f, Loader=Loader)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError) as e:
        return False, "YAML: %s" % str(e).splitlines()[0]
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        return False, "%s: %s" % ("/".join(map(str, e.path)) or "(top)", e.message[:160])
    return True, ""


def main():
    adt = sys.argv[1]
    loose = "--loose" in sys.argv[2:]
    files = [f for f in sys.argv[2:] if f != "--loose"]
    with open(os.path.join(TOP, "docs", "adtrust.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = agree = across = 0
    for path in files:
        s_ok, why = schema_verdict(validator, path)
        r = subprocess.run([adt, "validate", "-q", "-f", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60)
        a_ok = r.returncode == 0
        if r.returncode not in (0, 1) or b"Sanitizer" in r.stderr:
            print("FAIL %s: adtrust validate exited %d" % (path, r.returncode))
            bad += 1
        elif s_ok == a_ok:
            agree += 1
        elif loose and not a_ok and all(
                any(a in line for a in ACROSS)
                for line in r.stderr.decode(errors="replace").splitlines()):
            across += 1  # adtrust stricter, across objects only
        else:
            bad += 1
            print("FAIL %s: schema says %s, adtrust validate says %s" % (
                path, "valid" if s_ok else "invalid (%s)" % why,
                "valid" if a_ok else "invalid (%s)" % r.stderr.decode(errors="replace").splitlines()[0]))
    print("schema: %d files, %d same verdict, %d rejected by adtrust alone "
          "for problems across objects, %d disagree" % (len(files), agree, across, bad))
    return 1 if bad else 0


sys.exit(main())
