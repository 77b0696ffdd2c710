#!/usr/bin/python3
"""An independent reader of tinynet model files (.tnn), from docs/model-format.md alone,
with Python's standard library: the container, the CRC-32, the JSON header, the parameters
split into their tensors, and a forward pass in double precision.

usage: read_tnn.py MODEL                 a summary: header fields, tensors, checksum
       read_tnn.py MODEL --json          the header and every tensor's values as JSON
       read_tnn.py MODEL --predict CSV   the outputs for the rows of a CSV file (a model
                                         trained on CSV data), one line per row
"""
import csv
import json
import math
import struct
import sys
import zlib


class ModelError(Exception):
    pass


def read(path):
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 24 or b[:4] != b"TNN1":
        raise ModelError("%s: not a tinynet model file" % path)
    version, hlen = struct.unpack_from("<II", b, 4)
    if version not in (1, 2, 3):
        raise ModelError("%s: format version %d" % (path, version))
    if 24 + hlen > len(b):
        raise ModelError("%s: truncated header" % path)
    header = json.loads(b[12:12 + hlen].decode("utf-8"))
    (count,) = struct.unpack_from("<Q", b, 12 + hlen)
    if len(b) != 24 + hlen + 4 * count:
        raise ModelError("%s: %d bytes, expected %d" % (path, len(b), 24 + hlen + 4 * count))
    (crc,) = struct.unpack_from("<I", b, len(b) - 4)
    if zlib.crc32(b[:-4]) != crc:
        raise ModelError("%s: checksum mismatch" % path)
    params = struct.unpack_from("<%df" % count, b, 20 + hlen)
    tensors, at = [], 0
    for t in header["tensors"]:
        rows, cols = t["shape"]
        tensors.append({"layer": t["layer"], "name": t["name"], "shape": [rows, cols],
                        "values": list(params[at:at + rows * cols])})
        at += rows * cols
    if at != count:
        raise ModelError("%s: tensors hold %d parameters, the file %d" % (path, at, count))
    return {"version": version, "header": header, "count": count, "crc": crc,
            "tensors": tensors}


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def activation(spec, z):
    """PyTorch's definitions (docs/config.md); z is one row."""
    name = spec if isinstance(spec, str) else spec["type"]
    p = {} if isinstance(spec, str) else spec
    if name == "identity":
        return z
    if name == "relu":
        return [max(0.0, v) for v in z]
    if name == "leaky_relu":
        a = p.get("alpha", 0.01)
        return [v if v > 0 else a * v for v in z]
    if name == "sigmoid":
        return [sigmoid(v) for v in z]
    if name == "tanh":
        return [math.tanh(v) for v in z]
    if name == "elu":
        a = p.get("alpha", 1.0)
        return [v if v > 0 else a * (math.exp(v) - 1) for v in z]
    if name == "gelu":
        return [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z]
    if name in ("silu", "swish"):
        beta = p.get("beta", 1.0) if name == "swish" else 1.0
        return [v * sigmoid(beta * v) for v in z]
    if name in ("softmax", "log_softmax"):
        m = max(z)
        s = sum(math.exp(v - m) for v in z)
        if name == "softmax":
            return [math.exp(v - m) / s for v in z]
        return [v - m - math.log(s) for v in z]
    raise ModelError("activation %s: not implemented by this reader" % name)


def forward(model, inputs):
    """inputs: {input name: one row (a list)}; returns the output row."""
    h = model["header"]
    by_layer = {}
    for t in model["tensors"]:
        by_layer.setdefault(t["layer"], {})[t["name"]] = t
    values = dict(inputs)
    scaling = h.get("scaling")
    if scaling:
        x, mean, std = values[scaling["input"]], scaling["mean"], scaling["std"]
        # float32 arithmetic, as the format says: round each step to binary32
        f32 = lambda v: struct.unpack("<f", struct.pack("<f", v))[0]
        values[scaling["input"]] = [
            f32(f32(f32(v) - f32(mean[0 if len(mean) == 1 else j])) /
                f32(std[0 if len(std) == 1 else j])) for j, v in enumerate(x)]
    for layer in h["layers"]:
        t = by_layer.get(layer["name"], {})
        xs = [values[n] for n in layer["inputs"]]
        kind = layer["type"]
        if kind in ("dense", "maxout"):
            W, x = t["W"], xs[0]
            rows, cols = W["shape"]
            w = W["values"]
            z = [sum(x[i] * w[i * cols + j] for i in range(rows)) for j in range(cols)]
            if "b" in t:
                z = [v + b for v, b in zip(z, t["b"]["values"])]
            if kind == "maxout":
                k = layer["pieces"]
                y = [max(z[j * k:(j + 1) * k]) for j in range(layer["units"])]
            elif "act" in t:  # prelu: one slope, or one per unit
                a = t["act"]["values"]
                y = [v if v > 0 else a[0 if len(a) == 1 else j] * v for j, v in enumerate(z)]
            else:
                y = activation(layer.get("activation", "identity"), z)
        elif kind == "embedding":
            E = t["E"]
            dim = E["shape"][1]
            i = int(xs[0][0])
            y = E["values"][i * dim:(i + 1) * dim]
        elif kind == "concat":
            y = [v for x in xs for v in x]
        elif kind == "dropout":
            y = xs[0]
        elif kind == "layer_norm":
            x = xs[0]
            mu = sum(x) / len(x)
            var = sum((v - mu) ** 2 for v in x) / len(x)
            r = 1 / math.sqrt(var + layer["eps"])
            g, b = t["gain"]["values"], t["bias"]["values"]
            y = [(v - mu) * r * gg + bb for v, gg, bb in zip(x, g, b)]
        else:
            raise ModelError("layer type %s: not implemented by this reader" % kind)
        values[layer["name"]] = y
    return values[h["layers"][-1]["name"]]


def predict_csv(model, path):
    h = model["header"]
    data = h.get("data") or dict(h.get("columns", {}), format="csv")
    if data.get("format") != "csv":
        raise ModelError("--predict reads CSV models only")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        inputs = {name: [float(row[c]) for c in cols] for name, cols in data["inputs"].items()}
        print("\t".join("%.9g" % v for v in forward(model, inputs)))


def summary(model):
    h = model["header"]
    print("model      %s (format version %d, CRC-32 %08x verified)" %
          (h["name"], model["version"], model["crc"]))
    print("parameters %d" % model["count"])
    for i in h["inputs"]:
        print("input      %s: %s, size %d" % (i["name"], i["type"], i["size"]))
    for layer in h["layers"]:
        n = sum(len(t["values"]) for t in model["tensors"] if t["layer"] == layer["name"])
        print("layer      %s (%s) <- %s: %d parameters" %
              (layer["name"], layer["type"], ", ".join(layer["inputs"]), n))
    for t in model["tensors"]:
        v = t["values"]
        print("tensor     %s.%s [%d, %d] min %.9g max %.9g" %
              (t["layer"], t["name"], t["shape"][0], t["shape"][1], min(v), max(v)))
    print("loss       %s" % json.dumps(h["loss"]))
    if "scaling" in h:
        print("scaling    %s of %s" % (h["scaling"]["kind"], h["scaling"]["input"]))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    try:
        model = read(argv[1])
        if argv[2:] == ["--json"]:
            json.dump({"version": model["version"], "header": model["header"],
                       "tensors": model["tensors"]}, sys.stdout)
            print()
        elif len(argv) == 4 and argv[2] == "--predict":
            predict_csv(model, argv[3])
        elif len(argv) == 2:
            summary(model)
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except (ModelError, OSError, ValueError, KeyError) as e:
        print("read_tnn: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
