#!/usr/bin/env python3
"""test_gguf_export.py — `tritbench convert --format tq2_0|tq1_0` writes GGUF v3 that a plain struct
reader parses (aligned offsets, sizes matching ggml's block sizes), whose TQ blocks decode (as ggml's
dequantizers do) to exactly the trits that the i2 safetensors conversion of the same checkpoint holds,
with d = FP16(gamma); kept tensors are byte-identical; K not a multiple of 256 stays float."""
import json
import os
import struct
import subprocess
import sys

FAILS = []
BLOCK = {34: 54, 35: 66}          # TQ1_0, TQ2_0 bytes per 256 weights
ELEM = {0: 4, 1: 2, 30: 2, 24: 1, 25: 2, 26: 4, 27: 8, 28: 8}
DTYPE_TO_GGML = {"F32": 0, "F16": 1, "BF16": 30}


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class Reader:
    def __init__(self, blob):
        self.b, self.p = blob, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.p)
        self.p += struct.calcsize("<" + fmt)
        return v[0]

    def string(self):
        n = self.take("Q")
        s = self.b[self.p:self.p + n].decode("utf-8")
        self.p += n
        return s

    def value(self, t):
        scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
        if t in scalar:
            return self.take(scalar[t])
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take("I"), self.take("Q")
            return [self.value(et) for _ in range(n)]
        raise ValueError(f"bad GGUF value type {t}")


def read_gguf(path):
    with open(path, "rb") as f:
        blob = f.read()
    r = Reader(blob)
    check(r.b[:4] == b"GGUF", "magic")
    r.p = 4
    check(r.take("I") == 3, "version 3")
    n_t, n_kv = r.take("Q"), r.take("Q")
    kv = {}
    for _ in range(n_kv):
        k = r.string()
        kv[k] = r.value(r.take("I"))
    tensors = {}
    for _ in range(n_t):
        name = r.string()
        nd = r.take("I")
        ne = [r.take("Q") for _ in range(nd)]
        t, off = r.take("I"), r.take("Q")
        tensors[name] = (ne, t, off)
    align = kv.get("general.alignment", 32)
    start = (r.p + align - 1) // align * align
    spans = []
    for name, (ne, t, off) in tensors.items():
        n = 1
        for d in ne:
            n *= d
        size = n // 256 * BLOCK[t] if t in BLOCK else n * ELEM[t]
        check(off % align == 0, f"{name}: offset {off} not aligned")
        spans.append((off, off + size, name))
        tensors[name] = (ne, t, blob[start + off:start + off + size])
    spans.sort()
    for (b0, e0, n0), (b1, _, n1) in zip(spans, spans[1:]):
        check(e0 <= b1, f"{n0} overlaps {n1}")
    check(start + spans[-1][1] <= len(blob), "data beyond the file")
    return kv, tensors


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    h = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    return h, {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in h.items() if k != "__metadata__"}


def trits_tq(t, raw, rows, cols):
    out = []
    bb, nb = BLOCK[t], cols // 256
    for m in range(rows):
        row, ds = [], []
        for b in range(nb):
            blk = raw[(m * nb + b) * bb:(m * nb + b + 1) * bb]
            w = [0] * 256
            if t == 35:
                for h in range(2):
                    for n in range(4):
                        for i in range(32):
                            w[128 * h + 32 * n + i] = ((blk[32 * h + i] >> (2 * n)) & 3) - 1
            else:
                digit = lambda byte, n: ((((byte * 3 ** n) & 0xFF) * 3) >> 8) - 1
                for n in range(5):
                    for i in range(32):
                        w[32 * n + i] = digit(blk[i], n)
                    for i in range(16):
                        w[160 + 16 * n + i] = digit(blk[32 + i], n)
                for n in range(4):
                    for j in range(4):
                        w[240 + 4 * n + j] = digit(blk[48 + j], n)
            row += w
            ds.append(blk[-2:])
        out.append((row, ds))
    return out


def trits_i2(raw, rows, cols, row_bytes):
    out = []
    for m in range(rows):
        r = raw[m * row_bytes:(m + 1) * row_bytes]
        out.append([((r[(k // 256) * 64 + (k % 256) % 64] >> (2 * ((k % 256) // 64))) & 3) - 1 for k in range(cols)])
    return out


def main():
    tritbench, mkckpt, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    p = lambda n: os.path.join(work, n)
    src = p("gg_src.safetensors")
    rc, _, err = run(mkckpt, "-o", src, "--dtype", "bf16", "--seed", "9")  # ffn 688: down_proj K=688
    check(rc == 0, f"mkcheckpoint: {err}")
    sh, sraw = read_safetensors(src)
    for gran in ("tensor", "row"):
        ref = p(f"gg_ref_{gran}.safetensors")
        rc, _, err = run(tritbench, "convert", src, "-o", ref, "--granularity", gran)
        check(rc == 0, f"i2 reference: {err}")
        rh, rraw = read_safetensors(ref)
        meta = rh["__metadata__"]
        for fmt, t in (("tq2_0", 35), ("tq1_0", 34)):
            out = p(f"gg_{fmt}_{gran}.gguf")
            rc, so, err = run(tritbench, "convert", src, "-o", out, "--format", fmt, "--granularity", gran)
            check(rc == 0 and "12 quantized" in so, f"{fmt}/{gran}: rc {rc} {so} {err}")
            if rc != 0:
                continue
            kv, tensors = read_gguf(out)
            check(kv.get("general.architecture") == "tritbench", "architecture key")
            check(set(tensors) == {k for k in sh if k != "__metadata__"}, "same tensor names")
            for name, (ne, gt, raw) in tensors.items():
                shape = sh[name]["shape"]
                check(ne == shape[::-1], f"{name}: ne {ne} vs shape {shape}")
                desc = meta.get("tritbench.packed." + name)
                if gt in BLOCK:
                    check(gt == t and desc is not None, f"{name}: unexpected TQ type {gt}")
                    d = json.loads(desc)
                    rows, cols = d["shape"]
                    want = trits_i2(rraw[name], rows, cols, d["row_bytes"])
                    gammas = struct.unpack(f"<{len(rraw[d['scale']]) // 4}f", rraw[d["scale"]])
                    for m, (row, ds) in enumerate(trits_tq(gt, raw, rows, cols)):
                        check(row == want[m], f"{fmt}/{gran} {name} row {m}: trits differ")
                        half = struct.pack("<e", gammas[m if gran == "row" else 0])
                        check(all(x == half for x in ds), f"{fmt}/{gran} {name} row {m}: d != fp16(gamma)")
                        if row != want[m]:
                            break
                else:
                    check(gt == DTYPE_TO_GGML[sh[name]["dtype"]], f"{name}: type {gt}")
                    check(raw == sraw[name], f"{name}: kept bytes differ")
                    check(desc is None or "down_proj" in name, f"{name}: quantized in i2 but kept in GGUF")
    rc, so, _ = run(tritbench, "convert", src, "--dry-run", "--format", "tq1_0")
    check(rc == 0 and so.count("K not a multiple of 256") == 2, "dry run names the unblockable down_proj")
    rc, _, err = run(tritbench, "convert", src, "-o", src, "--format", "tq2_0")
    check(rc == 2 and "is the input" in err, "GGUF output over the input refused")
    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
