#!/usr/bin/env python3
"""`tritbench convert` on a GPT-2-named checkpoint, as a new user runs it: the dry run names the layout and
its default excludes, keeps wte/wpe/ln_*, quantizes every Conv1D transposed; the output's packed shapes are
[out, in]; an unknown layout is refused unless --layout names one; a bad --layout exits 2 naming the flag.
Usage: test_convert_layout_cli.py TRITBENCH WORKDIR"""
import json
import os
import struct
import subprocess
import sys

tb, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def write_st(path, tensors):
    """tensors: list of (name, shape); F32 zeros-with-pattern data."""
    header, blobs, at = {}, [], 0
    for i, (name, shape) in enumerate(tensors):
        n = 1
        for d in shape:
            n *= d
        data = struct.pack("<%df" % n, *[((k * 7 + i) % 11 - 5) * 0.01 for k in range(n)])
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def run(*args):
    p = subprocess.run([tb, "convert", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


D = 64
gpt2 = os.path.join(work, "gpt2")
os.makedirs(gpt2, exist_ok=True)
if os.path.exists(os.path.join(gpt2, "config.json")):
    os.remove(os.path.join(gpt2, "config.json"))  # left by an earlier run: detection must start from the names
src = os.path.join(gpt2, "model.safetensors")
write_st(src, [("wte.weight", (100, D)), ("wpe.weight", (32, D)), ("h.0.ln_1.weight", (D,)),
               ("h.0.attn.c_attn.weight", (D, 3 * D)), ("h.0.attn.c_attn.bias", (3 * D,)),
               ("h.0.attn.c_proj.weight", (D, D)), ("h.0.ln_2.weight", (D,)),
               ("h.0.mlp.c_fc.weight", (D, 4 * D)), ("h.0.mlp.c_proj.weight", (4 * D, D)), ("ln_f.weight", (D,))])

rc, out, err = run(src, "--dry-run")
check(rc == 0, "dry run exits 0: %s" % err)
check("layout    gpt2 (tensor names" in out and "'(^|\\.)wte\\.'" in out, "layout line:\n" + out)
for name in ("wte.weight", "wpe.weight", "h.0.ln_1.weight", "ln_f.weight", "h.0.attn.c_attn.bias"):
    check(any(l.startswith("keep      " + name + " ") for l in out.splitlines()), "kept: " + name)
for name in ("h.0.attn.c_attn.weight", "h.0.attn.c_proj.weight", "h.0.mlp.c_fc.weight", "h.0.mlp.c_proj.weight"):
    line = [l for l in out.splitlines() if l.startswith("quantize  " + name + " ")]
    check(line and ", transposed" in line[0], "quantized transposed: " + name)

dst = os.path.join(work, "gpt2-i2.safetensors")
rc, out, err = run(src, "-o", dst)
check(rc == 0, "convert exits 0: %s" % err)
h = read_header(dst)
meta = h["__metadata__"]
check(meta.get("tritbench.layout") == "gpt2", "tritbench.layout metadata")
desc = json.loads(meta["tritbench.packed.h.0.attn.c_attn.weight"])
check(desc["shape"] == [3 * D, D], "c_attn packed [out, in]: %s" % desc["shape"])
check(json.loads(meta["tritbench.packed.h.0.mlp.c_proj.weight"])["shape"] == [D, 4 * D], "mlp.c_proj [out, in]")
check(h["wte.weight"]["dtype"] == "F32" and "tritbench.packed.wte.weight" not in meta, "wte kept F32")

# config.json beside the checkpoint names the layout.
with open(os.path.join(gpt2, "config.json"), "w") as f:
    json.dump({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}, f)
rc, out, err = run(src, "--dry-run")
check(rc == 0 and "model_type 'gpt2'" in out, "config.json detection:\n" + out + err)

# Unknown layout: refused, then accepted when named.
unk = os.path.join(work, "unknown.safetensors")
write_st(unk, [("encoder.proj.weight", (32, 48))])
rc, out, err = run(unk, "--dry-run")
check(rc == 2 and "unknown checkpoint layout" in err and "--layout" in err, "unknown refused: %d %s" % (rc, err))
rc, out, err = run(unk, "--dry-run", "--layout", "llama")
check(rc == 0 and "quantize  encoder.proj.weight" in out, "--layout llama accepted: %s" % err)
rc, out, err = run(unk, "--dry-run", "--layout=bogus")
check(rc == 2 and "--layout" in err and "bogus" in err, "bad --layout: %d %s" % (rc, err))

# GGUF export refuses GPT-2 rather than packing [in, out] rows.
rc, out, err = run(src, "-o", os.path.join(work, "gpt2.gguf"), "--format", "tq2_0")
check(rc == 2 and "GPT-2" in err, "gguf refuses gpt2: %d %s" % (rc, err))

sys.exit(1 if failures else 0)
