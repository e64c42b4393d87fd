#!/usr/bin/env python3
"""Checks the workspace's layering: no import circle among the modules of any
crate, and ticketpool-core's pool layer never imports the office.

A module's imports are the `crate::a::b` and `super::x` paths in its source
(comments and `#[cfg(test)] mod tests` left out). Exits 1 naming each circle.
Run from the checkout: `python3 scripts/check_layers.py`.
"""
import glob
import os
import re
import sys

CRATES = ["ticketpool-core", "ticketpool-catalog", "ticketpool-seats", "ticketpool-sim",
          "ticketpool-persist", "ticketpool-server", "ticketpool-cli", "ticketpool-py"]


def module_name(src, path):
    rel = os.path.relpath(path, src)[:-3]
    rel = re.sub(r"(^|/)mod$", "", rel)
    return rel.replace("/", "::") or "crate"


def code_of(path):
    text = open(path, encoding="utf-8").read()
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
    return "\n".join(l for l in text.split("\n") if not l.strip().startswith("//"))


def imports(src):
    files = glob.glob(os.path.join(src, "**", "*.rs"), recursive=True)
    mods = {module_name(src, f): f for f in files}
    graph = {}
    for mod, path in mods.items():
        code, deps = code_of(path), set()
        for found in re.findall(r"crate::((?:[a-z_0-9]+::)*[a-z_0-9]+)", code):
            parts = found.split("::")
            for k in range(len(parts), 0, -1):
                if "::".join(parts[:k]) in mods:
                    deps.add("::".join(parts[:k]))
                    break
        parent = mod.rsplit("::", 1)[0] if "::" in mod else ""
        for found in re.findall(r"super::([a-z_0-9]+)", code):
            name = f"{parent}::{found}" if parent else found
            if name in mods:
                deps.add(name)
        graph[mod] = {d for d in deps if d != mod and not d.startswith(mod + "::")
                      and d not in ("crate", "lib", "main")}
    return graph


def circles(graph):
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return found


def main():
    failed = False
    for crate in CRATES:
        graph, bad = imports(os.path.join(crate, "src")), False
        for circle in circles(graph):
            bad = True
            print(f"{crate}: import circle: {' <-> '.join(circle)}")
        if crate == "ticketpool-core":
            for mod, deps in graph.items():
                upward = [d for d in deps if d.startswith("office")]
                if mod.startswith("pool") and upward:
                    bad = True
                    print(f"{crate}: {mod} (pool layer) imports {', '.join(upward)} (office)")
        failed |= bad
        print(f"{crate}: {len(graph)} modules, {'LAYERING BROKEN' if bad else 'no circles'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
