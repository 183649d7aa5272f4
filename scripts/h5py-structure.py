"""Describes a Keras weight file as h5py sees it, as JSON, and checks it has the layout of
Keras' own application weight files (what keras' legacy_h5_format reads):

  root attrs   layer_names: 1-D array of fixed-length byte strings (numpy 'S'),
               backend, keras_version: byte-string scalars
  /<layer>     attr weight_names: 1-D 'S' array, or an empty float64 array for no weights
  /<layer>/<weight name>  float32 datasets

Usage: python3 scripts/h5py-structure.py FILE.h5   (exit 1 with the problems when it differs)
"""
import json
import sys

import h5py
import numpy as np


def main(path):
    problems = []
    out = {"root_attrs": {}, "layers": []}
    with h5py.File(path, "r") as f:
        for key, value in f.attrs.items():
            out["root_attrs"][key] = {
                "dtype": str(np.asarray(value).dtype),
                "shape": list(np.asarray(value).shape),
                "type": type(value).__name__,
            }
        names = f.attrs.get("layer_names")
        if names is None:
            problems.append("no layer_names attribute")
            names = []
        elif np.asarray(names).dtype.kind != "S" or np.asarray(names).ndim != 1:
            problems.append("layer_names is not a 1-D byte-string array")
        for key in ("backend", "keras_version"):
            value = f.attrs.get(key)
            if not isinstance(value, (bytes, np.bytes_)):
                problems.append(f"{key} is not a byte-string scalar: {type(value).__name__}")
        decoded = [n.decode("utf8") for n in names]
        extra_groups = sorted(set(f.keys()) - set(decoded))
        if extra_groups:
            problems.append(f"groups not in layer_names: {extra_groups[:5]}")
        for name in decoded:
            if name not in f:
                problems.append(f"layer {name} has no group")
                continue
            group = f[name]
            weight_names = group.attrs.get("weight_names")
            if weight_names is None:
                problems.append(f"layer {name} has no weight_names")
                continue
            arr = np.asarray(weight_names)
            if arr.size == 0:
                if arr.dtype != np.float64:
                    problems.append(f"layer {name}: empty weight_names is {arr.dtype}, not float64")
                weights = []
            else:
                if arr.dtype.kind != "S":
                    problems.append(f"layer {name}: weight_names is {arr.dtype}")
                weights = [w.decode("utf8") for w in arr]
            described = []
            for w in weights:
                if w not in group:
                    problems.append(f"layer {name}: dataset {w} missing")
                    continue
                ds = group[w]
                if not isinstance(ds, h5py.Dataset):
                    problems.append(f"layer {name}: {w} is not a dataset")
                    continue
                if ds.dtype != np.dtype("<f4"):
                    problems.append(f"layer {name}: {w} is {ds.dtype}, not float32")
                if not w.startswith(name + "/") or not w.endswith(":0"):
                    problems.append(f"layer {name}: weight name {w} is not '<layer>/<name>:0'")
                described.append({"name": w, "shape": list(ds.shape), "dtype": str(ds.dtype)})
            out["layers"].append({"name": name, "weights": described})
    out["problems"] = problems
    print(json.dumps(out))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
