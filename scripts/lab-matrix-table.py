#!/usr/bin/env python3
"""Prints the markdown table of docs/lab.md from the run directories scripts/lab-matrix.sh wrote.

Per run: requests per second (lab, simulation, ratio), PAWS rejects at the server (PAWSTimewait + PAWSEstab),
the router's live conntrack entries (mean of the per-second samples of nf_conntrack_count against the
simulation's router.mappings over the same seconds, from 5 s on) and connect p99. Ratios are simulation / lab.
"""
import csv
import json
import os
import sys


def paws(summary):
    n = 0
    for h in summary["hosts"].values():
        if h.get("role") == "server":
            c = h["counters"]
            n += c.get("PAWSTimewait", 0) + c.get("PAWSEstab", 0)
    return n


def series(path, column):
    out = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            v = row.get(column, "")
            if v != "":
                out[int(float(row["time_s"]))] = float(v)
    return out


def ratio(sim, lab):
    return "-" if lab == 0 else "%.2f" % (sim / lab)


def main(root):
    rows = []
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        path = os.path.join(d, "lab.json")
        if not os.path.isfile(path):
            continue
        doc = json.load(open(path))
        lab, sim = doc["lab"], doc["simulation"]
        seconds = float(sim["scenario"]["durationSeconds"])
        lr = lab["clients"]["attempts"] / seconds
        sr = sim["clients"]["attempts"] / seconds
        lp, sp = paws(lab), paws(sim)
        lct = series(os.path.join(d, "lab-series.csv"), "conntrack_entries")
        sct = series(os.path.join(d, "simulation-series.csv"), "router.mappings")
        common = [s for s in lct if s in sct and s >= 5]
        lm = sum(lct[s] for s in common) / len(common) if common else 0
        sm = sum(sct[s] for s in common) / len(common) if common else 0
        l99 = lab["clients"]["connectMs"]["p99"]
        s99 = sim["clients"]["connectMs"]["p99"]
        rows.append((name, lr, sr, lp, sp, lm, sm, l99, s99))
    print("| run | req/s lab | sim | ratio | PAWS lab | sim | ratio | conntrack entries lab | sim | ratio "
          "| connect p99 ms lab | sim |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, lr, sr, lp, sp, lm, sm, l99, s99 in rows:
        print("| %s | %.2f | %.2f | %s | %d | %d | %s | %.1f | %.1f | %s | %.1f | %.1f |" % (
            name, lr, sr, ratio(sr, lr), lp, sp, ratio(sp, lp), lm, sm, ratio(sm, lm), l99, s99))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/lab-matrix")
