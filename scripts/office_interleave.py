#!/usr/bin/env python3
"""Runs built `box_office` bench binaries in turn, ROUNDS times, and prints
the median time of every row per binary, with the slowest and fastest run (the interleaved before/after
comparison of BENCHMARKS.md, issue 14).

usage: office_interleave.py ROUNDS FILTER NAME=BINARY...

Build each tree's binary with `cargo bench --bench box_office --no-run`
(the path is printed) and copy it aside first. Rows move 20,000 tickets
per iteration; snapshot rows are one call.
"""
import collections
import re
import statistics
import subprocess
import sys

TICKETS = 20_000


def main() -> None:
    rounds, pattern = int(sys.argv[1]), sys.argv[2]
    binaries = [arg.split("=", 1) for arg in sys.argv[3:]]
    times = collections.defaultdict(list)
    for done in range(rounds):
        for name, path in binaries:
            out = subprocess.run(
                [path, "--bench", "--warm-up-time", "0.5", "--measurement-time", "1",
                 "--output-format", "bencher", pattern],
                capture_output=True, text=True, check=True,
            ).stdout
            for m in re.finditer(r"^test (\S+) \.\.\. bench:\s+([\d,]+) ns/iter", out, re.M):
                times[(m.group(1), name)].append(int(m.group(2).replace(",", "")))
        print(f"round {done + 1} of {rounds} done", file=sys.stderr, flush=True)
    for (row, name), values in sorted(times.items()):
        median = statistics.median(values)
        # The spread too: the office rows are bimodal on a shared machine
        # (BENCHMARKS.md), and a median alone hides which mode it is.
        if "snapshot" in row:
            shown = f"{median:10.0f} ns  [{min(values)}-{max(values)}]"
        else:
            rate = lambda ns: TICKETS / ns * 1e3
            # Every run, in order: how many landed in each mode.
            runs = " ".join(f"{rate(ns):.2f}" for ns in values)
            shown = (f"{rate(median):8.3f} M tickets/s"
                     f"  [{rate(max(values)):.2f}-{rate(min(values)):.2f}]  runs: {runs}")
        print(f"{row:40s} {name:8s} {shown}  (n={len(values)})")


if __name__ == "__main__":
    main()
