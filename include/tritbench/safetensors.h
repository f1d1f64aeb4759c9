/* safetensors.h — safetensors checkpoints: a hardened reader (mmap + jansson), sharded models through
 * model.safetensors.index.json, a streaming atomic writer, and the packed-ternary convention that
 * `tritbench convert` writes and loads back bit-exact.
 *
 * File layout (https://github.com/huggingface/safetensors): u64 little-endian N, N bytes of JSON header
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {str: str}},
 * then the data section; offsets are relative to it. The reader accepts a file only if the tensors tile
 * the data section exactly (no overlap, no gap, nothing left over) and every shape × dtype size equals
 * its byte span: anything else is an error naming the file, the tensor and the problem.
 *
 * Packed convention (tritbench.packed.v1): a quantized linear weight W (rows × cols, FP) becomes
 *   W         U8  [rows, row_bytes]  the codes exactly as trit_packed holds them (formats.h)
 *   W_scale   F32 [n_scales]         γ, one per tensor or per row
 * and __metadata__["tritbench.packed." W] = {"format":"i2","granularity":"row","shape":[rows,cols],
 *   "row_bytes":R,"scale":"W_scale","source_dtype":"BF16"} (a JSON object in a string, as safetensors
 * metadata values must be strings). Every other tensor is copied byte for byte.
 */
#ifndef TRITBENCH_SAFETENSORS_H
#define TRITBENCH_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/quant.h"

typedef enum st_dtype {
    ST_BOOL = 0, ST_U8, ST_I8, ST_F8_E4M3, ST_F8_E5M2, ST_I16, ST_U16, ST_F16, ST_BF16,
    ST_I32, ST_U32, ST_F32, ST_F64, ST_I64, ST_U64, ST_DTYPE_COUNT
} st_dtype;

const char *st_dtype_name(st_dtype d);           /* "F32" ... */
size_t st_dtype_size(st_dtype d);                /* bytes per element */
int st_dtype_parse(const char *name, st_dtype *out); /* 0, or -1 if unknown */
bool st_dtype_is_float(st_dtype d);              /* F16, BF16, F32, F64: convertible to FP32 */

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER (100u << 20) /* the limit the reference implementation sets too */

typedef struct st_tensor {
    char *name;
    st_dtype dtype;
    size_t ndim;
    uint64_t shape[ST_MAX_DIMS];
    size_t n_elems;
    size_t begin, end;   /* byte offsets in the data section */
    const uint8_t *data; /* begin of the bytes (inside the file's mapping) */
    size_t file_index;   /* which file of an st_model holds it */
    int guard;           /* the mapped file's truncation guard (-1: an in-memory image) */
} st_tensor;

typedef struct st_meta {
    char *key, *value;
} st_meta;

typedef struct st_file {
    char *path;
    void *map;
    size_t map_len;
    const uint8_t *data; /* the data section */
    size_t data_len;
    st_tensor *tensors;  /* sorted by name */
    size_t n_tensors;
    st_meta *meta;       /* __metadata__, in file order */
    size_t n_meta;
    int guard; /* truncation guard of the mapping (-1 for st_parse of a buffer) */
} st_file;

/* Parses a whole in-memory image (length, header, data). `name` goes into messages. The tensors point
 * into buf, which must outlive out. Returns 0, or -1 with "NAME: [tensor 'T': ]problem" in err. */
int st_parse(const uint8_t *buf, size_t len, const char *name, st_file *out, char *err, size_t err_len);
/* Maps path read-only and parses it. Refuses anything but a regular file without blocking (a FIFO is
 * refused, not opened for a writer). */
int st_open(const char *path, st_file *out, char *err, size_t err_len);
void st_close(st_file *f);
const st_tensor *st_file_find(const st_file *f, const char *name); /* NULL if absent */
const char *st_file_meta(const st_file *f, const char *key);       /* NULL if absent */

/* Elements of a float tensor (F16, BF16, F32, F64) as FP32; out holds t->n_elems floats. -1 (message)
 * for any other dtype. */
int st_tensor_to_f32(const st_tensor *t, float *out, char *err, size_t err_len);
/* After reading a tensor's bytes: 0, or -1 with "FILE changed size while being read" when another process
 * truncated or grew the file since it was mapped (the read itself got zeros instead of a SIGBUS). Every
 * reader of t->data calls it before trusting what it read. */
int st_tensor_check(const st_tensor *t, char *err, size_t err_len);
float st_f16_to_f32(uint16_t h);
float st_bf16_to_f32(uint16_t b);
uint16_t st_f32_to_f16(float f);  /* round half to even; overflow → ±Inf */
uint16_t st_f32_to_bf16(float f); /* round half to even */

/* A checkpoint: one .safetensors file, a model.safetensors.index.json with its shards, or a directory
 * holding either. Tensor names are unique across shards; the index must match the shards exactly. */
typedef struct st_model {
    char *path;
    st_file *files;
    size_t n_files;
    char *index_path;         /* NULL for a single file */
    const st_tensor **tensors; /* all of them, sorted by name */
    size_t n_tensors;
} st_model;

int st_model_open(const char *path, st_model *m, char *err, size_t err_len);
void st_model_close(st_model *m);
const st_tensor *st_model_find(const st_model *m, const char *name);
const char *st_model_meta(const st_model *m, const char *key); /* first file that has it */
uint64_t st_model_data_bytes(const st_model *m);               /* Σ tensor bytes */

/* --- writer: declare every tensor first (sizes fix the header), then stream the bytes in order --- */
typedef struct st_writer st_writer;
/* Opens an atomic temporary beside path. */
st_writer *st_writer_new(const char *path, char *err, size_t err_len);
int st_writer_add_meta(st_writer *w, const char *key, const char *value);
/* Declares the next tensor; its bytes are shape product × dtype size. Returns 0 or -1 (message). */
int st_writer_add_tensor(st_writer *w, const char *name, st_dtype dtype, size_t ndim, const uint64_t *shape,
                         char *err, size_t err_len);
/* Writes the header; after this only st_writer_write. */
int st_writer_begin_data(st_writer *w, char *err, size_t err_len);
/* Appends bytes of the current tensor(s), in declaration order; chunks may be any size. */
int st_writer_write(st_writer *w, const void *data, size_t len, char *err, size_t err_len);
/* Checks every declared byte was written, fsyncs and renames; frees w either way. */
int st_writer_commit(st_writer *w, char *err, size_t err_len);
/* Removes the temporary; the target is untouched; frees w. */
void st_writer_abort(st_writer *w);

/* --- packed convention --- */
#define ST_PACKED_META_PREFIX "tritbench.packed."
#define ST_PACKED_SCALE_SUFFIX "_scale"

/* True if the model holds `name` as a packed ternary weight (metadata present). */
bool st_is_packed(const st_model *m, const char *name);
/* Reads and checks a packed weight's descriptor only (no codes touched): its format, granularity,
 * logical shape and stored bytes (codes + scales). 0 or -1 (message). */
int st_packed_describe(const st_model *m, const char *name, trit_format *f, trit_granularity *g, size_t *rows,
                       size_t *cols, size_t *stored_bytes, char *err, size_t err_len);
/* Loads a packed weight into p (allocated here, free with trit_packed_free). Checks the metadata, the
 * code/scale tensors' dtypes and shapes, and that every code decodes to a trit. 0 or -1 (message). */
int st_load_packed(const st_model *m, const char *name, trit_packed *p, char *err, size_t err_len);

/* --- conversion (the library behind `tritbench convert`) --- */
#define ST_MAX_EXCLUDES 32

/* --- architecture layouts (st_layout.c) ---
 * How a checkpoint stores its linear weights, which decides what convert quantizes and how:
 *   llama  nn.Linear weights [out, in] (Llama, BitNet, Mistral, ...): packed as stored.
 *   gpt2   Conv1D weights [in, out] (GPT-2's attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj): transposed
 *          to [out, in] before quantizing, so packed rows are output features and per-row scales are per
 *          output channel. The fused QKV projection c_attn stays ONE tensor [3·hidden, hidden] (rows
 *          q | k | v): the name a GPT-2 loader looks for survives and one matmul computes all three, as a
 *          fused BitLinear does. Per-tensor γ is then shared by q, k and v; --granularity row gives each
 *          output channel its own.
 * Detection (ST_LAYOUT_AUTO): config.json beside the checkpoint (model_type, else architectures[0]), else
 * the tensor names. A checkpoint recognised as neither, with a weight convert would quantize, is refused
 * unless the caller names a layout: a wrong guess would pack input features as rows silently. */
typedef enum st_layout { ST_LAYOUT_AUTO = 0, ST_LAYOUT_LLAMA, ST_LAYOUT_GPT2, ST_LAYOUT_COUNT } st_layout;

const char *st_layout_name(st_layout l);            /* "auto", "llama", "gpt2" */
int st_layout_parse(const char *name, st_layout *out); /* also "bitnet" → llama; 0, or -1 if unknown */
/* The layout of m, read from config.json beside in_path (the checkpoint file's directory, or the directory
 * itself), else from tensor names. 1: found (*out set, `why` says from what); 0: unknown (`why` says what was
 * seen); -1: a config.json that exists but cannot be read or parsed (message in why). */
int st_layout_detect(const char *in_path, const st_model *m, st_layout *out, char *why, size_t why_len);
/* Default exclusions of a layout (POSIX ERE): llama 'embed' 'lm_head' 'norm'; gpt2 '(^|\.)wte\.'
 * '(^|\.)wpe\.' 'lm_head' '(^|\.)ln_'. */
const char *const *st_layout_default_excludes(st_layout l, size_t *count);
/* Is this 2-D tensor stored [in, out] in layout l (so convert transposes it)? */
bool st_layout_transposes(st_layout l, const st_tensor *t);
/* In place: W (rows × cols, row-major) becomes its transpose (cols × rows). 0, or -1 out of memory. */
int st_transpose_f32(float *W, size_t rows, size_t cols);

typedef struct st_convert_opts {
    const char *in_path, *out_path;
    trit_format format;            /* st_convert only (st_export_gguf takes its block type) */
    trit_granularity granularity;
    const char *excludes[ST_MAX_EXCLUDES]; /* POSIX ERE, matched anywhere in the name */
    size_t n_excludes;
    bool dry_run;
    bool progress; /* per-tensor lines on stderr (also forced on for inputs over 256 MiB) */
    /* 0: packed output (format). ST_F16 or ST_BF16: the ternary projection γ·{−1,0,+1} written dequantized
     * in that type, loadable by any safetensors reader, with the compression statistics in __metadata__
     * (ST_STATS_META_PREFIX NAME per layer and ST_STATS_META_PREFIX "total"); format then only sizes
     * bytes_packed / bits_per_weight. st_convert only. */
    st_dtype dequant_dtype;
    trit_wquant_method method; /* TRIT_WQ_ABSMEAN (default, BitNet b1.58) or TRIT_WQ_THRESHOLD */
    float threshold;           /* TRIT_WQ_THRESHOLD: |W| < threshold·γ → 0 (quant.h) */
    st_layout layout;     /* ST_LAYOUT_AUTO (0): detected; an unknown layout is an error (st_layout.c) */
    bool layout_excludes; /* add the layout's default excludes (st_layout_default_excludes) */
    bool head_q8;  /* embedding / lm_head tables (not quantized to ternary) as Q8 rows (st_q8head.c) */
    bool head_q8r; /* as head_q8, plus NAME_resid: the 4-bit residual per weight of the q8r head (lowp.h) */
} st_convert_opts;

#define ST_STATS_META_PREFIX "tritbench.stats."
#define ST_DEQUANT_FORMAT "tritbench.ternary_dequantized.v1"

/* Checks the options alone (every --exclude regex compiles, threshold sane, dequant dtype F16/BF16).
 * st_convert and st_export_gguf call it before opening anything. 0, or -1 (message). */
int st_convert_check_opts(const st_convert_opts *o, char *err, size_t err_len);

/* Copies name into buf with control bytes (< 0x20, 0x7f) and backslashes written as \xNN / \\, so a
 * name from a hostile file cannot drive the terminal; truncated with "..." to fit. Returns buf. */
const char *st_escape_name(const char *name, char *buf, size_t len);
/* The escaped name in a buffer that lives until the end of the enclosing block (for messages). */
#define ST_SHOW(name) st_escape_name((name), (char[256]){0}, 256)

/* --- Q8 head tables (convert --head q8): NAME I8 [rows, cols] + NAME_scale F32 [rows], described in
 * __metadata__["tritbench.q8.NAME"]; st_q8head.c --- */
#define ST_Q8_META_PREFIX "tritbench.q8."
/* q8r (head_q8r) adds NAME_resid U8 [rows, ceil(cols/2)] and "resid"/"resid_bits" to the descriptor. */
/* 1 if head_q8 / head_q8r and t is a vocabulary table (embed*, lm_head, GPT-2 wte) weight, 0 if not, -1 (message) if its scale or residual name is taken. */
int st_q8head_selects(const st_convert_opts *o, const st_model *m, const st_tensor *t, char *err, size_t err_len);
uint64_t st_q8head_bytes(const st_convert_opts *o, const st_tensor *t);
int st_q8head_declare(st_writer *w, const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len);
int st_q8head_write(st_writer *w, const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len);
/* Reads table `name` back: the Q8 rows into w (allocated here), and the residuals into r when r is not NULL
 * (then the table must be q8r). Every tensor's dtype and shape is checked against the descriptor first.
 * 0, or -1 with a message naming the tensor and the expected shape (nothing left allocated). */
struct trit_q8_rows;
struct trit_q8_resid;
int st_q8head_load(const st_model *m, const char *name, struct trit_q8_rows *w, struct trit_q8_resid *r, char *err,
                   size_t err_len);

/* The resolved conversion: o with the layout detected (or o->layout), checked (unknown → error), and the
 * layout's default excludes appended when o->layout_excludes. `line` gets the plan's layout line (layout,
 * from what, transposition, default excludes). 0, or -1 with a message. */
int st_layout_resolve(const st_convert_opts *o, const st_model *m, st_convert_opts *eff, char *line, size_t line_len,
                      char *err, size_t err_len);

/* The default exclusions (BitNet keeps embeddings, lm_head and norms in full precision). */
const char *const *st_default_excludes(size_t *count);
/* Would convert quantize this tensor? (2-D float tensor whose name ends in "weight", no exclude match.)
 * Returns 1 yes, 0 no, -1 on a bad regex (message). */
int st_convert_selects(const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len);

typedef struct st_convert_stats {
    size_t n_tensors, n_quantized;
    uint64_t in_bytes, out_bytes;
    uint64_t quantized_in_bytes, quantized_out_bytes;
} st_convert_stats;

/* Runs the conversion (plan only with dry_run). A summary line per tensor goes to `plan` when not NULL.
 * Returns 0, or -1 with a message; on failure OUT is untouched. */
int st_convert(const st_convert_opts *o, st_convert_stats *stats, void (*plan)(void *user, const char *line),
               void *user, char *err, size_t err_len);

/* OUT names one of the model's files (same device and inode)? -1 with a message if so, or if OUT is a
 * directory; 0 otherwise. */
int st_refuse_input_as_output(const st_model *m, const char *out, char *err, size_t err_len);

/* --- GGUF export with ggml's ternary block types (tq2_0: 2.0625 bits/weight, tq1_0: 1.6875) ---
 * Same selection and quantization as st_convert (o->format is ignored); each 256-weight block stores
 * d = FP16(γ) of its row (granularity row) or of the tensor. A selected weight whose K is not a multiple
 * of 256 cannot be blocked and is kept in its float type (said in the plan). Other tensors keep their
 * type (F32, F16, BF16, F64, I8–I64); dtypes GGML lacks (U8, U16, ...) are an error. The file is a
 * tensor container: general.architecture "tritbench", no tokenizer or hyperparameters. */
typedef enum st_gguf_type { ST_GGUF_TQ1_0 = 34, ST_GGUF_TQ2_0 = 35 } st_gguf_type;
int st_export_gguf(const st_convert_opts *o, st_gguf_type type, st_convert_stats *stats,
                   void (*plan)(void *user, const char *line), void *user, char *err, size_t err_len);

#endif
