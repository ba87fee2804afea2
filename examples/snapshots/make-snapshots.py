#!/usr/bin/env python3
"""Writes the example LDIF snapshots (what `ldapsearch -LLL` exports of a
domain object, its crossRef, its rootDSE and CN=System's trustedDomain
objects look like).  The LDIF files are committed; run this only to change
them:  python3 examples/snapshots/make-snapshots.py"""
import base64, os, struct, uuid, hashlib

HERE = os.path.dirname(os.path.abspath(__file__))
DOM = {
    "engineering.contoso.com": ("ENGINEERING", "S-1-5-21-1004336348-1177238915-682003330"),
    "marketing.contoso.com": ("MARKETING", "S-1-5-21-2127521184-1604012920-1887927527"),
    "usa-chicago.contoso.com": ("USA-CHICAGO", "S-1-5-21-3623811015-3361044348-30300820"),
    "northamerica.contoso.com": ("NORTHAMERICA", "S-1-5-21-1715567821-926492609-725345543"),
    "emea.fabrikam.com": ("EMEA", "S-1-5-21-4054027134-3251639489-2135485390"),
    "old.fabrikam.com": ("OLDFAB", "S-1-5-21-2000000001-2000000002-2000000003"),
    "ATHENA.MIT.EDU": ("ATHENA.MIT.EDU", None),
}
TS = bytes.fromhex("ba4cdb013fd480ab")  # a Windows-order FILETIME (2024-12)

def sid_bin(s):
    p = s.split("-")
    subs = [int(x) for x in p[3:]]
    return bytes([1, len(subs)]) + int(p[2]).to_bytes(6, "big") + b"".join(struct.pack("<I", x) for x in subs)

def dn_of(name):
    return ",".join("DC=" + x for x in name.lower().split("."))

def b64(b):
    return base64.b64encode(b).decode()

def fold(line):
    out = [line[:76]]
    line = line[76:]
    while line:
        out.append(" " + line[:75])
        line = line[75:]
    return "\n".join(out)

def u8name(s):
    b = s.encode()
    return struct.pack("<I", len(b)) + b

def fti(records):
    body = b""
    for typ, flags, data in records:
        rec = struct.pack("<I", flags) + TS + bytes([typ]) + data
        body += struct.pack("<I", len(rec)) + rec
    return struct.pack("<II", 1, len(records)) + body

def tln(name, flags=0, ex=False):
    return (1 if ex else 0, flags, u8name(name))

def dominfo(name):
    nb, sid = DOM[name]
    s = sid_bin(sid)
    return (2, 0, struct.pack("<I", len(s)) + s + u8name(name) + u8name(nb))

def guid(domain, partner):
    return uuid.UUID(bytes=hashlib.sha256(f"{domain}/{partner}".encode()).digest()[:16]).bytes_le

def domain_ldif(name, vendor=None):
    nb, sid = DOM[name]
    dn = dn_of(name)
    out = [f"# {name}: rootDSE, domain object and crossRef",
           "dn:", f"defaultNamingContext: {dn}", f"rootDomainNamingContext: {dn}",
           "domainFunctionality: 7"]
    if vendor:
        out.append(f"vendorName: {vendor}")
    out += ["", f"dn: {dn}", "objectClass: top", "objectClass: domain", "objectClass: domainDNS",
            f"name: {name.split('.')[0]}", f"objectSid:: {b64(sid_bin(sid))}", "msDS-Behavior-Version: 7", "",
            f"dn: CN={nb},CN=Partitions,CN=Configuration,{dn}", "objectClass: top", "objectClass: crossRef",
            f"nCName: {dn}", f"dnsRoot: {name}", f"nETBIOSName: {nb}", ""]
    return "\n".join(out) + "\n"

def tdo(holder, partner, direction, attrs, enc=None, records=None, typ=2):
    nb, sid = DOM[partner]
    dn = f"CN={partner},CN=System,{dn_of(holder)}"
    out = [f"dn: {dn}", "objectClass: top", "objectClass: leaf", "objectClass: trustedDomain",
           f"cn: {partner}", f"trustPartner: {partner}", f"flatName: {nb}"]
    if sid:
        out.append(fold(f"securityIdentifier:: {b64(sid_bin(sid))}"))
    out += [f"trustDirection: {direction}", f"trustType: {typ}", f"trustAttributes: {attrs}"]
    if enc is not None:
        out.append(f"msDS-SupportedEncryptionTypes: {enc}")
    if records is not None:
        out.append(fold(f"msDS-TrustForestTrustInfo:: {b64(fti(records))}"))
    out.append(fold(f"objectGUID:: {b64(guid(holder, partner))}"))
    out.append("whenChanged: 20261101120000.0Z")
    return "\n".join(out) + "\n\n"

def write(snap, domains, tdos):
    d = os.path.join(HERE, snap)
    os.makedirs(d, exist_ok=True)
    for name, vendor in domains:
        body = domain_ldif(name, vendor)
        body += "".join(t for h, t in tdos if h == name)
        with open(os.path.join(d, name.split(".")[0] + ".ldif"), "w") as f:
            f.write(body)

E, M, U, N, F, O, A = ("engineering.contoso.com", "marketing.contoso.com", "usa-chicago.contoso.com",
                       "northamerica.contoso.com", "emea.fabrikam.com", "old.fabrikam.com", "ATHENA.MIT.EDU")
FOREST_NA = [tln(F), dominfo(F)]
FOREST_EMEA_REV = [tln(N), dominfo(N)]

write("demo", [(E, None), (M, None), (U, None), (N, None), (F, None)], [
    (E, tdo(E, O, 2, 4, 24)),
    (U, tdo(U, N, 2, 4, 4)),
    (N, tdo(N, U, 1, 0, 24)),
    (N, tdo(N, F, 3, 8 | 16, 16, FOREST_NA)),
    (F, tdo(F, N, 3, 8 | 16, 16, FOREST_EMEA_REV)),
])
write("one-way", [(U, None), (N, None)], [])
write("two-way", [(E, None), (M, None)], [(E, tdo(E, M, 3, 4, 24))])
write("realm-outbound", [(N, None)], [])
write("realm-inbound", [(N, None)], [(N, tdo(N, A, 1, 1, 24, typ=3))])
write("remove", [(U, None), (N, None)], [(U, tdo(U, N, 2, 4, 24)), (N, tdo(N, U, 1, 0, 24))])
write("name-suffixes", [(N, None), (F, None)], [
    (N, tdo(N, F, 3, 8, 24, [tln(F), tln("partners.fabrikam.com", 1), tln("legacy.fabrikam.com"), dominfo(F)])),
    (F, tdo(F, N, 3, 8, 16, FOREST_EMEA_REV)),
])
write("wizard-this-side", [(E, None), (M, None)], [])
