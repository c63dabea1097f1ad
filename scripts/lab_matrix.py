#!/usr/bin/env python3
"""The lab comparison of docs/lab.md (issue 13): the calibration scenario mirrored over 13 configurations, each run
with `twlab lab` (the real kernel in namespaces, the simulation beside it) on 3 seeds, then tabulated.

  sudo scripts/lab_matrix.py run   [OUT] [JAR]   # about 45 minutes; skips runs already in OUT
  scripts/lab_matrix.py table [OUT] [JAR]        # the markdown table; JAR simulates each run beside its lab run

Per run the table gives requests per second, PAWS rejects at the server (PAWSTimewait + PAWSEstab: the lab's against
the mean and range of five simulated seeds over its arrivals, as `twlab lab` sets them) and the router's
live conntrack entries (mean of the per-second nf_conntrack_count samples against the simulation's router.mappings
over the same seconds, from 5 s on), lab and simulation, with the ratio simulation / lab, and the router's
insert_failed (conntrack -S) beside the simulated gateway's. Re-send times come from
the server-side captures: a SYN whose sequence number was seen before (the client re-sends it, often from a new NAT
port) is matched to the earlier one; the 2-jiffy re-sends after a stale ACK are the gaps under 100 ms, the RTO
re-sends those between 0.9 and 1.2 s. The simulation's capture is made by `twlab simulate --capture router:server`
with the lab's own settings for its simulation (cpus = this machine's) and `--replay-arrivals`: the simulated
clients open their connections at the times the lab's clients did, so the two runs differ only where the model
differs from the kernel (and in the random choices each makes: ports, offsets, ISNs).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

BASE = "scenarios/lab/calibration-6.18.yaml"
CONFIGS = [
    ("baseline", []),
    ("ports-200", ["nats.router.ports=40000-40199"]),
    ("ports-300", ["nats.router.ports=40000-40299"]),
    ("ports-600", ["nats.router.ports=40000-40599"]),
    ("ct-tw-1s", ["nats.router.timeouts.time-wait=1s"]),
    ("ct-tw-60s", ["nats.router.timeouts.time-wait=60s"]),
    ("ct-tw-60s-paced", ["nats.router.timeouts.time-wait=60s", "workloads.client.arrivals=paced"]),
    ("ct-tw-120s-paced", ["nats.router.timeouts.time-wait=120s", "workloads.client.arrivals=paced"]),
    ("max-tw-buckets-5", ["hosts.server.sysctl.net.ipv4.tcp_max_tw_buckets=5"]),
    ("client-ts-off", ["hosts.client.sysctl.net.ipv4.tcp_timestamps=0"]),
    ("server-ts-off", ["hosts.server.sysctl.net.ipv4.tcp_timestamps=0"]),
    ("one-client", ["hosts.client.count=1"]),
    ("one-client-ts-2", ["hosts.client.count=1", "hosts.client.sysctl.net.ipv4.tcp_timestamps=2"]),
]
SEEDS = [1, 2, 3]


def sets_of(config, seed):
    return ["seed=%d" % seed] + dict(CONFIGS)[config]


def run(out, jar):
    os.makedirs(out, exist_ok=True)
    for name, _ in CONFIGS:
        for seed in SEEDS:
            d = os.path.join(out, "%s-seed%d" % (name, seed))
            if os.path.isfile(os.path.join(d, "lab.json")):
                continue
            args = ["java", "-jar", jar, "lab", BASE, "--out", d, "--quiet"]
            for s in sets_of(name, seed):
                args += ["--set", s]
            print("==", name, "seed", seed, file=sys.stderr, flush=True)
            if subprocess.call(args) != 0:
                print("!!", name, "seed", seed, "failed", file=sys.stderr)


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


def resend_gaps(pcap):
    """Gaps (s) between a SYN and the next SYN with the same sequence number, from a server-side capture."""
    res = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields",
                          "-e", "frame.time_epoch", "-e", "tcp.seq_raw"], capture_output=True, text=True)
    last = {}
    gaps = []
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        t, seq = float(parts[0]), parts[1]
        if seq in last:
            gaps.append(t - last[seq])
        last[seq] = t
    return gaps


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


SIM_SEEDS = 5


def simulate(jar, name, seed, cpus, labdir, sim_seed, capture):
    """The run simulated as `twlab lab` does beside it, replaying the lab clients' own arrival times."""
    d = tempfile.mkdtemp(prefix="twlab-matrix-")
    args = ["java", "-jar", jar, "simulate", BASE, "--out", d, "--quiet",
            "--set", "nats.router.cpus=%d" % cpus, "--replay-arrivals", labdir]
    if capture:
        args += ["--capture", "router:server"]
    for s in sets_of(name, seed):
        args += ["--set", s]
    args += ["--set", "seed=%d" % sim_seed]
    subprocess.run(args, check=True)
    return d


def ratio(sim, lab):
    return "-" if not lab else "%.2f" % (sim / lab)


def ms(x):
    return "-" if x is None else "%.1f" % (x * 1000)


def table(out, jar):
    cpus = os.cpu_count()
    print("| run | req/s lab | sim | ratio | PAWS lab | sim (5 seeds: mean, range) | ratio | conntrack entries lab | sim | ratio "
          "| insert_failed lab | sim | 2-jiffy re-send ms lab (n) | sim (n) | RTO re-send ms lab (n) | sim (n) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, _ in CONFIGS:
        for seed in SEEDS:
            d = os.path.join(out, "%s-seed%d" % (name, seed))
            path = os.path.join(d, "lab.json")
            if not os.path.isfile(path):
                continue
            doc = json.load(open(path))
            lab = doc["lab"]
            simdir = simulate(jar, name, seed, cpus, d, seed, True)
            sim = json.load(open(os.path.join(simdir, "summary.json")))
            seeds_paws = [paws(sim)] + [paws(json.load(open(os.path.join(
                simulate(jar, name, seed, cpus, d, seed + k, False), "summary.json")))) for k in range(1, SIM_SEEDS)]
            seconds = float(sim["scenario"]["durationSeconds"])
            lr, sr = lab["clients"]["attempts"] / seconds, sim["clients"]["attempts"] / seconds
            lp = paws(lab)
            sp = sum(seeds_paws) / len(seeds_paws)
            lct = series(os.path.join(d, "lab-series.csv"), "conntrack_entries")
            sct = series(os.path.join(simdir, "series.csv"), "router.mappings")
            common = [s for s in lct if s in sct and s >= 5]
            lm = sum(lct[s] for s in common) / len(common) if common else 0
            sm = sum(sct[s] for s in common) / len(common) if common else 0
            cells = ["%s-seed%d" % (name, seed), "%.2f" % lr, "%.2f" % sr, ratio(sr, lr), "%d" % lp,
                     "%.1f (%d-%d)" % (sp, min(seeds_paws), max(seeds_paws)),
                     ratio(sp, lp), "%.1f" % lm if common else "-", "%.1f" % sm if common else "-",
                     ratio(sm, lm) if common else "-",
                     "%d" % lab.get("conntrack", {}).get("insert_failed", 0),
                     "%d" % sim["nats"]["router"].get("conntrack", {}).get("insertFailed", 0)]
            pcap = os.path.join(d, "capture-server.pcap")
            if os.path.isfile(pcap):
                lg = resend_gaps(pcap)
                sg = resend_gaps(os.path.join(simdir, "capture-router-server.pcap"))
                for lo, hi in ((0, 0.1), (0.9, 1.2)):
                    lx = [g for g in lg if lo <= g < hi]
                    sx = [g for g in sg if lo <= g < hi]
                    cells += ["%s (%d)" % (ms(median(lx)), len(lx)), "%s (%d)" % (ms(median(sx)), len(sx))]
            else:
                cells += ["-"] * 4
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "table"
    out = sys.argv[2] if len(sys.argv) > 2 else "out/lab-matrix"
    jar = sys.argv[3] if len(sys.argv) > 3 else "target/twlab.jar"
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    {"run": run, "table": table}[what](out, jar)
