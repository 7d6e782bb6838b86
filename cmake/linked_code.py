#!/usr/bin/env python3
"""Prints how much of the project's own code each program links (ninja linked-code).

Reads the GNU ld map files the build writes next to each program (PROGRAM.map) and lists the
project objects the linker took: whole object files and archive members pulled in to satisfy a
reference. For each program: objects, source lines of those objects' .c files, and .text bytes
the linker placed from them; a per-folder breakdown follows, so the privileged capture's share
stays visible. Generated code (protobuf-c output) is listed apart, not counted as project code.

Usage: linked_code.py SOURCE_DIR BUILD_DIR PROGRAM.map...
"""
import collections
import os
import re
import sys

TEXT_LINE = re.compile(r"^\s*\.text\S*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
TEXT_NAME_ONLY = re.compile(r"^\s*(\.text\S*)$")
SIZE_NEXT = re.compile(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
MEMBER = re.compile(r"^(.*)\((.*\.c\.o(?:bj)?)\)$")


def source_of(build, src, obj):
    """The project source file an object in the map came from, or None (system, generated)."""
    m = MEMBER.match(obj)
    if m:  # archive member: libad_capture.a(emit.c.o) -> capture/emit.c
        archive, member = m.groups()
        folder = os.path.relpath(os.path.dirname(os.path.abspath(os.path.join(build, archive))), build)
        name = re.sub(r"\.o(bj)?$", "", member)
    else:  # object file: capture/CMakeFiles/asimdns-capture.dir/main.c.o
        path = os.path.relpath(os.path.abspath(os.path.join(build, obj)), build)
        if "CMakeFiles" not in path:
            return None
        folder = path.split("/CMakeFiles/")[0]
        name = re.sub(r"\.o(bj)?$", "", path.split(".dir/", 1)[1])
    candidate = os.path.normpath(os.path.join(src, folder, name))
    if os.path.isfile(candidate):
        return os.path.relpath(candidate, src)
    if name.endswith(".pb-c.c"):
        return "(generated) " + name
    return None


def linked(mapfile, build, src):
    """{source: text bytes} for the project objects in one map file."""
    sizes = collections.Counter()
    pending = False
    with open(mapfile, errors="replace") as f:
        for line in f:
            m = TEXT_LINE.match(line)
            if not m and pending:
                m = SIZE_NEXT.match(line)
            pending = bool(TEXT_NAME_ONLY.match(line))
            if not m:
                continue
            size, obj = int(m.group(1), 16), m.group(2)
            s = source_of(build, src, obj)
            if s is not None:
                sizes[s] += size
    return sizes


def lines_of(src, rel):
    if rel.startswith("(generated)"):
        return 0
    with open(os.path.join(src, rel), errors="replace") as f:
        return sum(1 for _ in f)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    src, build, maps = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    for mapfile in maps:
        program = os.path.basename(mapfile)[: -len(".map")]
        sizes = linked(mapfile, build, src)
        own = {s: n for s, n in sizes.items() if not s.startswith("(generated)")}
        gen = sum(n for s, n in sizes.items() if s.startswith("(generated)"))
        folders = collections.defaultdict(lambda: [0, 0, 0])
        for s, n in own.items():
            f = folders[s.split("/")[0]]
            f[0] += 1
            f[1] += lines_of(src, s)
            f[2] += n
        rows.append((program, len(own), sum(v[1] for v in folders.values()), sum(own.values()), gen, folders))
    print("%-18s %8s %8s %11s %15s" % ("program", "objects", "lines", "text bytes", "generated text"))
    for program, objs, lines, text, gen, _ in rows:
        print("%-18s %8d %8d %11d %15d" % (program, objs, lines, text, gen))
    for program, _, _, _, _, folders in rows:
        print("\n%s by folder:" % program)
        for folder in sorted(folders):
            o, l, t = folders[folder]
            print("  %-14s %4d objects %7d lines %9d text bytes" % (folder + "/", o, l, t))


if __name__ == "__main__":
    main()
