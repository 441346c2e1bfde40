#!/usr/bin/env python3
"""Cross-checks our identifier validators against python-stdnum (the external referee).

Reads `kind,code,ours` lines (from `sanshe ids sample`) on standard input and compares each verdict
with stdnum.cn.uscc / stdnum.cn.ric. Exits 1 on any disagreement, listing the first ones."""
import csv
import sys

from stdnum.cn import ric, uscc

def main() -> int:
    total = agree = 0
    by_kind = {}
    mismatches = []
    for row in csv.DictReader(sys.stdin):
        kind, code, ours = row["kind"], row["code"], row["ours"] == "valid"
        theirs = (uscc if kind == "uscc" else ric).is_valid(code)
        total += 1
        k = by_kind.setdefault(kind, [0, 0, 0])  # checked, valid, agreed
        k[0] += 1
        k[1] += ours
        if ours == theirs:
            agree += 1
            k[2] += 1
        elif len(mismatches) < 20:
            mismatches.append((kind, code, ours, theirs))
    for kind, (n, valid, ok) in sorted(by_kind.items()):
        print(f"{kind}: {n} codes ({valid} valid, {n - valid} invalid), {ok} agree with stdnum")
    for m in mismatches:
        print("MISMATCH kind=%s code=%s ours=%s stdnum=%s" % m)
    print(f"{agree} passed, {total - agree} failed")
    return 0 if total >= 100_000 and agree == total else 1

if __name__ == "__main__":
    sys.exit(main())
