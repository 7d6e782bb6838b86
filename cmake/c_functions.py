"""Finds the function definitions in the project's C files (shared by longest_functions.py and
predrop_code.py).

The tree is clang-formatted with BreakBeforeBraces: Linux, so a function body is the only
thing whose opening brace stands alone at column 0, and it ends at the next "}" at column 0.
The definition's head is the column-0 line above the brace plus its indented continuation
lines; the name is the identifier before the head's first "(". Struct, enum and array
initialisers open their brace on the same line and are never mistaken for a function.
`#define NAME(...)` macros are collected too (as bodies without lines of their own), so a call
made through a macro (ad_log_info -> ad_log_write) still counts as a reference.
"""
import os
import re

IDENT = re.compile(r"[A-Za-z_]\w*")
NAME_BEFORE_PAREN = re.compile(r"([A-Za-z_]\w*)\s*\($")
DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)")
SKIP_DIRS = {".git", "tests", "bench", "build", "deploy", "docs", "scripts", "cmake", ".cache"}


class Function:
    def __init__(self, name, path, start, end, static, body, macro=False):
        self.name = name
        self.path = path  # relative to the source folder
        self.start = start  # 1-based line of the head
        self.end = end  # 1-based line of the closing brace
        self.static = static
        self.body = body  # source text with comments and strings blanked
        self.macro = macro

    @property
    def lines(self):
        return 0 if self.macro else self.end - self.start + 1

    def references(self):
        return set(IDENT.findall(self.body))


def strip_comments_and_strings(text):
    """Blanks comments, string and character literals, keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions_in(src, rel):
    """The functions (and function-like macros) defined in one file."""
    with open(os.path.join(src, rel), errors="replace") as f:
        lines = strip_comments_and_strings(f.read()).split("\n")
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DEFINE.match(line)
        if m:
            j = i
            while lines[j].rstrip().endswith("\\") and j + 1 < len(lines):
                j += 1
            found.append(Function(m.group(1), rel, i + 1, j + 1, True,
                                  "\n".join(lines[i:j + 1])[m.end():], macro=True))
            i = j + 1
            continue
        if line.rstrip() != "{" or i == 0:
            i += 1
            continue
        h = i - 1
        while h > 0 and lines[h][:1] in (" ", "\t") and lines[h].strip():
            h -= 1
        head = " ".join(x.strip() for x in lines[h:i])
        paren = head.find("(")
        name = NAME_BEFORE_PAREN.search(head[: paren + 1]) if paren > 0 else None
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "}":
            end += 1
        if name and "=" not in head[:paren] and not head.startswith("#"):
            found.append(Function(name.group(1), rel, h + 1, end + 1,
                                  re.match(r"\s*static\b", head) is not None,
                                  "\n".join(lines[i:end + 1])))
        i = end + 1
    return found


def source_files(src, folders=None):
    """The project's .c and .h files (relative paths), tests, benchmarks and tools excluded."""
    out = []
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src)
        top = rel_root.split(os.sep)[0]
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
            continue
        if folders is not None and top not in folders:
            continue
        for name in files:
            if name.endswith((".c", ".h")):
                out.append(os.path.normpath(os.path.join(rel_root, name)))
    return sorted(out)
