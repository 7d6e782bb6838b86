#!/usr/bin/env python3
"""Checks a Prometheus text exposition (format 0.0.4) line by line, plus asimdns' own rules.

Usage: prom_check.py FILE                         validate; exit 1 with every problem listed
       prom_check.py FILE --value NAME [L=V ...]  validate, then print the value of the one
                                                  sample NAME whose labels include L=V ...

Grammar checked (https://prometheus.io/docs/instrumenting/exposition_formats/):
  # HELP <name> <text with only \\\\ and \\n escapes>
  # TYPE <name> counter|gauge|histogram|summary|untyped   (once, before the family's samples)
  # <any other comment>
  <name>[{<label>="<value>"(,<label>="<value>")*[,]}] <float> [<int timestamp>]
Names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not __*), label values
with only \\\\ \\" \\n escapes, floats as Go's ParseFloat (NaN, +Inf, -Inf included), no
duplicate label names, no duplicate series, each family's lines contiguous, histograms with
cumulative buckets ending at le="+Inf" equal to _count.
asimdns rules: names start with asimdns_, counters end in _total, every sample has
component="capture" or component="exporter", every family has HELP and TYPE.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
FLOAT = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf)|NaN)"
HELP_RE = re.compile(r"^# HELP (" + NAME + r") ((?:[^\\\n]|\\\\|\\n)*)$")
TYPE_RE = re.compile(r"^# TYPE (" + NAME + r") (counter|gauge|histogram|summary|untyped)$")
SAMPLE_RE = re.compile(r"^(" + NAME + r")(?:\{(.*)\})? (" + FLOAT + r")(?: (-?\d+))?$")
LABEL_RE = re.compile(r"(" + LABEL + r')="((?:[^\\"\n]|\\\\|\\"|\\n)*)"(,|$)')


def parse_labels(text, errors, where):
    labels = {}
    pos = 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        if not m:
            errors.append(f"{where}: bad label list at {text[pos:]!r}")
            return None
        name, value = m.group(1), m.group(2)
        if name.startswith("__"):
            errors.append(f"{where}: reserved label name {name}")
        if name in labels:
            errors.append(f"{where}: duplicate label {name}")
        labels[name] = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        pos = m.end()
    return labels


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def check(text):
    errors, samples = [], []
    types, helps, seen_series = {}, {}, set()
    finished, current = set(), None
    if not text.endswith("\n"):
        errors.append("the exposition does not end with a newline")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for no, line in enumerate(lines, 1):
        where = f"line {no}"
        if line == "":
            errors.append(f"{where}: empty line")
            continue
        if line.startswith("#"):
            m = HELP_RE.match(line)
            if m:
                if m.group(1) in helps:
                    errors.append(f"{where}: second HELP for {m.group(1)}")
                helps[m.group(1)] = m.group(2)
                continue
            m = TYPE_RE.match(line)
            if m:
                fam = m.group(1)
                if fam in types:
                    errors.append(f"{where}: second TYPE for {fam}")
                if any(family_of(s[0], {fam: m.group(2)}) == fam for s in samples):
                    errors.append(f"{where}: TYPE for {fam} after its samples")
                types[fam] = m.group(2)
                continue
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                errors.append(f"{where}: malformed {line[:6]} line: {line!r}")
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            errors.append(f"{where}: not a sample line: {line!r}")
            continue
        name, ltext, value = m.group(1), m.group(2) or "", m.group(3)
        labels = parse_labels(ltext, errors, where)
        if labels is None:
            continue
        fam = family_of(name, types)
        if fam != current:
            if fam in finished:
                errors.append(f"{where}: samples of {fam} are not contiguous")
            if current is not None:
                finished.add(current)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen_series:
            errors.append(f"{where}: duplicate series {name}{labels}")
        seen_series.add(key)
        v = float(value.replace("Inf", "inf")) if value != "NaN" else math.nan
        samples.append((name, labels, v, no))
        # asimdns rules.
        if not fam.startswith("asimdns_"):
            errors.append(f"{where}: {fam} does not start with asimdns_")
        if fam not in types or fam not in helps:
            errors.append(f"{where}: {fam} has no HELP or TYPE before its samples")
        if types.get(fam) == "counter":
            if not fam.endswith("_total"):
                errors.append(f"{where}: counter {fam} does not end in _total")
            if not v >= 0:
                errors.append(f"{where}: counter {fam} is {value}")
        if labels.get("component") not in ("capture", "exporter"):
            errors.append(f"{where}: {name} has no component=\"capture\"|\"exporter\" label")
    # Histograms: cumulative buckets, +Inf last and equal to _count.
    for fam, t in types.items():
        if t != "histogram":
            continue
        series = {}
        for name, labels, v, no in samples:
            if family_of(name, types) != fam:
                continue
            rest = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
            series.setdefault(rest, {"buckets": [], "count": None})
            if name == fam + "_bucket":
                if "le" not in labels:
                    errors.append(f"line {no}: bucket without le")
                    continue
                series[rest]["buckets"].append((float(labels["le"].replace("Inf", "inf")), v))
            elif name == fam + "_count":
                series[rest]["count"] = v
        for rest, s in series.items():
            b = s["buckets"]
            if not b or b[-1][0] != math.inf:
                errors.append(f"{fam}{dict(rest)}: no le=\"+Inf\" bucket last")
                continue
            for (l1, v1), (l2, v2) in zip(b, b[1:]):
                if not (l2 > l1 and v2 >= v1):
                    errors.append(f"{fam}{dict(rest)}: buckets not cumulative at le={l2}")
            if s["count"] != b[-1][1]:
                errors.append(f"{fam}{dict(rest)}: _count {s['count']} != +Inf bucket {b[-1][1]}")
    for fam in types:
        if fam not in helps:
            errors.append(f"{fam}: TYPE without HELP")
    return errors, samples


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    errors, samples = check(text)
    for e in errors:
        print("prom_check: " + e, file=sys.stderr)
    if errors:
        return 1
    if len(sys.argv) > 3 and sys.argv[2] == "--value":
        want = dict(a.split("=", 1) for a in sys.argv[4:])
        hits = [s for s in samples
                if s[0] == sys.argv[3] and all(s[1].get(k) == v for k, v in want.items())]
        if len(hits) != 1:
            print(f"prom_check: {len(hits)} samples match {sys.argv[3]} {want}", file=sys.stderr)
            return 1
        v = hits[0][2]
        print(int(v) if v == int(v) else v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
