#!/usr/bin/env bash
# The scaling curve of data-parallel training (a benchmark, not a test): samples/s at P = 1
# and 2 processes for the Fashion-MNIST MLP and the recommender, the time split into
# compute and communication, and an alpha-beta model (latency + bytes/bandwidth) of a ring
# all-reduce that predicts P = 4 ... 64 over a stated network.
#
# usage: tools/bench/mpi_scaling.sh [BUILD_DIR [RUNS [EPOCHS [NETWORKS]]]]
#   BUILD_DIR: a -DTN_MPI=ON build (default /tmp/mpi-build). Each (config, P) runs RUNS
#   times (3), EPOCHS epochs (2), 1 BLAS thread per process; the median is kept. NETWORKS:
#   "name:alpha_us:GB_per_s ..." (default "10GbE:50:1.25 IB-HDR:2:12.5"). Prints Markdown.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-/tmp/mpi-build}
runs=${2:-3}
epochs=${3:-2}
networks=${4:-10GbE:50:1.25 IB-HDR:2:12.5}
tn=$build/tinynet
ldd "$tn" | grep -q 'libmpi\.' || { echo "mpi_scaling: $tn is not an MPI build (-DTN_MPI=ON)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/results"
for cfg in fashion_mlp recommender; do
    for p in 1 2; do
        for r in $(seq 1 "$runs"); do
            log=$tmp/$cfg-$p-$r
            mpirun -n "$p" "$tn" -v train "$here/models/$cfg.json" --epochs "$epochs" \
                --threads 1 --log "$log.jsonl" >"$log.out" 2>"$log.err"
            # rows per epoch, the epochs' seconds (training and the test rows' evaluation),
            # process 0's seconds in the all-reduce and its steps, the parameters
            rows=$(sed -n 's/^train .*(\([0-9]*\) rows)$/\1/p' "$log.out")
            secs=$(python3 -c 'import json,sys; print(sum(json.loads(l).get("seconds", 0) for l in open(sys.argv[1]) if "\"epoch\"" in l))' "$log.jsonl")
            comm=$(sed -n 's/.*spent \([0-9.]*\) s in \([0-9]*\) gradient.*/\1 \2/p' "$log.err")
            params=$(sed -n 's/^trained [^:]*: .*, \([0-9]*\) parameters$/\1/p' "$log.out")
            echo "$cfg $p $r $rows $secs ${comm:-0 0} $params" >>"$tmp/results"
        done
    done
done

python3 - "$tmp/results" "$epochs" "$networks" <<'PY'
import statistics, sys
from collections import defaultdict
res = defaultdict(list)
for line in open(sys.argv[1]):
    cfg, p, r, rows, secs, comm, steps, params = line.split()
    res[(cfg, int(p))].append((float(secs), float(comm), int(steps), int(rows), int(params)))
epochs = int(sys.argv[2])
nets = [(n, float(a) * 1e-6, float(b) * 1e9) for n, a, b in
        (x.split(":") for x in sys.argv[3].split())]
batch = {"fashion_mlp": 256, "recommender": 256}

print("| config | P | samples/s | vs P=1 | s/epoch | all-reduce s/epoch | share |")
print("|---|---|---|---|---|---|---|")
base = {}
for (cfg, p), v in sorted(res.items()):
    secs = statistics.median(x[0] for x in v) / epochs
    comm = statistics.median(x[1] for x in v) / epochs
    rows, params = v[0][3], v[0][4]
    sps = rows / secs
    base.setdefault(cfg, (sps, secs, rows, params))
    print("| %s | %d | %.0f | %.2f | %.2f | %.3f | %.0f%% |"
          % (cfg, p, sps, sps / base[cfg][0], secs, comm, 100 * comm / secs))

# The model: one step at P processes = compute of B/P rows + the optimizer over every
# parameter (each process takes the whole step) + a ring all-reduce of n floats:
# 2 (P - 1) alpha + 2 (P - 1) / P * 4n / beta.
print()
print("Model (alpha-beta, ring all-reduce; compute measured at P=1 and divided by P):")
print()
for net, alpha, beta in nets:
    print("%s: alpha %.0f us, beta %.2f GB/s" % (net, alpha * 1e6, beta / 1e9))
    print()
    print("| config | params | B | " + " | ".join("P=%d" % p for p in (1, 2, 4, 8, 16, 32, 64))
          + " | comm > compute from | ... at P=8 below B |")
    print("|---|---|---|" + "---|" * 9)
    for cfg, (sps1, secs1, rows, params) in sorted(base.items()):
        B = batch[cfg]
        steps = -(-rows // B)
        t1 = secs1 / steps                 # one step at P = 1 (includes its optimizer)
        t_opt = params * 2e-9              # ~16 bytes a parameter at ~8 GB/s (Adam)
        t_fb = max(t1 - t_opt, 1e-9)       # forward and backward of B rows
        cells, cross = [], None
        for p in (1, 2, 4, 8, 16, 32, 64):
            comm = 0 if p == 1 else 2 * (p - 1) * alpha + 2 * (p - 1) / p * 4 * params / beta
            comp = t_fb / p + t_opt
            cells.append("%.0f" % (B / (comp + comm)))
            if cross is None and comm > comp:
                cross = p
        # The global batch below which the all-reduce outweighs the compute at P = 8: the
        # compute shrinks with the rows, the all-reduce of the parameters does not.
        comm8 = 14 * alpha + 2 * 7 / 8 * 4 * params / beta
        per_row = t_fb / B
        bstar = (comm8 - t_opt) * 8 / per_row if comm8 > t_opt else 0
        print("| %s | %d | %d | %s | %s | %s |" % (cfg, params, B, " | ".join(cells),
                                                   "P=%d" % cross if cross else "-",
                                                   "%.0f" % bstar if bstar else "-"))
    print()
PY
