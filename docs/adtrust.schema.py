#!/usr/bin/env python3
"""Writes docs/adtrust.schema.json (JSON Schema 2020-12 of the desired state,
for editors through yaml-language-server) to stdout: python3 docs/adtrust.schema.py >docs/adtrust.schema.json.
model/schema.c and model/validate.c are the truth; this mirrors them, and
tests/schema/run.sh checks that both give every test file the same verdict
and that the JSON is what this script writes.  Enum values and booleans are
case-insensitive in adtrust (libcyaml), hence the character-class patterns."""
import json, re
def ci(words):
    def one(w):
        return ''.join('[%s%s]' % (c.upper(), c.lower()) if c.isalpha() else re.escape(c) for c in w)
    return '^(?:' + '|'.join(one(w) for w in words) + ')$'
def enum(words, desc):
    return {"description": desc, "anyOf": [{"enum": words}, {"type": "string", "pattern": ci(words)}]}
def s(lo, hi, desc, **kw):
    d = {"description": desc, "type": ["string", "number"], "minLength": lo, "maxLength": hi}
    d.update(kw)
    return d
def b(desc):
    return {"description": desc, "anyOf": [{"type": "boolean"}, {"type": "string", "pattern": ci(["true","false","yes","no","on","off"])}]}
DNS = r"^(?=.{1,253}$)[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*$"
DNS_WILD = r"^(?:\*\.)?(?=.{1,253}$)[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*$"
def ref(n): return {"$ref": "#/$defs/" + n}
def const_ci(word):
    return {"type": "string", "pattern": ci([word])}
def is_true():
    return {"anyOf": [{"const": True}, {"type": "string", "pattern": ci(["true","yes","on"])}]}
def is_false():
    return {"anyOf": [{"const": False}, {"type": "string", "pattern": ci(["false","no","off"])}]}
FIELDS = ["direction","type","flat_name","sid","encryption","name_suffixes","transitive","uplevel_only","sid_filtering","sid_history","selective_authentication","uses_rc4","uses_aes","tgt_delegation","pim","auth_target_validation"]
ENC = ["des-cbc-crc","des-cbc-md5","rc4","aes128","aes256","aes256-sk"]
side_opts = {
    "selective_authentication": b("CROSS_ORGANIZATION (0x10) on OUTBOUND sides (netdom /SelectiveAuth)"),
    "sid_filtering": b("external/shortcut: QUARANTINED_DOMAIN (0x4); forest: not TREAT_AS_EXTERNAL (0x40) (netdom /Quarantine)"),
    "sid_history": b("forest only: TREAT_AS_EXTERNAL (0x40) (netdom /EnableSIDHistory)"),
    "tgt_delegation": b("true: ENABLE_TGT_DELEGATION (0x800) set, NO_TGT_DELEGATION (0x200) clear; false: the reverse"),
    "auth_target_validation": b("not DISABLE_AUTH_TARGET_VALIDATION (0x1000)"),
    "encryption": {"description": "msDS-SupportedEncryptionTypes on every side",
                   "type": "array", "items": enum(ENC, "an encryption type")},
}
# sid_history contradicting sid_filtering (both TREAT_AS_EXTERNAL)
no_contradiction = {"not": {"anyOf": [
    {"required": ["sid_history", "sid_filtering"], "properties": {"sid_history": is_true(), "sid_filtering": is_true()}},
    {"required": ["sid_history", "sid_filtering"], "properties": {"sid_history": is_false(), "sid_filtering": is_false()}}]}}
realm_forbidden = ["sid_filtering", "selective_authentication", "sid_history", "tgt_delegation"]
schema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://adtrust.invalid/schema/adtrust.schema.json",
  "title": "adtrust desired state, version 1",
  "description": "Active Directory trusts as adtrust(1) keeps them; see adtrust-yaml(5) and docs/schema.md. model/schema.c and model/validate.c are the truth: 'adtrust validate' also checks what a JSON Schema cannot express across objects (names declared twice, references to undeclared domains or credentials, a domain trusting itself, override/ignore sides, realm trusts needing an MIT realm side, name suffix overlaps).",
  "type": "object",
  "required": ["version"],
  "additionalProperties": False,
  "properties": {
    "version": {"description": "must be 1", "anyOf": [{"const": 1}, {"const": "1"}]},
    "domains": {"description": "every domain a trust names", "type": "array", "items": ref("domain")},
    "credentials": {"description": "how adtrust authenticates to a domain", "type": "array", "items": ref("credential")},
    "trusts": {"type": "array", "items": ref("trust")},
    "policy": ref("policy"),
  },
  "$defs": {
    "policy": {
      "description": "audit rules enforced as errors by plan and apply (adtrust audit --rules lists them)",
      "type": "object", "additionalProperties": False,
      "properties": {
        "enforce": {"description": "rule ids or names (ADT001, sid-filtering-off, ...)", "type": "array", "items": s(1, 64, "a rule id or name")},
        "allow_sid_history": {"description": "domains that may keep SID history across a forest trust (migrations)", "type": "array", "items": s(1, 255, "a DNS domain name")},
        "max_secret_age_days": {"description": "when a trust secret counts as not rotated", "type": "integer", "minimum": 0},
        "waivers": {"type": "array", "items": ref("waiver")},
      },
    },
    "waiver": {
      "type": "object", "additionalProperties": False, "required": ["rule", "trust", "reason", "until"],
      "properties": {
        "rule": s(1, 64, "the rule waived (id or name)"),
        "trust": s(3, 511, "TRUSTING:TRUSTED, as declared"),
        "reason": s(1, 1024, "why (a change number)"),
        "until": s(10, 10, "YYYY-MM-DD: in force until the end of that day"),
      },
    },
    "secret": {
      "description": "a secret reference: exactly one of env, file, prompt (never a literal)",
      "type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
      "properties": {
        "env": s(1, 255, "an environment variable"),
        "file": s(1, 4095, "a file whose first line is the secret"),
        "prompt": s(1, 255, "asked on the terminal"),
      },
    },
    "domain": {
      "type": "object", "additionalProperties": False, "required": ["name"],
      "properties": {
        "name": s(1, 255, "DNS name (AD) or realm name (MIT): the key", pattern=DNS),
        "netbios": s(1, 15, "NetBIOS (flat) name"),
        "sid": s(1, 191, "domain SID, S-1-5-21-a-b-c", pattern=r"^S-1-5-21-[0-9]{1,10}-[0-9]{1,10}-[0-9]{1,10}$"),
        "kind": enum(["ad", "mit-realm"], "ad (default) or mit-realm"),
        "ldap": s(1, 1024, "ldap:// (GSSAPI, sign+seal) or ldaps:// URI of a DC: the read path", pattern=r"^[Ll][Dd][Aa][Pp][Ss]?://"),
        "rpc": s(1, 255, "DC for LSA writes (default: the host of ldap)"),
        "kadmin": s(1, 255, "MIT realms: the kadmin server"),
        "credentials": s(1, 255, "name of a credential"),
        "starttls": b("StartTLS on ldap:// for a simple bind"),
        "service": s(1, 255, "a service principal of this domain that verify asks a ticket for (MIT realms have no DC to derive cifs/ from)"),
      },
      "if": {"not": {"required": ["kind"], "properties": {"kind": const_ci("mit-realm")}}},
      "then": {"not": {"required": ["kadmin"]}},
    },
    "credential": {
      "type": "object", "additionalProperties": False, "required": ["name", "method"],
      "properties": {
        "name": s(1, 255, "its name"),
        "method": enum(["kerberos", "password", "keytab"], "kerberos (the credential cache), password, or keytab (kadmin of an MIT realm)"),
        "user": s(1, 255, "password method: user@REALM"),
        "password": ref("secret"),
        "ccache": s(1, 4095, "kerberos method: the credential cache"),
        "keytab": s(1, 4095, "keytab method: the keytab file"),
      },
      "allOf": [
        {"if": {"properties": {"method": const_ci("password")}}, "then": {"required": ["user", "password"]}},
        {"if": {"properties": {"method": const_ci("kerberos")}}, "then": {"not": {"required": ["password"]}}},
        {"if": {"properties": {"method": const_ci("keytab")}}, "then": {"required": ["user", "keytab"], "not": {"required": ["password"]}}},
        {"if": {"not": {"properties": {"method": const_ci("keytab")}}}, "then": {"not": {"required": ["keytab"]}}},
      ],
    },
    "override": {
      "type": "object", "additionalProperties": False, "required": ["domain"],
      "properties": dict({"domain": s(1, 255, "one side of the trust")}, **side_opts),
    },
    "ignore": {
      "type": "object", "additionalProperties": False, "required": ["field", "until", "reason"],
      "properties": {
        "field": {"description": "the field whose drift is known", "type": ["string", "number"], "minLength": 1, "maxLength": 64, "examples": FIELDS},
        "until": s(10, 10, "YYYY-MM-DD: in force until the end of that day"),
        "reason": s(1, 1024, "why (a change number)"),
        "side": s(1, 255, "only this side of the trust"),
      },
    },
    "trust": {
      "type": "object", "additionalProperties": False, "required": ["trusting", "trusted", "type"],
      "properties": dict({
        "trusting": s(1, 255, "its resources are shared (netdom's first argument)"),
        "trusted": s(1, 255, "its users get access (netdom /Domain:)"),
        "ensure": enum(["present", "absent"], "present (default) or absent"),
        "direction": enum(["one-way", "two-way"], "one-way (default) or two-way"),
        "type": enum(["external", "forest", "realm", "shortcut"], "the trust type"),
        "sides": enum(["both", "trusting", "trusted"], "which sides adtrust manages (netdom /OneSide)"),
        "password": ref("secret"),
        "transitive": b("realm only: not NON_TRANSITIVE (0x1)"),
        "pim": b("forest only: PIM_TRUST (0x400)"),
        "uplevel_only": b("UPLEVEL_ONLY (0x2)"),
        "uses_rc4": b("realm only: USES_RC4_ENCRYPTION (0x80)"),
        "uses_aes": b("USES_AES_KEYS (0x100)"),
        "name_suffixes": {
          "description": "forest only: routing of the partner's names",
          "type": "object", "additionalProperties": False,
          "properties": {
            "enable": {"type": "array", "items": s(1, 255, "a name suffix", pattern=DNS_WILD)},
            "disable": {"type": "array", "items": s(1, 255, "a name suffix", pattern=DNS_WILD)},
            "exclude": {"type": "array", "items": s(1, 255, "an exclusion", pattern=DNS_WILD)},
            "unlisted": enum(["keep", "disable"], "keep or disable"),
          },
        },
        "override": {"description": "per-side values", "type": "array", "items": ref("override")},
        "protect": b("delete/replace only with --allow-destroy"),
        "ignore": {"description": "known drift, with an expiry and a reason", "type": "array", "items": ref("ignore")},
      }, **side_opts),
      "allOf": [
        # the checks of model/validate.c, which skips them for ensure: absent
        {"if": {"not": {"required": ["ensure"], "properties": {"ensure": const_ci("absent")}}},
         "then": {"allOf": [
          no_contradiction,
          {"properties": {"override": {"items": no_contradiction},
                          "ignore": {"items": {"properties": {"field": {"enum": FIELDS},
                            "until": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},
                            "allOf": [{"properties": {"until": {"pattern": r"^(?:[2-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"}}}]}}}},
          {"if": {"not": {"properties": {"type": const_ci("forest")}}},
           "then": {"not": {"anyOf": [{"required": ["sid_history"]}, {"required": ["name_suffixes"]},
                                      {"required": ["pim"]},
                                      {"required": ["override"], "properties": {"override": {"contains": {"required": ["sid_history"]}}}}]}}},
          {"if": {"not": {"properties": {"type": const_ci("realm")}}},
           "then": {"not": {"anyOf": [{"required": ["transitive"]}, {"required": ["uses_rc4"]}]}}},
          {"if": {"properties": {"type": const_ci("realm")}},
           "then": {"required": ["password"],
                    "not": {"anyOf": [{"required": [k]} for k in realm_forbidden] +
                                     [{"required": ["override"], "properties": {"override": {"contains": {"anyOf": [{"required": [k]} for k in realm_forbidden]}}}}]}}},
          {"if": {"required": ["sides"], "not": {"properties": {"sides": const_ci("both")}}}, "then": {"required": ["password"]}},
        ]}},
      ],
    },
  },
}
print(json.dumps(schema, indent=2))
