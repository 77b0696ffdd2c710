#!/usr/bin/python3
"""The baseline beside tinynet's models/penguins.json: scikit-learn (Debian's
python3-sklearn) on the same split (tools/penguins.sh), the same four columns, the same
rows (a row with NA in one of them is left out, as "missing": "skip" does), standardized
with the training rows' mean and deviation. Prints the test accuracy of a multinomial
logistic regression and of an MLP shaped like the config's (16 relu units, Adam, lr 0.01,
batch 16, 60 epochs).
Usage: /usr/bin/python3 tools/penguins_baseline.py [DIR]   (default data/penguins)"""
import csv
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

COLS = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


def rows(path):
    x, y = [], []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if any(r[c] in ("", "NA") for c in COLS + ["Species"]):
                continue
            x.append([float(r[c]) for c in COLS])
            y.append(r["Species"])
    return x, y


d = sys.argv[1] if len(sys.argv) > 1 else "data/penguins"
xtr, ytr = rows(d + "/train.csv")
xte, yte = rows(d + "/test.csv")
sc = StandardScaler().fit(xtr)
xtr, xte = sc.transform(xtr), sc.transform(xte)
lr = LogisticRegression(max_iter=1000).fit(xtr, ytr)
warnings.simplefilter("ignore", ConvergenceWarning)
mlp = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=16,
                    max_iter=60, random_state=42).fit(xtr, ytr)
print("rows: %d train, %d test" % (len(ytr), len(yte)))
print("logistic regression  test accuracy %.4f" % lr.score(xte, yte))
print("MLP (16 relu, adam)  test accuracy %.4f" % mlp.score(xte, yte))
