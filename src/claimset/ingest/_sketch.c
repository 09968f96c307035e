/*
 * Near-duplicate sketches: one-permutation MinHash signatures and LSH band keys.
 *
 * Contract. Python passes the texts as Arrow large_string buffers: `data` (UTF-8 bytes) and
 * `offsets` (n + 1 little-endian int64, monotone, within `data`; text i is
 * data[offsets[i]:offsets[i+1]]), the sketch parameters (`num_perm` bins, `shingle_words`
 * = k, `seed_mix` = seed * MIX mod 2^64) and a writable buffer `out` that receives, per
 * text and in row order, either its `num_perm` signature values (`signatures`) or its
 * `bands` LSH keys of `rows` values each (`band_keys`), as native uint64. Every row depends
 * on its own text only, so callers may split the rows into blocks and run blocks on
 * threads; the GIL is released during the loop. `signature_keys` gives the band keys of
 * signatures passed in (n x num_perm uint64), for candidate pairs of given signatures.
 *
 * Algorithm, per text: one pass over its bytes yields its word hashes (an array), one pass
 * over those the signature; all arithmetic wraps mod 2^64, so the values are the same on
 * every machine (they are persisted through cluster ids):
 *  1. Words are maximal runs of bytes > 0x20. Word boundaries are found 64 bytes at a time
 *     (SWAR bit masks, then one iteration per word), not one branch per byte.
 *  2. Word hash: the first min(len, 8) bytes with ASCII A-Z lower-cased, read as a
 *     little-endian uint64 (missing bytes zero) = v;
 *     h = v * MIX + len; h ^= h >> 29; h *= MIX; h ^= seed_mix.
 *  3. Shingle hash of words i..i+k-1: sum_j h[i+j] * MIX^(k-1-j), kept as a rolling sum
 *     (add the new word, subtract the word leaving the window times MIX^k) -- exact, since
 *     arithmetic mod 2^64 is a ring. A text with 1..k-1 words uses its word hashes instead.
 *  4. One-permutation hashing: s = shingle * MIX; s ^= s >> 31; bin = s mod num_perm,
 *     value = s div num_perm (mask and shift when num_perm is a power of two); each bin
 *     keeps its minimum; a bin no shingle reached holds EMPTY (UINT64_MAX), and so does,
 *     as in the numpy code this replaces, a bin whose minimum is UINT64_MAX (num_perm 1).
 *  5. Densification: an EMPTY bin c takes the value of the next non-EMPTY bin to its right,
 *     circularly, at distance d, plus d * MIX. A text without words stays all EMPTY.
 *  6. Band key of signature values [b*rows, (b+1)*rows): key = 0; key = key * MIX + value.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MIX UINT64_C(0x9E3779B97F4A7C15)
#define EMPTY UINT64_MAX
#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)
#define LOW7 UINT64_C(0x7F7F7F7F7F7F7F7F)

static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Bit i set iff byte i of the 8 (little-endian) is > 0x20. The 7-bit add cannot carry into
 * the next byte (0x7F + 0x5F < 0x100); the multiply gathers the 8 high bits into the top
 * byte without carries (the partial products land on distinct bits). */
static inline uint64_t word_bits8(uint64_t v) {
    uint64_t t = (((v & LOW7) + 0x5F * ONES) | v) & HIGH;
    return ((t >> 7) * UINT64_C(0x0102040810204080)) >> 56;
}

static inline uint64_t word_bits64(const uint8_t *p) {
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) bits |= word_bits8(load_le64(p + 8 * i)) << (8 * i);
    return bits;
}

/* ASCII A-Z -> a-z in every byte; bytes >= 0x80 (UTF-8) are left alone. */
static inline uint64_t lower_ascii(uint64_t v) {
    uint64_t x = v & LOW7;
    uint64_t ge_a = x + (0x80 - 0x41) * ONES;  /* high bit iff x >= 'A' */
    uint64_t gt_z = x + (0x80 - 0x5B) * ONES;  /* high bit iff x > 'Z' */
    return v | ((ge_a & ~gt_z & ~v & HIGH) >> 2);
}

typedef struct {
    const uint8_t *data;
    Py_ssize_t data_len;
    uint64_t seed_mix;
    uint64_t m;
    unsigned shift;  /* log2(m) when m is a power of two */
    int pow2;
    size_t k;
    uint64_t mix_k;   /* MIX^k */
    uint64_t *sig;    /* m values of the current text */
    uint64_t *words;  /* word hashes of the current text */
} Sketch;

/* `safe`: 8 bytes can be read from any word start (constant in each specialisation). */
static inline uint64_t word_hash(const Sketch *s, Py_ssize_t start, Py_ssize_t end,
                                 const int safe) {
    uint64_t len = (uint64_t)(end - start);
    uint64_t v;
    if (safe || s->data_len - start >= 8) {
        v = load_le64(s->data + start);
    } else {
        uint8_t tmp[8] = {0};
        memcpy(tmp, s->data + start, (size_t)(s->data_len - start));
        v = load_le64(tmp);
    }
    /* Keep the first min(len, 8) bytes (len >= 1), without a branch on the length. */
    unsigned drop = len >= 8 ? 0 : (unsigned)(64 - 8 * len);
    v = (v << drop) >> drop;
    v = lower_ascii(v);
    uint64_t h = v * MIX + len;
    h ^= h >> 29;
    return (h * MIX) ^ s->seed_mix;
}

/* `pow2`: s->m is a power of two (constant in each specialisation). */
static inline void add_shingle(Sketch *s, uint64_t sh, const int pow2) {
    uint64_t x = sh * MIX;
    x ^= x >> 31;
    uint64_t bin, val;
    if (pow2) {
        bin = x & (s->m - 1);
        val = x >> s->shift;
    } else {
        bin = x % s->m;
        val = x / s->m;
    }
    /* Unconditional store: whether a bin's minimum changes is data-dependent noise. */
    uint64_t cur = s->sig[bin];
    s->sig[bin] = val < cur ? val : cur;
}

/* The hashes of the words of data[start:end) into s->words; returns how many. s->words
 * must hold (end - start) / 2 + 1 values. */
static inline __attribute__((always_inline)) size_t hash_words(Sketch *s, Py_ssize_t start,
                                                               Py_ssize_t end, const int safe) {
    uint64_t *out = s->words;
    size_t count = 0;
    int in_word = 0;
    Py_ssize_t wstart = 0;
    uint64_t prev = 0;  /* was the byte before this block a word byte */
    for (Py_ssize_t pos = start; pos < end; pos += 64) {
        uint64_t bits;
        if (end - pos >= 64) {
            bits = word_bits64(s->data + pos);
        } else {
            /* Zero padding is no word byte, so a word at the end of the text ends there. */
            uint8_t tmp[64] = {0};
            memcpy(tmp, s->data + pos, (size_t)(end - pos));
            bits = word_bits64(tmp);
        }
        /* Bit i of starts: byte i begins a word; of ends: byte i is the first after one.
         * Within a block they pair up in order, except a word begun in an earlier block
         * (its end comes first) and one that goes on into the next (its start is last). */
        uint64_t before = (bits << 1) | prev;
        uint64_t starts = bits & ~before, ends = ~bits & before;
        prev = bits >> 63;
        if (in_word && ends) {
            out[count++] = word_hash(s, wstart, pos + __builtin_ctzll(ends), safe);
            ends &= ends - 1;
            in_word = 0;
        }
        while (ends) {
            Py_ssize_t a = pos + __builtin_ctzll(starts), b = pos + __builtin_ctzll(ends);
            starts &= starts - 1;
            ends &= ends - 1;
            out[count++] = word_hash(s, a, b, safe);
        }
        if (starts) {
            wstart = pos + __builtin_ctzll(starts);
            in_word = 1;
        }
    }
    if (in_word) out[count++] = word_hash(s, wstart, end, safe);  /* ends on a block boundary */
    return count;
}

/* The shingles of the text's n word hashes (s->words) into s->sig. */
static inline __attribute__((always_inline)) void add_shingles(Sketch *s, size_t n,
                                                               const int pow2) {
    const uint64_t *h = s->words;
    const size_t k = s->k;
    if (n >= k) {
        uint64_t roll = 0;
        for (size_t i = 0; i < k; i++) roll = roll * MIX + h[i];
        add_shingle(s, roll, pow2);
        for (size_t i = k; i < n; i++) {
            roll = roll * MIX + h[i] - h[i - k] * s->mix_k;
            add_shingle(s, roll, pow2);
        }
    } else {
        for (size_t i = 0; i < n; i++) add_shingle(s, h[i], pow2);
    }
}

/* The signature of data[start:end) into s->sig, densified. */
static void sketch_text(Sketch *s, Py_ssize_t start, Py_ssize_t end) {
    const uint64_t m = s->m;
    uint64_t *sig = s->sig;
    for (uint64_t i = 0; i < m; i++) sig[i] = EMPTY;
    /* Specialised loops: no per-word bounds check but near the end of data, no per-shingle
     * test of the kind of num_perm. */
    size_t n = s->data_len - end >= 7 ? hash_words(s, start, end, 1)
                                      : hash_words(s, start, end, 0);
    if (s->pow2) add_shingles(s, n, 1);
    else add_shingles(s, n, 0);
    /* Densify right to left: `next` is the next originally filled bin to the right of c
     * (circularly, as an index into the row written twice); filled bins are never
     * written, so the values read are original ones. */
    uint64_t first = 0;
    while (first < m && sig[first] == EMPTY) first++;
    if (first == m) return;
    uint64_t next = m + first;
    for (uint64_t c = m; c-- > 0;) {
        if (sig[c] != EMPTY) next = c;
        else sig[c] = sig[next >= m ? next - m : next] + (next - c) * MIX;
    }
}

/* The band keys of one signature, as native uint64 into dst (which may be unaligned). */
static inline void write_keys(const uint64_t *sig, Py_ssize_t rows, Py_ssize_t bands,
                              uint8_t *dst) {
    for (Py_ssize_t b = 0; b < bands; b++) {
        uint64_t key = 0;
        for (Py_ssize_t j = b * rows; j < (b + 1) * rows; j++) key = key * MIX + sig[j];
        memcpy(dst + 8 * b, &key, 8);
    }
}

/* Shared by both text entry points: validates, sketches every text, then writes either the
 * signature (bands == 0) or the band keys of each text. */
static PyObject *run(PyObject *args, int keys) {
    Py_buffer data = {0}, offsets = {0}, out = {0};
    Py_ssize_t num_perm, k, rows = 0, bands = 0;
    PyObject *seed_obj;
    int ok;
    if (keys) {
        ok = PyArg_ParseTuple(args, "y*y*nnOnnw*:band_keys", &data, &offsets, &num_perm, &k,
                              &seed_obj, &rows, &bands, &out);
    } else {
        ok = PyArg_ParseTuple(args, "y*y*nnOw*:signatures", &data, &offsets, &num_perm, &k,
                              &seed_obj, &out);
    }
    if (!ok) return NULL;
    PyObject *result = NULL;
    uint64_t *sig = NULL, *words = NULL;
    uint64_t seed_mix = PyLong_AsUnsignedLongLong(seed_obj);
    if (seed_mix == (uint64_t)-1 && PyErr_Occurred()) goto done;
    if (num_perm < 1 || k < 1 || num_perm > PY_SSIZE_T_MAX / 8 || k > PY_SSIZE_T_MAX / 8) {
        PyErr_SetString(PyExc_ValueError, "num_perm and shingle_words must be >= 1 (and sane)");
        goto done;
    }
    if (keys && (rows < 1 || bands < 1 || rows > num_perm / bands)) {
        PyErr_SetString(PyExc_ValueError, "bands x rows must be >= 1 and <= num_perm");
        goto done;
    }
    if (offsets.len % 8 != 0 || offsets.len < 8) {
        PyErr_SetString(PyExc_ValueError, "offsets must hold n + 1 int64 values");
        goto done;
    }
    Py_ssize_t n = offsets.len / 8 - 1;
    const uint8_t *op = offsets.buf;
    int64_t last;
    memcpy(&last, op, 8);
    if (last < 0) {
        PyErr_SetString(PyExc_ValueError, "offsets must not be negative");
        goto done;
    }
    int64_t longest = 0;
    for (Py_ssize_t i = 1; i <= n; i++) {
        int64_t o;
        memcpy(&o, op + 8 * i, 8);
        if (o < last) {
            PyErr_SetString(PyExc_ValueError, "offsets must be non-decreasing");
            goto done;
        }
        if (o - last > longest) longest = o - last;
        last = o;
    }
    if (last > data.len) {
        PyErr_SetString(PyExc_ValueError, "offsets run past the end of data");
        goto done;
    }
    Py_ssize_t width = keys ? bands : num_perm;
    if (out.len % 8 != 0 || out.len / 8 / width != n || out.len / 8 % width != 0) {
        PyErr_Format(PyExc_ValueError, "out must hold %zd x %zd uint64 values", n, width);
        goto done;
    }
    sig = PyMem_RawMalloc((size_t)num_perm * sizeof(uint64_t));
    /* Room for the most words any text can have: a word and its separator take 2 bytes. */
    words = PyMem_RawMalloc(((size_t)longest / 2 + 1) * sizeof(uint64_t));
    if (sig == NULL || words == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Sketch s;
    s.data = data.buf;
    s.data_len = data.len;
    s.seed_mix = seed_mix;
    s.m = (uint64_t)num_perm;
    s.pow2 = (s.m & (s.m - 1)) == 0;
    s.shift = 0;
    while ((UINT64_C(1) << s.shift) < s.m) s.shift++;
    s.k = (size_t)k;
    s.mix_k = 1;
    for (Py_ssize_t i = 0; i < k; i++) s.mix_k *= MIX;
    s.sig = sig;
    s.words = words;
    uint8_t *dst = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t lo, hi;
        memcpy(&lo, op + 8 * i, 8);
        memcpy(&hi, op + 8 * (i + 1), 8);
        sketch_text(&s, (Py_ssize_t)lo, (Py_ssize_t)hi);
        if (keys) {
            write_keys(sig, rows, bands, dst);
            dst += (size_t)bands * 8;
        } else {
            memcpy(dst, sig, (size_t)num_perm * 8);
            dst += (size_t)num_perm * 8;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_RawFree(sig);
    PyMem_RawFree(words);
    PyBuffer_Release(&data);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&out);
    return result;
}

static PyObject *py_signatures(PyObject *self, PyObject *args) {
    (void)self;
    return run(args, 0);
}

static PyObject *py_band_keys(PyObject *self, PyObject *args) {
    (void)self;
    return run(args, 1);
}

static PyObject *py_signature_keys(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer sigs = {0}, out = {0};
    Py_ssize_t num_perm, rows, bands;
    if (!PyArg_ParseTuple(args, "y*nnnw*:signature_keys", &sigs, &num_perm, &rows, &bands, &out))
        return NULL;
    PyObject *result = NULL;
    uint64_t *sig = NULL;
    if (num_perm < 1 || num_perm > PY_SSIZE_T_MAX / 8 || rows < 1 || bands < 1 ||
        rows > num_perm / bands) {
        PyErr_SetString(PyExc_ValueError, "need num_perm >= bands x rows >= 1");
        goto done;
    }
    if (sigs.len % (8 * num_perm) != 0) {
        PyErr_Format(PyExc_ValueError, "signatures must hold n x %zd uint64 values", num_perm);
        goto done;
    }
    Py_ssize_t n = sigs.len / (8 * num_perm);
    if (out.len % 8 != 0 || out.len / 8 / bands != n || out.len / 8 % bands != 0) {
        PyErr_Format(PyExc_ValueError, "out must hold %zd x %zd uint64 values", n, bands);
        goto done;
    }
    sig = PyMem_RawMalloc((size_t)num_perm * sizeof(uint64_t));
    if (sig == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const uint8_t *src = sigs.buf;
    uint8_t *dst = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        memcpy(sig, src + (size_t)i * (size_t)num_perm * 8, (size_t)num_perm * 8);
        write_keys(sig, rows, bands, dst + (size_t)i * (size_t)bands * 8);
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_RawFree(sig);
    PyBuffer_Release(&sigs);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"signature_keys", py_signature_keys, METH_VARARGS,
     "signature_keys(signatures, num_perm, rows, bands, out) -> None\n\n"
     "Write the bands uint64 LSH keys of every num_perm-value signature into out."},
    {"signatures", py_signatures, METH_VARARGS,
     "signatures(data, offsets, num_perm, shingle_words, seed_mix, out) -> None\n\n"
     "Write the num_perm uint64 signature values of every text into out."},
    {"band_keys", py_band_keys, METH_VARARGS,
     "band_keys(data, offsets, num_perm, shingle_words, seed_mix, rows, bands, out) -> None\n\n"
     "Write the bands uint64 LSH keys (rows signature values each) of every text into out."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sketch", "Near-duplicate sketch kernel (MinHash + LSH keys).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__sketch(void) { return PyModule_Create(&module); }
