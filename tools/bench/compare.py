"""tinynet against a C peer (FANN), PyTorch and the OpenBLAS floor, on the workloads of issue 10.

  tools/bench/compare [--build DIR] [--baseline DIR] [--runs N] [--smoke] [--no-torch]
                      [--verbose] [--only NAME,...]

Runs tinynet (DIR/compare_tn, a server over the library; DIR defaults to ./build), FANN
(DIR/compare_fann, built when Debian's libfann-dev is installed), PyTorch (compare_torch.py,
Debian's python3-torch, one thread) and OpenBLAS sgemm/sgemv at the workloads' shapes,
INTERLEAVED: each run goes through every workload, and within a
workload through every engine in turn (the order rotating from run to run), so a drift of
the machine's speed touches all of them alike. Prints the medians of N runs (default 3) and
the ratios. A clock probe (load average and the cores' MHz from /proc) is printed before
and after: figures from a loaded or throttled machine say so.

Columns:
  tinynet 1t / 2t    tinynet on one / two BLAS threads
  PyTorch 1t         PyTorch 1.13, torch.set_num_threads(1)
  PyTorch/tinynet    > 1: tinynet is faster (1t against 1t)
  best C peer        FANN 2.2.0 (compare_fann.c), on the rows it can run with the same
                     network, data, initial weights, batch order, optimizer and epochs:
                     FANN has no Adam and no ReLU, so these rows (marked "C peer") are
                     tanh/sigmoid nets trained by plain gradient descent on the MSE, without
                     shuffling; the label says what differs. n/a: not built, or a row FANN
                     cannot run
  peer/tinynet       > 1: tinynet is faster (1t against the peer's one thread)
  BLAS floor         training: the GEMMs alone of the same steps (sgemm, 1 thread, same
                     shapes, forward + dW + dX); batch 1: one sgemv per layer
  floor/tinynet      the fraction of tinynet's time the floor accounts for (1.0: all of it)
  baseline 1t        --baseline DIR: another build's compare_tn (a commit before a change),
                     in the same interleaved pass; baseline/tinynet > 1: the change is faster

--smoke runs every workload at a tiny size once (a test that the tool works; its figures
mean nothing). Speed is never asserted: this is a measuring tool, not a test. --verbose
prints each engine's final training loss per workload: on the C-peer rows tinynet's and
FANN's must agree closely (the same work), though not bit for bit.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# name, label, tinynet config, torch name, rows, epochs, batch, dense widths (floor)
TRAIN = [
    ("xor", "xor 2-4-1, 5000 full-batch epochs", "models/xor.json", 4, 5000, 4, [2, 4, 1]),
    ("ring", "ring 2-16-16-1 relu, Adam, batch 32, 200 epochs", "models/ring.json", 1000, 200,
     32, [2, 16, 16, 1]),
    ("recommender", "recommender (2x32 emb, 64-32-dropout-1), batch 256, 3 epochs of 180k rows",
     "models/recommender.json", 180000, 3, 256, [64, 64, 32, 1]),
    ("recommender_lazy", "the same with lazy (sparse) Adam for the embeddings; PyTorch: SparseAdam",
     "models/recommender.json", 180000, 3, 256, [64, 64, 32, 1]),
    ("fashion", "Fashion MLP 784-256-128-10, batch 128, 3 epochs of 60k rows",
     "models/fashion_mlp.json", 60000, 3, 128, [784, 256, 128, 10]),
]
# The C-peer rows: what FANN can run exactly as tinynet does (tools/bench/compare_fann.c).
PEER = ("; C peer: same weights, rows and order, FANN's update rule (FANN clips f' "
        "near saturation)")
TRAIN += [
    ("xor_gd", "xor 2-4-1 tanh/sigmoid, MSE, plain GD, 5000 full-batch epochs" + PEER,
     "tools/bench/peer_xor.json", 4, 5000, 4, [2, 4, 1]),
    ("ring_gd", "ring 2-16-16-1 tanh/sigmoid, MSE, plain GD, batch 32 unshuffled, 200 epochs"
     + PEER, "tools/bench/peer_ring.json", 1000, 200, 32, [2, 16, 16, 1]),
    ("ring_gd1", "ring 2-16-16-1 tanh/sigmoid, MSE, plain GD, batch 1 (FANN: incremental), 20 "
     "epochs; C peer as above",
     "tools/bench/peer_ring.json", 1000, 20, 1, [2, 16, 16, 1]),
]
LATENCY = [
    ("ring", "batch-1 latency, ring net", "models/ring.json", [2, 16, 16, 1]),
    ("ring_gd", "batch-1 latency, ring net with tanh hidden layers (FANN's); C peer: fann_run",
     "tools/bench/peer_ring.json", [2, 16, 16, 1]),
    ("fashion", "batch-1 latency, Fashion net", "models/fashion_mlp.json", [784, 256, 128, 10]),
]


class Server:
    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, cwd=ROOT, env=env)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            sys.exit("compare: %s ended on '%s'" % (self.p.args[0], line))
        return [float(v) for v in out.split()]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def probe():
    try:
        load = open("/proc/loadavg").read().split()[0]
    except OSError:
        load = "?"
    mhz = []
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("cpu MHz"):
                mhz.append(float(line.split(":")[1]))
    except OSError:
        pass
    return "load %s, cores at %s MHz" % (load, "/".join("%.0f" % m for m in mhz) or "?")


def fmt_t(s):
    if s is None:
        return "n/a"
    if s >= 1:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.1f ms" % (s * 1e3)
    return "%.2f us" % (s * 1e6)


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="the build directory holding compare_tn")
    ap.add_argument("--baseline", help="a second build directory to measure beside it")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    ap.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    ap.add_argument("--only", help="a comma-separated list of workloads (xor, ring, recommender, "
                    "recommender_lazy, fashion, xor_gd, ring_gd, ring_gd1, lat-ring, lat-fashion, "
                    "lat-ring_gd); default all")
    ap.add_argument("--verbose", action="store_true",
                    help="print every engine's final training loss per workload")
    a = ap.parse_args()
    exe = os.path.abspath(os.path.join(a.build, "compare_tn"))
    if not os.access(exe, os.X_OK):
        sys.exit("compare: no %s: build first (cmake --build %s)" % (exe, a.build))
    runs = 1 if a.smoke else max(1, a.runs)
    engines = {"tn1": Server([exe, ROOT]), "tn2": Server([exe, ROOT])}
    if a.baseline:
        base = os.path.abspath(os.path.join(a.baseline, "compare_tn"))
        if not os.access(base, os.X_OK):
            sys.exit("compare: no %s" % base)
        engines["base1"] = Server([base, ROOT])
    fann = os.path.abspath(os.path.join(a.build, "compare_fann"))
    if os.access(fann, os.X_OK):
        engines["fann"] = Server([fann, ROOT])
    else:
        print("compare: no %s (apt-get install libfann-dev, then cmake again): the C peer "
              "column is n/a" % fann)
    torch_ok = not a.no_torch
    if torch_ok:
        try:
            import torch  # noqa: F401  (only whether it is there)
        except ImportError:
            print("compare: no PyTorch (apt-get install python3-torch): its column is n/a")
            torch_ok = False
    if torch_ok:
        # One thread all through: Debian's torch runs its products on OpenBLAS, whose idle
        # workers (one per core by default, whatever torch.set_num_threads says) spin for a
        # while after each call and took the second core from tinynet's 2-thread runs.
        engines["torch"] = Server([sys.executable, os.path.join(ROOT, "tools", "bench",
                                                                "compare_torch.py")],
                                  env=dict(os.environ, OPENBLAS_NUM_THREADS="1",
                                           OMP_NUM_THREADS="1"))
    floor = Server([exe, ROOT])

    train = [(n, l, c, 8 if a.smoke else r, 2 if a.smoke else e, min(b, 4) if a.smoke else b, w)
             for n, l, c, r, e, b, w in TRAIN]
    latency = LATENCY
    if a.only:
        only = set(a.only.split(","))
        unknown = only - {n for n, *_ in TRAIN} - {"lat-" + n for n, *_ in LATENCY}
        if unknown:
            sys.exit("compare: unknown workload(s) %s" % ", ".join(sorted(unknown)))
        train = [t for t in train if t[0] in only]
        latency = [t for t in LATENCY if "lat-" + t[0] in only]
    res = {}  # (workload, engine) -> list of seconds
    losses = {}  # (workload, engine) -> final training loss (the same every run)
    print("tinynet compare: %d run(s), interleaved; before: %s" % (runs, probe()))
    sys.stdout.flush()
    t_start = time.time()
    for run in range(runs):
        for name, _, cfg, rows, epochs, batch, widths in train:
            order = list(engines) + ["floor"]
            k = run % len(order)
            for eng in order[k:] + order[:k]:
                if eng == "floor":
                    steps = epochs * ((rows + batch - 1) // batch)
                    v = floor.ask("sgemm %d %d %s" % (batch, steps, " ".join(map(str, widths))))[0]
                elif eng == "torch":
                    v, loss = engines[eng].ask("train %s %d %d %d 1" % (name.rstrip("1"), rows,
                                                                      epochs, batch))
                elif eng == "fann":
                    if "_gd" not in name:
                        continue  # no Adam, no ReLU in FANN
                    v, loss = engines[eng].ask("train %s %d %d %d" % (cfg, rows, epochs, batch))
                elif eng == "base1" and name.endswith("_lazy"):
                    continue  # a build from before "lazy" may not know it
                else:
                    th = 2 if eng == "tn2" else 1
                    lazy = " lazy" if name.endswith("_lazy") else ""
                    v, loss = engines[eng].ask("train %s %d %d %d %d%s" % (cfg, rows, epochs,
                                                                          batch, th, lazy))
                res.setdefault((name, eng), []).append(v)
                if eng != "floor":
                    losses[(name, eng)] = loss
        for name, _, cfg, widths in latency:
            order = list(engines) + ["floor"]
            k = run % len(order)
            for eng in order[k:] + order[:k]:
                if eng == "floor":
                    v = floor.ask("sgemv %s" % " ".join(map(str, widths)))[0]
                elif eng == "torch":
                    v = engines[eng].ask("latency %s 1" % name)[0]
                elif eng == "fann":
                    if "_gd" not in name:
                        continue
                    v = engines[eng].ask("latency %s" % cfg)[0]
                else:
                    v = engines[eng].ask("latency %s %d" % (cfg, 2 if eng == "tn2" else 1))[0]
                res.setdefault(("lat-" + name, eng), []).append(v * 1e-6)
    for s in list(engines.values()) + [floor]:
        s.close()
    print("after %.0f s: %s" % (time.time() - t_start, probe()))
    print()
    med = {k: statistics.median(v) for k, v in res.items()}
    hdr = ("workload", "tinynet 1t", "tinynet 2t", "best C peer", "peer/tinynet", "PyTorch 1t",
           "PyTorch/tinynet", "BLAS floor", "floor/tinynet") + (
               ("baseline 1t", "baseline/tinynet") if a.baseline else ())
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    rows = [(n, l) for n, l, *_ in train] + [("lat-" + n, l) for n, l, *_ in latency]
    for key, label in rows:
        t1, t2 = med.get((key, "tn1")), med.get((key, "tn2"))
        tt, fl = med.get((key, "torch")), med.get((key, "floor"))
        tp = med.get((key, "fann"))
        peer = "FANN " + fmt_t(tp) if tp is not None else "n/a"
        cells = [label, fmt_t(t1), fmt_t(t2), peer, ratio(tp, t1), fmt_t(tt), ratio(tt, t1),
                 fmt_t(fl), ratio(fl, t1)]
        if a.baseline:
            tb = med.get((key, "base1"))
            cells += [fmt_t(tb), ratio(tb, t1)]
        print("| " + " | ".join(cells) + " |")
    print()
    print("medians of %d run(s); tinynet: %s" % (runs, exe))
    if a.verbose:
        print()
        print("the last epoch's mean training loss (each row's loss at the forward pass "
              "before its update; PyTorch starts from its own initial weights):")
        for name, *_ in train:
            got = ["%s %.6f" % (eng, losses[(name, eng)]) for eng in engines
                   if (name, eng) in losses]
            print("  %-18s %s" % (name, ", ".join(got)))


if __name__ == "__main__":
    main()
