# tests/hostile/cases/convert.sh — `convert` (and the checkpoint reader behind validate --model) against
# hostile inputs, output targets and signals. Sourced by run.sh: $tb, $mkckpt, $mkhostile, $work, hcase.

d=$work/convert
mkdir -p "$d"
"$mkckpt" -o "$d/small.safetensors" --layers 1 --hidden 64 --ffn 96 --heads 2 --kv-heads 1 --vocab 32 >/dev/null
# ~100 MB of F32 in several tensors: converting it takes long enough to be interrupted mid-way.
"$mkckpt" -o "$d/big.safetensors" --layers 2 --hidden 1024 --ffn 2816 --heads 8 --kv-heads 8 --vocab 64 >/dev/null

# safetensors files with a hand-written header (names and metadata the generator will not write).
mkst() { # OUT HEADER-JSON-WITHOUT-OFFSETS: every tensor F32 [2, 4], zeros
    python3 - "$@" <<'PY'
import json, struct, sys
out, spec = sys.argv[1], json.loads(sys.argv[2])
hdr, off = {}, 0
for k, v in spec.items():
    if k == "__metadata__":
        hdr[k] = v
        continue
    hdr[k] = {"dtype": "F32", "shape": [2, 4], "data_offsets": [off, off + 32]}
    off += 32
h = json.dumps(hdr).encode()
open(out, "wb").write(struct.pack("<Q", len(h)) + h + bytes(off))
PY
}

# --- every malformed header from the parser's table (tests/safetensors/hostile_cases.c) ---
mkdir -p "$d/hostile"
"$mkhostile" "$d/hostile" >/dev/null
while IFS=$'\t' read -r id tensor frag; do
    hcase "malformed/$id" 2 "$frag" -- "$tb" convert "$d/hostile/$id.safetensors" --dry-run
done < "$d/hostile/manifest.tsv"

# --- inputs that are not regular files: refused at once, never waited on ---
mkfifo "$d/in.fifo"
hcase "input/fifo" 2 "FIFO" -- "$tb" convert "$d/in.fifo" --dry-run
mkfifo "$d/index.fifo.json"
hcase "input/fifo-index" 2 "not a regular file" -- "$tb" convert "$d/index.fifo.json" --dry-run
mkdir -p "$d/fifodir" && mkfifo "$d/fifodir/model.safetensors.index.json"
hcase "input/dir-with-fifo-index" 2 "not a regular file" -- "$tb" convert "$d/fifodir" --dry-run
hcase "input/validate-model-fifo" 2 "FIFO" -- "$tb" validate --suite model --model "$d/in.fifo" --out "$d/vout"
hcase "input/char-device" 2 "character device" -- "$tb" convert /dev/zero --dry-run

# --- an input truncated by another process while convert reads it ---
cp "$d/big.safetensors" "$d/shrinking.safetensors"
trunc_on_first_tensor() { # run convert; cut the input to 4 KiB when it announces its first tensor
    "$tb" convert "$d/shrinking.safetensors" -o "$d/shrunk-out.safetensors" --progress 2>&1 |
        while IFS= read -r line; do
            echo "$line"
            case $line in *"[1/"*) truncate -s 4096 "$d/shrinking.safetensors" ;; esac
        done
    return "${PIPESTATUS[0]}"
}
hcase "input/truncated-while-read" 2 "changed size while being read" -- bash -c "$(declare -f trunc_on_first_tensor); d='$d' tb='$tb'; trunc_on_first_tensor"
[ -e "$d/shrunk-out.safetensors" ] && echo "     note: shrunk-out.safetensors exists" && rm -f "$d/shrunk-out.safetensors"

# --- output targets ---
echo "keep me" > "$d/existing.safetensors"
"$mkckpt" -o "$d/poisoned.safetensors" --layers 1 --hidden 64 --ffn 96 --heads 2 --kv-heads 1 --vocab 32 \
    --poison model.layers.0.mlp.up_proj.weight >/dev/null
hcase "output/failed-convert-keeps-old" 2 "non-finite" --keep "$d/existing.safetensors" -- \
    "$tb" convert "$d/poisoned.safetensors" -o "$d/existing.safetensors"
hcase "output/dev-null-refused" 2 "character device" -- \
    "$tb" convert "$d/small.safetensors" -o /dev/null
hcase "output/dev-full-refused" 2 "character device" -- \
    "$tb" convert "$d/small.safetensors" -o /dev/full
hcase "output/gguf-dev-null-refused" 2 "character device" -- \
    "$tb" convert "$d/small.safetensors" -o /dev/null --format tq2_0
mkfifo "$d/out.fifo"
hcase "output/fifo-refused" 2 "FIFO" --special "$d/out.fifo" -- "$tb" convert "$d/small.safetensors" -o "$d/out.fifo"
echo "old target" > "$d/target.safetensors"
ln -s target.safetensors "$d/link.safetensors"
hcase "output/symlink-followed" 0 "" --special "$d/link.safetensors" -- \
    "$tb" convert "$d/small.safetensors" -o "$d/link.safetensors"
hcase "output/symlink-target-replaced" 0 "" -- \
    bash -c "! grep -q 'old target' '$d/target.safetensors' && '$tb' convert '$d/target.safetensors' --dry-run"
ln -s "$d/nowhere/x.safetensors" "$d/dangling.safetensors"
hcase "output/dangling-symlink-refused" 2 "symlink" --special "$d/dangling.safetensors" -- \
    "$tb" convert "$d/small.safetensors" -o "$d/dangling.safetensors"
long=$(printf 'L%.0s' $(seq 1 250))
hcase "output/250-char-name" 0 "" -- "$tb" convert "$d/small.safetensors" -o "$d/$long"
hcase "output/is-the-input" 2 "is the input" --keep "$d/small.safetensors" -- \
    "$tb" convert "$d/small.safetensors" -o "$d/small.safetensors"
mkdir -p "$d/outdir"
hcase "output/directory" 2 "directory" -- "$tb" convert "$d/small.safetensors" -o "$d/outdir"

# --- signals: the temporary goes with the process (exit 128+signal, nothing left) ---
for sig in INT TERM HUP; do
    kill_on_first_tensor() {
        sh -c 'echo $$ > "$0.pid"; exec "$1" convert "$2" -o "$3" --progress 2>&1' "$d/conv" "$tb" \
            "$d/big.safetensors" "$d/sig-out.safetensors" |
            while IFS= read -r line; do
                case $line in *"[1/"*) kill -s "$sig" "$(cat "$d/conv.pid")" ;; esac
            done
        return "${PIPESTATUS[0]}"
    }
    want=$((128 + $(kill -l "$sig")))
    hcase "signal/$sig-removes-temporary" "$want" "" -- \
        bash -c "$(declare -f kill_on_first_tensor); d='$d' tb='$tb' sig=$sig; kill_on_first_tensor"
    [ -e "$d/sig-out.safetensors" ] && echo "     note: sig-out.safetensors written despite SIG$sig" && rm -f "$d/sig-out.safetensors"
done
# A temporary of a process killed by SIGKILL (cannot be caught) is named by the next run.
mkdir -p "$d/stale-dir"
sh -c 'exit 0' & deadpid=$!
wait $deadpid
echo junk > "$d/stale-dir/.out.safetensors.tmp.$deadpid.XyZ123"
hcase "signal/stale-temporary-named" 0 ".out.safetensors.tmp.$deadpid.XyZ123" -- \
    "$tb" convert "$d/small.safetensors" -o "$d/stale-dir/out.safetensors"
# The same with a 250-character output name: the temporary's name is cut to fit NAME_MAX (at 222).
echo junk > "$d/stale-dir/.${long:0:222}.tmp.$deadpid.XyZ123"
hcase "signal/stale-temporary-long-name" 0 ".tmp.$deadpid.XyZ123" -- \
    "$tb" convert "$d/small.safetensors" -o "$d/stale-dir/$long"
rm -rf "$d/stale-dir"

# --- options and content ---
mkst "$d/nocand.safetensors" '{"a.bias": 0}'
hcase "options/bad-exclude-no-candidates" 2 "bad --exclude regex '['" -- \
    "$tb" convert "$d/nocand.safetensors" --dry-run --exclude '['
mkst "$d/badmeta.safetensors" '{"__metadata__": {"tritbench.packed.x.weight": "{}"}, "x.bias": 0}'
hcase "content/bad-packed-metadata-copied" 2 "$d/badmeta.safetensors" -- \
    "$tb" convert "$d/badmeta.safetensors" -o "$d/badmeta-out.safetensors"
mkst "$d/escape.safetensors" "$(printf '{"x\\u001b]0;pwned\\u0007.weight": 0}')"
hcase "content/escaped-names-in-dry-run" 0 'x\x1b]0;pwned\x07.weight' -- \
    bash -c "'$tb' convert '$d/escape.safetensors' --layout llama --dry-run | { ! grep -q \$'\\033'; }; s=(\${PIPESTATUS[@]}); [ \${s[0]} = 0 ] && [ \${s[1]} = 0 ] && '$tb' convert '$d/escape.safetensors' --layout llama --dry-run"
mkdir -p "$d/both"
cp "$d/small.safetensors" "$d/both/model.safetensors"
echo '{"weight_map": {"x": "model.safetensors"}}' > "$d/both/model.safetensors.index.json"
hcase "content/dir-with-index-and-single" 2 "model.safetensors.index.json and" -- "$tb" convert "$d/both" --dry-run
mkdir -p "$d/escape-shard/model"
cp "$d/small.safetensors" "$d/escape-shard/outside.safetensors"
ln -s ../outside.safetensors "$d/escape-shard/model/shard.safetensors"
python3 -c 'import json,struct,sys; f=open(sys.argv[1],"rb"); n=struct.unpack("<Q",f.read(8))[0]; h=json.loads(f.read(n)); print(json.dumps({"weight_map":{k:"shard.safetensors" for k in h if k!="__metadata__"}}))' \
    "$d/small.safetensors" > "$d/escape-shard/model/model.safetensors.index.json"
hcase "content/shard-symlink-outside" 2 "outside the model directory" -- "$tb" convert "$d/escape-shard/model" --dry-run
