#!/usr/bin/python3
"""How far apart the parameters of two model files of one network are.

usage: params_diff.py A.tnn B.tnn [LIMIT]

Prints the largest absolute difference, the largest relative to its tensor's scale,
|a - b| / max |a| over the tensor (what LIMIT bounds: exits 1 above it), and the largest
element-wise one, |a - b| / max(|a|, |b|, 1e-3 of the tensor's scale): a parameter near
zero in both files differs relatively by rounding alone, and Adam's step, about the sign
of a tiny gradient, magnifies that. Uses read_tnn.py, the format's independent reader.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_tnn  # noqa: E402


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    a, b = read_tnn.read(argv[1]), read_tnn.read(argv[2])
    if [t["shape"] for t in a["tensors"]] != [t["shape"] for t in b["tensors"]]:
        sys.stderr.write("params_diff: the two models have different tensors\n")
        return 2
    max_abs = max_rel = max_elem = 0.0
    where = ""
    for ta, tb in zip(a["tensors"], b["tensors"]):
        big = max([abs(v) for v in ta["values"]] + [abs(v) for v in tb["values"]] + [0.0])
        scale = big if big > 0 else 1e-30
        for i, (x, y) in enumerate(zip(ta["values"], tb["values"])):
            d = abs(x - y)
            max_abs = max(max_abs, d)
            max_elem = max(max_elem, d / max(abs(x), abs(y), 1e-3 * scale))
            if d / scale > max_rel:
                max_rel, where = d / scale, "%s.%s[%d]" % (ta["layer"], ta["name"], i)
    print("max abs diff %.3g, max rel diff %.3g%s (element-wise %.3g)"
          % (max_abs, max_rel, " at " + where if where else "", max_elem))
    if len(argv) == 4 and max_rel > float(argv[3]):
        print("params_diff: above the limit %s" % argv[3])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
