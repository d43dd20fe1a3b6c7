#!/usr/bin/env python3
"""Decode BOLT11 invoices with the independent `bolt11` PyPI library and print the fields
the Swift implementation is compared on.

Setup (once):  python3 -m venv /tmp/venv-bolt11 && /tmp/venv-bolt11/bin/pip install bolt11 "bitstring<5"
               (bolt11 2.2.0 imports ConstBitStream, which bitstring 5 removed)
Usage:         /tmp/venv-bolt11/bin/python scripts/crosscheck-bolt11.py INVOICE [INVOICE ...]
Exit status is non-zero if any invoice fails to decode. The Swift tests never need this script.
"""
import sys

import bolt11


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failures = 0
    for text in argv[1:]:
        try:
            inv = bolt11.decode(text)
        except Exception as exc:  # report every failure, keep going
            print(f"invoice: {text[:40]}...\n  ERROR {type(exc).__name__}: {exc}")
            failures += 1
            continue
        print(f"invoice: {text[:40]}...")
        print(f"  currency:        {inv.currency}")
        print(f"  amount_msat:     {int(inv.amount_msat) if inv.amount_msat is not None else None}")
        print(f"  timestamp:       {inv.date}")
        print(f"  payment_hash:    {inv.payment_hash}")
        print(f"  payment_secret:  {inv.payment_secret}")
        print(f"  description:     {inv.description!r}")
        print(f"  expiry:          {inv.expiry}")
        print(f"  min_final_cltv:  {inv.min_final_cltv_expiry}")
        print(f"  payee:           {inv.payee}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
