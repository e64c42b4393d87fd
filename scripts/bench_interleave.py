#!/usr/bin/env python3
"""Runs built criterion bench binaries in turn, ROUNDS times, and prints the
median rate of every row per binary and its median ratio to the peers run in
the same binary and round (the before/after comparisons of BENCHMARKS.md).

usage: bench_interleave.py ROUNDS FILTER ITEMS NAME=BINARY...

ITEMS is what one iteration moves (10000 for `throughput`, 20000 for
`box_office`). A NAME ending in `+load` runs its binary under
`../shared/tools/under-load` (every core busy). Build each tree's binary with
`cargo bench --bench NAME --no-run` (the path is printed) and copy it aside.
"""
import collections
import os
import re
import statistics
import subprocess
import sys

PEERS = ("crossbeam-channel", "parking_lot-vecdeque-condvar")


def peers(row: str) -> list:
    """(label, peer row) pairs `row` is compared with in the same run."""
    group, name = row.rsplit("/", 1)
    if name in PEERS:
        return []
    found = [(peer[:9], f"{group}/{peer}") for peer in PEERS]
    if group.startswith("office-") and "-" in name:
        strategy, purchase = name.split("-", 1)
        other = "condvar" if strategy == "lockfree" else "lockfree"
        found.append(("bare", f"{group}/{strategy}-bare"))
        found.append((other, f"{group}/{other}-{purchase}"))
        if purchase == "reserve-confirm":
            found.append(("buy", f"{group}/{strategy}-buy"))
    return [(label, peer) for label, peer in found if peer != row]
UNDER_LOAD = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tools", "under-load")


def run(path: str, pattern: str, loaded: bool) -> dict:
    cmd = [path, "--bench", "--output-format", "bencher", pattern]
    if loaded:
        cmd = [UNDER_LOAD] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = re.finditer(r"^test (\S+) \.\.\. bench:\s+([\d,]+) ns/iter", out, re.M)
    return {m.group(1): int(m.group(2).replace(",", "")) for m in found}


def main() -> None:
    rounds, pattern, items = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    binaries = [arg.split("=", 1) for arg in sys.argv[4:]]
    rates = collections.defaultdict(list)
    ratios = collections.defaultdict(list)
    for done in range(rounds):
        for name, path in binaries:
            times = run(path, pattern, name.endswith("+load"))
            for row, ns in times.items():
                rates[(row, name)].append(items / ns * 1e3)
                for label, peer in peers(row):
                    if peer in times:
                        ratios[(row, name, label)].append(times[peer] / ns)
        print(f"round {done + 1} of {rounds} done", file=sys.stderr, flush=True)
    for (row, name), values in sorted(rates.items()):
        shown = " ".join(
            f"{statistics.median(ratios[(row, name, label)]):.2f}x {label}"
            for label, _ in peers(row)
            if ratios.get((row, name, label))
        )
        per_run = ",".join(f"{v:.2f}" for v in values)
        if "snapshot" in row:  # one call per iteration: a time, not a rate
            print(f"{row:45s} {name:12s} {items / statistics.median(values) * 1e3:9.0f} ns")
            continue
        print(f"{row:45s} {name:12s} {statistics.median(values):7.3f} M/s  {shown}  [{per_run}]")


if __name__ == "__main__":
    main()
