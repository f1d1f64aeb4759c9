#!/usr/bin/env python3
"""test_convert_cli.py — `tritbench convert` from the outside: generated F32/F16/BF16 and sharded
checkpoints convert to files that a plain json/struct reader (no safetensors package) accepts, with
packed U8 codes of the declared size, descriptors in __metadata__ and kept tensors copied byte for byte;
every hostile file exits 2 naming the file, the tensor and the problem; bad flags exit 2."""
import json
import os
import struct
import subprocess
import sys

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_header(path):
    """What any safetensors reader does: u64 LE length, JSON header, data section."""
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    return header, blob[8 + n:]


DT = {"F32": 4, "F16": 2, "BF16": 2, "U8": 1, "I64": 8}


def tensor_bytes(header, data, name):
    b, e = header[name]["data_offsets"]
    return data[b:e]


def check_valid(path):
    header, data = read_header(path)
    spans = []
    for name, t in header.items():
        if name == "__metadata__":
            continue
        n = 1
        for d in t["shape"]:
            n *= d
        b, e = t["data_offsets"]
        check(n * DT[t["dtype"]] == e - b, f"{path}: {name} size")
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        check(b == pos, f"{path}: offsets do not tile at {b}")
        pos = e
    check(pos == len(data), f"{path}: data section not covered")
    return header, data


def check_converted(src_files, out, fmt, gran):
    header, data = check_valid(out)
    meta = header["__metadata__"]
    check(meta.get("tritbench.format") == "tritbench.packed.v1", "format tag")
    src = {}
    for f in src_files:
        h, d = read_header(f)
        for name, t in h.items():
            if name != "__metadata__":
                src[name] = (t, tensor_bytes(h, d, name))
    packed = [k[len("tritbench.packed."):] for k in meta if k.startswith("tritbench.packed.")]
    check(len(packed) == 14, f"{out}: expected 14 packed linears, got {len(packed)}")
    block = {"i2": 256, "t5": 320}[fmt]
    for name, (t, raw) in src.items():
        if name in packed:
            desc = json.loads(meta["tritbench.packed." + name])
            rows, cols = t["shape"]
            check(desc["format"] == fmt and desc["granularity"] == gran, f"{name}: descriptor {desc}")
            check(desc["shape"] == [rows, cols] and desc["source_dtype"] == t["dtype"], f"{name}: shape/dtype")
            rb = -(-cols // block) * 64
            check(header[name]["dtype"] == "U8" and header[name]["shape"] == [rows, rb], f"{name}: codes shape")
            sc = header[desc["scale"]]
            check(sc["dtype"] == "F32" and sc["shape"] == [rows if gran == "row" else 1], f"{name}: scales shape")
            for (g,) in struct.iter_unpack("<f", tensor_bytes(header, data, desc["scale"])):
                check(g > 0 and g < 1, f"{name}: implausible gamma {g}")
            if fmt == "i2":
                codes = tensor_bytes(header, data, name)
                check(all(((byte >> s) & 3) != 3 for byte in codes[:4096] for s in (0, 2, 4, 6)), f"{name}: code 3")
            check("embed" not in name and "lm_head" not in name and "norm" not in name, f"{name}: default excludes")
        else:
            check(header[name]["dtype"] == t["dtype"] and header[name]["shape"] == t["shape"], f"{name}: kept")
            check(tensor_bytes(header, data, name) == raw, f"{name}: kept bytes differ")


def i2_trits(codes, rows, row_bytes, cols):
    """Decodes I2 codes (formats.h: byte j of a 64-byte block holds weights j + 64i at bits 2i; w = code - 1)."""
    out = []
    for r in range(rows):
        row = codes[r * row_bytes:(r + 1) * row_bytes]
        for k in range(cols):
            blk, kk = divmod(k, 256)
            out.append(((row[blk * 64 + kk % 64] >> (2 * (kk // 64))) & 3) - 1)
    return out


def half_bits(x, dtype):
    """x (an FP32 value) rounded once, half to even, to F16 or BF16 — as a reader decodes it back."""
    if dtype == "F16":
        return struct.unpack("<e", struct.pack("<e", x))[0]
    u = struct.unpack("<I", struct.pack("<f", x))[0]
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return struct.unpack("<f", struct.pack("<I", u))[0]


def check_dequantized(tritbench, src, work, fmt, gran, method_args):
    """--format f16|bf16 against the packed i2 conversion of the same quantizer: every weight must be exactly
    half(gamma) * trit, and the statistics in __metadata__ must be those of the packed weights."""
    tag = f"{fmt}_{gran}_{'_'.join(method_args) or 'absmean'}"
    out, ref = os.path.join(work, f"deq_{tag}.safetensors"), os.path.join(work, f"deq_{tag}_i2.safetensors")
    rc, so, err = run(tritbench, "convert", src, "-o", out, "--format", fmt, "--granularity", gran, *method_args)
    check(rc == 0 and "14 quantized to ternary as " + fmt in so, f"convert {tag}: rc {rc} {so} {err}")
    rc2, _, err2 = run(tritbench, "convert", src, "-o", ref, "--format", "i2", "--granularity", gran, *method_args)
    check(rc2 == 0, f"convert {tag} (i2 reference): {err2}")
    if rc or rc2:
        return
    header, data = check_valid(out)
    rh, rd = read_header(ref)
    meta = header["__metadata__"]
    check(meta.get("tritbench.format") == "tritbench.ternary_dequantized.v1", f"{tag}: format tag")
    dt = fmt.upper()
    total_w = total_z = total_packed = 0
    for key in [k for k in rh["__metadata__"] if k.startswith("tritbench.packed.")]:
        name = key[len("tritbench.packed."):]
        desc = json.loads(rh["__metadata__"][key])
        rows, cols = desc["shape"]
        check(header[name]["dtype"] == dt and header[name]["shape"] == [rows, cols], f"{tag} {name}: dtype/shape")
        gammas = [g for (g,) in struct.iter_unpack("<f", tensor_bytes(rh, rd, desc["scale"]))]
        trits = i2_trits(tensor_bytes(rh, rd, name), rows, desc["row_bytes"], cols)
        raw = tensor_bytes(header, data, name)
        if dt == "F16":
            got = [v for (v,) in struct.iter_unpack("<e", raw)]
        else:
            got = [struct.unpack("<f", struct.pack("<I", h << 16))[0] for (h,) in struct.iter_unpack("<H", raw)]
        bad = sum(1 for i, v in enumerate(got)
                  if v != trits[i] * half_bits(gammas[i // cols if gran == "row" else 0], dt))
        check(bad == 0, f"{tag} {name}: {bad} of {len(got)} values are not half(gamma) * trit")
        st = json.loads(meta["tritbench.stats." + name])
        zeros = trits.count(0)
        packed = len(tensor_bytes(rh, rd, name)) + 4 * len(gammas)
        check(st["bytes_packed"] == packed and st["bytes_stored"] == rows * cols * 2, f"{tag} {name}: bytes {st}")
        check(abs(st["sparsity"] - zeros / (rows * cols)) < 1e-8, f"{tag} {name}: sparsity {st['sparsity']}")
        check(abs(st["bits_per_weight"] - packed * 8 / (rows * cols)) < 1e-6, f"{tag} {name}: bits/weight")
        check(abs(st["gamma"] - sum(gammas) / len(gammas)) <= 1e-6 * st["gamma"], f"{tag} {name}: gamma")
        total_w, total_z, total_packed = total_w + rows * cols, total_z + zeros, total_packed + packed
    total = json.loads(meta["tritbench.stats.total"])
    check(total["weights"] == total_w and total["bytes_packed"] == total_packed, f"{tag}: total {total}")
    check(abs(total["sparsity"] - total_z / total_w) < 1e-8, f"{tag}: total sparsity")


def main():
    tritbench, mkckpt, mkhostile, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    p = lambda n: os.path.join(work, n)

    for dtype in ("f32", "f16", "bf16"):
        src = p(f"cli_{dtype}.safetensors")
        rc, _, err = run(mkckpt, "-o", src, "--dtype", dtype, "--seed", "3")
        check(rc == 0, f"mkcheckpoint {dtype}: {err}")
        for fmt, gran in (("i2", "tensor"), ("t5", "row")):
            out = p(f"cli_{dtype}_{fmt}.safetensors")
            rc, so, err = run(tritbench, "convert", src, "-o", out, "--format", fmt, "--granularity", gran)
            check(rc == 0 and "14 quantized" in so, f"convert {dtype} {fmt}: rc {rc} {so} {err}")
            if rc == 0:
                check_converted([src], out, fmt, gran)

    shard_dir = p("cli_sharded")
    rc, _, err = run(mkckpt, "-o", shard_dir, "--dtype", "bf16", "--shards", "3")
    check(rc == 0, f"mkcheckpoint sharded: {err}")
    out = p("cli_sharded_i2.safetensors")
    rc, so, err = run(tritbench, "convert", shard_dir, "-o", out)
    check(rc == 0, f"convert sharded: {err}")
    if rc == 0:
        shards = sorted(os.path.join(shard_dir, f) for f in os.listdir(shard_dir) if f.endswith(".safetensors"))
        check(len(shards) == 3, "three shards")
        check_converted(shards, out, "i2", "tensor")

    # --format f16|bf16: the ternary projection dequantized, checked value by value; --method threshold.
    for fmt, gran, margs in (("f16", "tensor", []), ("bf16", "row", []), ("f16", "row", ["--method", "threshold"]),
                             ("bf16", "tensor", ["--method", "threshold", "--threshold", "0.8"])):
        check_dequantized(tritbench, p("cli_bf16.safetensors"), work, fmt, gran, margs)

    # --dry-run writes nothing and lists every tensor.
    dry = p("cli_dry.safetensors")
    if os.path.exists(dry):
        os.unlink(dry)
    rc, so, _ = run(tritbench, "convert", p("cli_f32.safetensors"), "-o", dry, "--dry-run")
    check(rc == 0 and not os.path.exists(dry) and so.count("quantize ") == 14 and so.count("keep ") == 11,
          f"dry run: {so}")
    rc, so, _ = run(tritbench, "convert", p("cli_f32.safetensors"), "--dry-run", "--exclude", "mlp\\.")
    check(rc == 0 and so.count("quantize ") == 8, "--exclude mlp leaves the 8 attention projections")

    # Hostile files: exit 2, message names the file, the tensor and the problem; OUT never appears.
    hdir = p("hostile")
    os.makedirs(hdir, exist_ok=True)
    rc, _, err = run(mkhostile, hdir)
    check(rc == 0, f"mkhostile: {err}")
    with open(os.path.join(hdir, "manifest.tsv")) as f:
        cases = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    check(len(cases) >= 20, "hostile manifest")
    for cid, tensor, fragment in cases:
        path = os.path.join(hdir, cid + ".safetensors")
        out = p("hostile_out.safetensors")
        rc, _, err = run(tritbench, "convert", path, "-o", out)
        check(rc == 2, f"{cid}: exit {rc}")
        check(path in err and fragment in err, f"{cid}: message '{err.strip()}' lacks '{fragment}'")
        check(tensor == "-" or f"tensor '{tensor}'" in err, f"{cid}: message lacks tensor {tensor}")
        check(not os.path.exists(out), f"{cid}: output written")

    # NaN weights: exit 2, an existing OUT untouched.
    poisoned = p("cli_poisoned.safetensors")
    run(mkckpt, "-o", poisoned, "--poison", "model.layers.1.mlp.up_proj.weight")
    keep = p("cli_keep.safetensors")
    with open(keep, "w") as f:
        f.write("previous")
    rc, _, err = run(tritbench, "convert", poisoned, "-o", keep)
    check(rc == 2 and "non-finite" in err and "model.layers.1.mlp.up_proj.weight" in err, f"poisoned: {rc} {err}")
    with open(keep) as f:
        check(f.read() == "previous", "poisoned: OUT changed")

    # Usage errors and the input as output.
    src = p("cli_f32.safetensors")
    for args, frag in ((["convert"], "need IN"), (["convert", src], "need IN"), (["convert", src, "-o"], "needs a value"),
                       (["convert", src, "-o", p("x"), "--format", "q4"], "--format: unknown format"),
                       (["convert", src, "-o", p("x"), "--granularity", "col"], "--granularity: unknown granularity"),
                       (["convert", src, "-o", p("x"), "--bogus"], "unknown flag '--bogus'"),
                       (["convert", src, "-o", src], "is the input"),
                       (["convert", p("does-not-exist.safetensors"), "-o", p("x")], "does-not-exist"),
                       (["convert", src, "-o", p("x"), "--exclude", "(bad"], "bad --exclude regex"),
                       (["convert", src, "-o", p("x"), "--method", "median"], "--method: unknown method"),
                       (["convert", src, "-o", p("x"), "--threshold", "0.5"], "--threshold needs --method threshold"),
                       (["convert", src, "-o", p("x"), "--method", "threshold", "--threshold", "0"], "--threshold"),
                       (["convert", src, "-o", p("x"), "--format", "tq2_0", "--method", "threshold"], "GGUF")):
        rc, _, err = run(tritbench, *args)
        check(rc == 2 and frag in err, f"{args}: rc {rc}, {err.strip()}")
    rc, so, _ = run(tritbench, "convert", "--help")
    check(rc == 0 and "usage: tritbench convert" in so, "--help")
    rc, _, err = run(tritbench, "convert", src, "-o", p("cli_progress.safetensors"), "--progress")
    check(rc == 0 and "convert: [1/25]" in err and "convert: [25/25]" in err, f"--progress: {err}")
    for args in (["--layers", "0"], ["--dtype", "f8"], ["--bogus", "1"], ["--layers"], []):
        rc, _, _ = run(mkckpt, "-o", p("never.safetensors"), *args) if args else run(mkckpt)
        check(rc == 2, f"mkcheckpoint {args}: exit {rc}")

    # The README's command: `tritbench validate --model` on the checkpoint (verdict 0 or 1, never 2).
    vdir = p("validate_out")
    rc, _, err = run(tritbench, "validate", "--suite", "model", "--model", src, "--quick", "--out", vdir)
    check(rc in (0, 1), f"validate --model: exit {rc}: {err[-400:]}")
    if rc in (0, 1):
        with open(os.path.join(vdir, "report.md")) as f:
            md = f.read()
        check("Per-layer validation" in md and "model.layers.1.mlp.down_proj.weight" in md, "report.md per-layer table")
    rc, _, err = run(tritbench, "validate", "--suite", "model", "--model", p("hostile/offsets_gap.safetensors"),
                     "--out", vdir)
    check(rc == 2 and "gap" in err, f"validate --model on a hostile file: exit {rc}: {err[-300:]}")

    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
