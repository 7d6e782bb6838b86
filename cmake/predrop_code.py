#!/usr/bin/env python3
"""Lists the project code asimdns-capture can run as root, before it drops its privileges
(ninja predrop-code).

Method (a source-level call graph, an over-approximation by design):
  roots    every project function named in capture/main.c's main() before the call that
           leads to ad_privdrop, and in each helper of main.c on that way before its next
           link (the start-up: arguments, configuration, ring; a source that opens before
           the drop does so through its row's open pointer, which is not followed: the dnstap
           socket's set-up is not counted);
  edges    a function reaches every project function its body names, called or not (so a
           function whose address goes into a table counts as reachable, and both branches of
           every if count), following function-like macros (ad_log_info -> ad_log_write);
  linking  a name resolves to the definition in the same file first (static functions), then
           to a static inline in a header, then to the one unit asimdns-capture links
           (from the linker map, as cmake/linked_code.py reads it).
The figure is the lines of the reached functions (head to closing brace,
cmake/c_functions.py), per file. Calls through pointers to functions that are never named in
reached code, and libc, are not counted.

Usage: predrop_code.py SOURCE_DIR BUILD_DIR asimdns-capture.map [--list]
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import c_functions  # noqa: E402
import linked_code  # noqa: E402

DROP_CALL = "ad_privdrop"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    src, build, mapfile = sys.argv[1:4]
    listing = "--list" in sys.argv[4:]
    linked = {s for s in linked_code.linked(mapfile, build, src) if not s.startswith("(generated)")}
    linked.add("capture/main.c")
    by_file = collections.defaultdict(dict)
    global_defs = {}
    header_defs = {}
    for rel in c_functions.source_files(src):
        if rel.endswith(".c") and rel not in linked:
            continue
        for f in c_functions.functions_in(src, rel):
            by_file[rel][f.name] = f
            if rel.endswith(".h"):
                header_defs.setdefault(f.name, f)
            elif not f.static:
                global_defs[f.name] = f

    def resolve(name, where):
        return by_file[where].get(name) or header_defs.get(name) or global_defs.get(name)

    main_fn = by_file["capture/main.c"].get("main")
    if main_fn is None:
        sys.exit("predrop_code.py: no main() in capture/main.c")
    # The drop may sit in helpers of main.c (main -> start_source -> drop_privileges ->
    # ad_privdrop): follow that chain up to main; what each link runs before calling the next
    # runs as root.
    def calls(fn, name):
        return re.search(r"\b%s\s*\(" % name, fn.body) is not None

    chain = [DROP_CALL]
    while not calls(main_fn, chain[-1]):
        caller = next((f for n, f in by_file["capture/main.c"].items()
                       if n != "main" and n not in chain and calls(f, chain[-1])), None)
        if caller is None:
            sys.exit("predrop_code.py: main() in capture/main.c never reaches %s" % DROP_CALL)
        chain.append(caller.name)
    before = re.split(r"\b%s\s*\(" % chain[-1], main_fn.body, maxsplit=1)[0]
    prefixes = [before] + [re.split(r"\b%s\s*\(" % chain[i - 1],
                                    by_file["capture/main.c"][chain[i]].body, maxsplit=1)[0]
                           for i in range(1, len(chain))]
    reached = {("capture/main.c", "main"): main_fn}
    todo = [(n, "capture/main.c") for text in prefixes for n in set(c_functions.IDENT.findall(text))]
    while todo:
        name, where = todo.pop()
        f = resolve(name, where)
        if f is None or (f.path, f.name) in reached or f.name in chain:
            continue
        reached[(f.path, f.name)] = f
        todo.extend((n, f.path) for n in f.references())

    files = collections.defaultdict(lambda: [0, 0])
    for f in reached.values():
        if f.macro:
            continue
        files[f.path][0] += 1
        files[f.path][1] += f.lines
    # main() itself counts only up to the drop.
    main_lines = before.count("\n") + 1
    files["capture/main.c"][1] -= main_fn.lines - main_lines
    total = sum(v[1] for v in files.values())
    nfunc = sum(v[0] for v in files.values())
    print("asimdns-capture before %s: %d functions, %d lines, in %d files" %
          (DROP_CALL, nfunc, total, len(files)))
    folders = collections.defaultdict(lambda: [0, 0])
    for path, (n, lines) in files.items():
        folders[path.split("/")[0]][0] += n
        folders[path.split("/")[0]][1] += lines
    for folder in sorted(folders):
        print("  %-10s %4d functions %6d lines" % (folder + "/", *folders[folder]))
    print("by file:")
    for path in sorted(files, key=lambda p: (-files[p][1], p)):
        print("  %-36s %4d functions %6d lines" % (path, *files[path]))
    if listing:
        print("functions:")
        for f in sorted(reached.values(), key=lambda f: (f.path, f.start)):
            if not f.macro:
                print("  %s:%d %s (%d lines)" % (f.path, f.start, f.name, f.lines))


if __name__ == "__main__":
    main()
