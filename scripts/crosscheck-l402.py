#!/usr/bin/env python3
"""Cross-check an L402 challenge from the ProofLayer market with standard, independent decoders.

Decodes the BOLT11 invoice with the `bolt11` PyPI package and the macaroon with `pymacaroons`, then checks
that they form one L402 challenge for the given budget:
  - the invoice decodes (bech32 checksum, signature) and its amount is exactly budget_sats * 1000 msat;
  - the macaroon deserializes; its identifier is Aperture's 66 bytes: u16 version 0 | 32-byte payment hash |
    32-byte token id, and that payment hash is the invoice's payment hash;
  - its caveats bind the budget (`<service>_budget_sats=<budget>`), and, when present, its
    `<service>_valid_until` equals the invoice's expiry (timestamp + expiry).
Prints a JSON summary on stdout. Exit status: 0 all checks pass, 1 a mismatch, 2 bad usage or undecodable input.
The macaroon signature is not verified (that needs the market's root key); the Swift tests cover it.

Setup (once):  python3 -m venv /tmp/venv-l402 && /tmp/venv-l402/bin/pip install bolt11 "bitstring<5" pymacaroons
               (bolt11 2.x imports ConstBitStream, which bitstring 5 removed)
Usage:         /tmp/venv-l402/bin/python scripts/crosscheck-l402.py <base64-macaroon> <bolt11-invoice> <budget-sats>
"""
import binascii
import json
import sys


def caveat_text(c):
    try:
        return c.caveat_id_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + binascii.hexlify(c.caveat_id_bytes).decode("ascii")


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    macaroon_b64, invoice_text, budget_text = argv[1], argv[2].strip(), argv[3]
    try:
        budget_sats = int(budget_text)
    except ValueError:
        print(f"budget must be a whole number of sats, got {budget_text!r}", file=sys.stderr)
        return 2

    import bolt11
    from pymacaroons import Macaroon

    summary = {"budget_sats": budget_sats}
    try:
        inv = bolt11.decode(invoice_text)
    except Exception as exc:
        summary["error"] = f"invoice does not decode: {type(exc).__name__}: {exc}"
        print(json.dumps(summary, indent=2))
        return 2
    try:
        mac = Macaroon.deserialize(macaroon_b64)
    except Exception as exc:
        summary["error"] = f"macaroon does not deserialize: {type(exc).__name__}: {exc}"
        print(json.dumps(summary, indent=2))
        return 2

    amount_msat = int(inv.amount_msat) if inv.amount_msat is not None else None
    invoice_expires_at = int(inv.date) + int(inv.expiry)
    summary["invoice"] = {
        "prefix": invoice_text[: 2 + len(inv.currency)].lower(),
        "currency": inv.currency,
        "amount_msat": amount_msat,
        "timestamp": inv.date,
        "expiry": inv.expiry,
        "expires_at": invoice_expires_at,
        "payment_hash": inv.payment_hash,
        "payment_secret": inv.payment_secret,
        "description": inv.description,
        "payee": inv.payee,
    }

    ident = mac.identifier_bytes
    caveats = [caveat_text(c) for c in mac.caveats]
    summary["macaroon"] = {
        "version": mac.version,
        "location": mac.location,
        "identifier_bytes": len(ident),
        "caveats": caveats,
        "signature": mac.signature,
    }
    checks = {}
    checks["amount_msat == budget_sats * 1000"] = amount_msat == budget_sats * 1000
    checks["identifier is 66 bytes"] = len(ident) == 66
    if len(ident) >= 2:
        version = int.from_bytes(ident[0:2], "big")
        summary["macaroon"]["l402_version"] = version
        checks["identifier version == 0"] = version == 0
    if len(ident) == 66:
        mac_hash = binascii.hexlify(ident[2:34]).decode("ascii")
        summary["macaroon"]["l402_payment_hash"] = mac_hash
        summary["macaroon"]["l402_token_id"] = binascii.hexlify(ident[34:66]).decode("ascii")
        checks["identifier payment hash == invoice payment hash"] = mac_hash == inv.payment_hash
    else:
        checks["identifier payment hash == invoice payment hash"] = False

    conditions = {}
    for text in caveats:
        if "=" in text:
            cond, value = text.split("=", 1)
            conditions.setdefault(cond, []).append(value)
    budgets = [v for cond, vs in conditions.items() if cond.endswith("_budget_sats") for v in vs]
    checks["a budget caveat states budget_sats"] = bool(budgets) and budgets[-1] == str(budget_sats)
    valid_until = [v for cond, vs in conditions.items() if cond.endswith("_valid_until") for v in vs]
    if valid_until:
        checks["valid_until caveat == invoice expiry"] = valid_until[0] == str(invoice_expires_at)

    summary["checks"] = checks
    summary["ok"] = all(checks.values())
    print(json.dumps(summary, indent=2))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
