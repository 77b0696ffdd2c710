"""The PyTorch side of tools/bench/compare: the same line protocol as compare_tn.

  train NAME ROWS EPOCHS BATCH THREADS -> "<seconds> <last epoch's mean train loss>"
  latency NAME THREADS                 -> "<microseconds per batch-1 forward (no_grad)>"

NAME is xor, ring, recommender, recommender_lazy or fashion: the networks of models/*.json written in
PyTorch (same layers, activations, loss fused with the output activation as tinynet does,
Adam with the config's learning rate; recommender_lazy: sparse embeddings with
SparseAdam, the counterpart of tinynet's adam "lazy"). Rows are synthetic (speed does not depend on what
is learnt); each epoch shuffles with randperm and slices batches by indexing: the fast
idiomatic loop, no DataLoader. xor_gd and ring_gd are the C-peer workloads of
tools/bench/peer_*.json (tanh hidden, sigmoid output, MSE, plain SGD, no shuffling). Timed like compare_tn: model construction (the
initialisation) to the end of the last epoch.
"""
import sys
import time

import torch
import torch.nn as nn


class Rec(nn.Module):
    def __init__(self, sparse=False):
        super().__init__()
        self.user = nn.Embedding(300, 32, sparse=sparse)
        self.item = nn.Embedding(400, 32, sparse=sparse)
        self.mlp = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Dropout(0.2), nn.Linear(32, 1))

    def forward(self, x):
        u, i = x
        return self.mlp(torch.cat([self.user(u), self.item(i)], dim=1))


def build(name):
    """(model, lr, loss, inputs maker, targets maker) for a workload name."""
    if name == "xor":
        m = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
        return m, 0.05, nn.BCEWithLogitsLoss(), 2
    if name == "ring":
        m = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1))
        return m, 0.01, nn.BCEWithLogitsLoss(), 2
    if name == "xor_gd":
        m = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
        return m, 0.35, nn.MSELoss(), 2
    if name == "ring_gd":
        m = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                          nn.Linear(16, 1), nn.Sigmoid())
        return m, 0.35, nn.MSELoss(), 2
    if name in ("recommender", "recommender_lazy"):
        return Rec(name == "recommender_lazy"), 0.001, nn.BCEWithLogitsLoss(), None
    if name == "fashion":
        m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
        return m, 0.001, nn.CrossEntropyLoss(), 784
    raise SystemExit("compare_torch: unknown workload " + name)


def data(name, rows, g):
    if name.startswith("recommender"):
        x = (torch.randint(0, 300, (rows,), generator=g), torch.randint(0, 400, (rows,), generator=g))
        t = torch.randint(0, 2, (rows, 1), generator=g).float()
    else:
        width = 784 if name == "fashion" else 2
        x = torch.rand(rows, width, generator=g) * 2 - 1
        t = (torch.randint(0, 10, (rows,), generator=g) if name == "fashion"
             else torch.randint(0, 2, (rows, 1), generator=g).float())
    return x, t


def take(x, idx):
    return tuple(a[idx] for a in x) if isinstance(x, tuple) else x[idx]


def train(name, rows, epochs, batch):
    g = torch.Generator().manual_seed(9)
    x, t = data(name, rows, g)
    torch.manual_seed(42)
    t0 = time.perf_counter()
    m, lr, lossf, _ = build(name)
    if name == "recommender_lazy":  # SparseAdam for the embeddings, Adam for the rest
        emb = [m.user.weight, m.item.weight]
        opts = [torch.optim.SparseAdam(emb, lr=lr),
                torch.optim.Adam(list(m.mlp.parameters()), lr=lr)]
    elif name.endswith("_gd"):
        opts = [torch.optim.SGD(m.parameters(), lr=lr)]
    else:
        opts = [torch.optim.Adam(m.parameters(), lr=lr)]
    m.train()
    loss_sum = 0.0
    for _ in range(epochs):
        perm = torch.arange(rows) if name.endswith("_gd") else torch.randperm(rows)
        loss_sum = 0.0
        for first in range(0, rows, batch):
            idx = perm[first:first + batch]
            for opt in opts:
                opt.zero_grad()
            loss = lossf(m(take(x, idx)), t[idx])
            loss.backward()
            for opt in opts:
                opt.step()
            loss_sum += loss.item() * len(idx)
    return time.perf_counter() - t0, loss_sum / rows


def latency(name):
    torch.manual_seed(42)
    m, _, _, width = build(name)
    m.eval()
    x = ((torch.tensor([7]), torch.tensor([11])) if name == "recommender"
         else torch.rand(1, width))
    best = float("inf")
    calls = 64
    with torch.no_grad():
        for rnd in range(6):
            t0 = time.perf_counter()
            for _ in range(calls):
                m(x)
            dt = (time.perf_counter() - t0) / calls
            if rnd == 0:
                calls = int(0.04 / dt) + 1
            else:
                best = min(best, dt)
    return best * 1e6


def main():
    torch.set_num_threads(1)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "train" and len(w) == 6:
            torch.set_num_threads(int(w[5]))
            s, loss = train(w[1], int(w[2]), int(w[3]), int(w[4]))
            print(f"{s:.6f} {loss:.6f}", flush=True)
        elif w[0] == "latency" and len(w) == 3:
            torch.set_num_threads(int(w[2]))
            print(f"{latency(w[1]):.4f}", flush=True)
        elif w[0] == "threads":
            print("ok", flush=True)
        else:
            raise SystemExit("compare_torch: bad command " + line.strip())


if __name__ == "__main__":
    main()
