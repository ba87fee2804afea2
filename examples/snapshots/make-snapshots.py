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
    # the audit snapshot (examples/snapshots/audit: one case per rule)
    "hq.contoso.com": ("HQ", "S-1-5-21-3000000001-3000000002-3000000003"),
    "eu.hq.contoso.com": ("EU", "S-1-5-21-3000000011-3000000012-3000000013"),
    "fabrikam.com": ("FABRIKAM", "S-1-5-21-3000000021-3000000022-3000000023"),
    "tailspin.com": ("TAILSPIN", "S-1-5-21-3000000031-3000000032-3000000033"),
    "adatum.com": ("ADATUM", "S-1-5-21-3000000041-3000000042-3000000043"),
    "northwind.com": ("NORTHWIND", "S-1-5-21-3000000051-3000000052-3000000053"),
    "litware.com": ("LITWARE", "S-1-5-21-3000000061-3000000062-3000000063"),
    "old.litware.com": ("OLDLIT", "S-1-5-21-3000000071-3000000072-3000000073"),
    "migr.wingtip.com": ("WINGMIGR", "S-1-5-21-3000000081-3000000082-3000000083"),
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

def domain_ldif(name, vendor=None, root=None):
    nb, sid = DOM[name]
    dn = dn_of(name)
    out = [f"# {name}: rootDSE, domain object and crossRef",
           "dn:", f"defaultNamingContext: {dn}", f"rootDomainNamingContext: {dn_of(root or name)}",
           "domainFunctionality: 7"]
    if vendor:
        out.append(f"vendorName: {vendor}")
    out += ["", f"dn: {dn}", "objectClass: top", "objectClass: domain", "objectClass: domainDNS",
            f"name: {name.split('.')[0]}", f"objectSid:: {b64(sid_bin(sid))}", "msDS-Behavior-Version: 7", "",
            f"dn: CN={nb},CN=Partitions,CN=Configuration,{dn_of(root or name)}", "objectClass: top", "objectClass: crossRef",
            f"nCName: {dn}", f"dnsRoot: {name}", f"nETBIOSName: {nb}", ""]
    return "\n".join(out) + "\n"

def replmeta(times):
    """replPropertyMetaData: (attid, seconds since 1601) entries, 48 bytes each."""
    body = b""
    for attid, t in times:
        body += struct.pack("<IIQ", attid, 1, t) + guid("dsa", "x") + struct.pack("<qq", 4000, 4000)
    return struct.pack("<IIII", 1, 0, len(times), 0) + body

def nt_secs(y, m, d):
    import datetime
    return int((datetime.datetime(y, m, d) - datetime.datetime(1601, 1, 1)).total_seconds())

def tdo(holder, partner, direction, attrs, enc=None, records=None, typ=2, meta=None):
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
    if meta is not None:
        out.append(fold(f"replPropertyMetaData:: {b64(replmeta(meta))}"))
    out.append("whenChanged: 20261101120000.0Z")
    return "\n".join(out) + "\n\n"

def write(snap, domains, tdos, roots={}):
    d = os.path.join(HERE, snap)
    os.makedirs(d, exist_ok=True)
    for name, vendor in domains:
        body = domain_ldif(name, vendor, roots.get(name))
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

# The audit examples: one true and one false positive per rule (see
# examples/audit/README.md).  Secrets: trustAuthOutgoing 0x00090087,
# trustAuthIncoming 0x00090081 in replPropertyMetaData.
HQ, EU, FAB, TAIL, ADA, NW, LIT, OLD, MIG = ("hq.contoso.com", "eu.hq.contoso.com", "fabrikam.com",
    "tailspin.com", "adatum.com", "northwind.com", "litware.com", "old.litware.com", "migr.wingtip.com")
OUT, IN = 0x00090087, 0x00090081
OLD_T, NEW_T = nt_secs(2024, 1, 15), nt_secs(2026, 11, 1)
write("audit", [(HQ, None), (EU, None), (FAB, None), (TAIL, None), (ADA, None)], [
    (HQ, tdo(HQ, EU, 3, 0x20, 24)),
    (EU, tdo(EU, HQ, 3, 0x20, 24)),
    (HQ, tdo(HQ, FAB, 3, 0x8 | 0x10 | 0x200, 28, [tln(FAB)], meta=[(OUT, NEW_T), (IN, NEW_T)])),
    (FAB, tdo(FAB, HQ, 3, 0x8 | 0x40 | 0x800, 24, [tln(HQ)], meta=[(OUT, NEW_T), (IN, NEW_T)])),
    (HQ, tdo(HQ, TAIL, 3, 0, 4, meta=[(OUT, OLD_T), (IN, NEW_T)])),
    (TAIL, tdo(TAIL, HQ, 1, 0, 24)),
    (HQ, tdo(HQ, ADA, 2, 0x4 | 0x10, 24)),
    (HQ, tdo(HQ, NW, 3, 0x8 | 0x10)),
    (HQ, tdo(HQ, LIT, 2, 0x8 | 0x10 | 0x200 | 0x1000)),
    (HQ, tdo(HQ, OLD, 2, 0x4 | 0x10, typ=1)),
    (HQ, tdo(HQ, MIG, 2, 0x10, 24)),
    (HQ, tdo(HQ, A, 1, 1, 24, typ=3)),
], roots={EU: HQ})
