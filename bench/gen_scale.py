#!/usr/bin/env python3
"""Desired state + LDIF snapshot of N trusts, for bench/scale.sh.

gen_scale.py N OUTDIR [DOMAINS]

DOMAINS managed domains (default 50) hold N one-side trusts between them
and N partner domains (declared, not managed): three in four external,
one in four forest with name suffixes.  The snapshot holds every managed
domain and its TDOs as the file says, so the plan is mostly no-ops, with
the forest trusts' name suffixes to add (no forest trust info is read).
"""
import base64
import os
import struct
import sys
import uuid


def sid_bin(a, b, c):
    return struct.pack("<BB", 1, 4) + (5).to_bytes(6, "big") + struct.pack("<IIII", 21, a, b, c)


def b64(x):
    return base64.b64encode(x).decode()


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    nd = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    snap = os.path.join(out, "snapshot")
    os.makedirs(snap, exist_ok=True)
    y = ["version: 1", "domains:"]
    for d in range(nd):
        y += ["  - name: d%03d.scale.test" % d, "    netbios: D%03d" % d,
              "    sid: S-1-5-21-100-200-%d" % (1000 + d),
              "    ldap: ldap://dc.d%03d.scale.test" % d]
    for p in range(n):
        y += ["  - name: p%06d.partner.test" % p, "    netbios: P%06d" % p,
              "    sid: S-1-5-21-300-400-%d" % (1000 + p)]
    y.append("trusts:")
    ldif = [[] for _ in range(nd)]
    for d in range(nd):
        dn = "DC=d%03d,DC=scale,DC=test" % d
        ldif[d] += ["dn:", "defaultNamingContext: " + dn, "rootDomainNamingContext: " + dn,
                    "domainFunctionality: 7", "",
                    "dn: " + dn, "objectClass: top", "objectClass: domain", "objectClass: domainDNS",
                    "objectSid:: " + b64(sid_bin(100, 200, 1000 + d)), "",
                    "dn: CN=D%03d,CN=Partitions,CN=Configuration,%s" % (d, dn), "objectClass: crossRef",
                    "nCName: " + dn, "dnsRoot: d%03d.scale.test" % d, "nETBIOSName: D%03d" % d, ""]
    for p in range(n):
        d = p % nd
        forest = p % 4 == 3
        partner = "p%06d.partner.test" % p
        y += ["  - trusting: d%03d.scale.test" % d, "    trusted: " + partner,
              "    direction: two-way", "    type: %s" % ("forest" if forest else "external"),
              "    sides: trusting", "    password: { env: SCALE_TRUST_PW }",
              "    encryption: [aes128, aes256]"]
        if forest:
            y += ["    name_suffixes:", "      enable: [%s]" % partner]
        else:
            y += ["    sid_filtering: true"]
        ldif[d] += ["dn: CN=%s,CN=System,DC=d%03d,DC=scale,DC=test" % (partner, d),
                    "objectClass: top", "objectClass: leaf", "objectClass: trustedDomain",
                    "cn: " + partner, "trustPartner: " + partner, "flatName: P%06d" % p,
                    "securityIdentifier:: " + b64(sid_bin(300, 400, 1000 + p)),
                    "trustDirection: 3", "trustType: 2",
                    "trustAttributes: %d" % (8 if forest else 4),
                    "msDS-SupportedEncryptionTypes: 24",
                    "objectGUID:: " + b64(uuid.UUID(int=p + 1).bytes_le), ""]
    with open(os.path.join(out, "trusts.yaml"), "w") as f:
        f.write("\n".join(y) + "\n")
    for d in range(nd):
        with open(os.path.join(snap, "d%03d.ldif" % d), "w") as f:
            f.write("\n".join(ldif[d]) + "\n")


if __name__ == "__main__":
    main()
