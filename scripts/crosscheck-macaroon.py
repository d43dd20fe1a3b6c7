#!/usr/bin/env python3
"""Cross-check a macaroon minted by the Swift code against pymacaroons.

Usage:
  python3 -m venv /tmp/venv-mac && /tmp/venv-mac/bin/pip install pymacaroons
  /tmp/venv-mac/bin/python scripts/crosscheck-macaroon.py <base64-macaroon> <root-key-hex> [predicate ...]

Deserializes the macaroon with pymacaroons (v2 binary or v1; standard or URL-safe base64),
prints its fields, and verifies it under the root key. The caveats are satisfied as exact
predicates: the ones given on the command line, or, if none are given, the macaroon's own
first-party caveats (so only the HMAC chain is tested). If the identifier is 66 bytes it is also
decoded as an Aperture L402 identifier (version, payment hash, token id).
Exit status 0 when verification succeeds, 1 when it fails, 2 on bad usage.
"""
import binascii
import sys

from pymacaroons import Macaroon, Verifier


def text_or_hex(b):
    try:
        return repr(b.decode("utf-8"))
    except UnicodeDecodeError:
        return "hex:" + binascii.hexlify(b).decode("ascii")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    serialized, root_key_hex = argv[1], argv[2]
    predicates = argv[3:]
    root_key = binascii.unhexlify(root_key_hex)

    m = Macaroon.deserialize(serialized)
    ident = m.identifier_bytes
    print("version:", m.version)
    print("location:", repr(m.location))
    print("identifier hex:", binascii.hexlify(ident).decode("ascii"), "(%d bytes)" % len(ident))
    if len(ident) == 66:
        print("  l402 version:", int.from_bytes(ident[0:2], "big"))
        print("  l402 payment hash:", binascii.hexlify(ident[2:34]).decode("ascii"))
        print("  l402 token id:", binascii.hexlify(ident[34:66]).decode("ascii"))
    print("caveats:", len(m.caveats))
    for i, c in enumerate(m.caveats):
        kind = "first-party" if c.first_party() else "third-party"
        print("  [%d] %s %s" % (i, kind, text_or_hex(c.caveat_id_bytes)))
    print("signature hex:", m.signature)

    if not predicates:
        predicates = [c.caveat_id_bytes.decode("utf-8") for c in m.caveats if c.first_party()]
    v = Verifier()
    for p in predicates:
        v.satisfy_exact(p)
    try:
        ok = v.verify(m, root_key)
    except Exception as e:  # pymacaroons raises on failure
        print("verify: FAILED (%s: %s)" % (type(e).__name__, e))
        return 1
    print("verify:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
