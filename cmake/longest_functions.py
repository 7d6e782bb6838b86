#!/usr/bin/env python3
"""Lists the longest functions of the project's C code (ninja longest-functions).

Counts each definition from its head line to its closing brace (cmake/c_functions.py: a scan
of the clang-formatted sources, no compiler needed). Tests, benchmarks and generated code are
left out.

Usage: longest_functions.py SOURCE_DIR [COUNT]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import c_functions  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    funcs = []
    for rel in c_functions.source_files(src):
        funcs.extend(f for f in c_functions.functions_in(src, rel) if not f.macro)
    funcs.sort(key=lambda f: (-f.lines, f.path, f.start))
    print("%6s  %s" % ("lines", "function"))
    for f in funcs[:count]:
        print("%6d  %s:%d %s" % (f.lines, f.path, f.start, f.name))


if __name__ == "__main__":
    main()
