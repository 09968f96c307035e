/*
 * Text normalisation kernel: steps 3-5 of the policy in claimset/ingest/normalize.py
 * (newlines, invisible characters, whitespace, paragraph breaks, strip) over a whole column
 * in one pass, plus a per-row flag for step 6 (NFC), which stays in Python.
 *
 * Contract. Python passes the column as an Arrow string_view array (polars' own layout, so
 * neither direction converts or copies the text): `views` (16 bytes per row, rows
 * `offset` .. `offset + n - 1` are the column), `buffers` (a tuple of the array's data
 * buffers), `validity` (its null bitmap, or None), `single_paragraph`, `nfc_bitmap`
 * (0x110000 / 8 bytes; bit cp & 7 of byte cp >> 3 set iff code point cp is NFC-sensitive)
 * and three writable buffers:
 *  - `out_views` (16 * n bytes): the result's views. A null or unchanged row keeps its
 *    view, so it still points into the input buffers; a changed row gets a new view, inline
 *    when it is at most 12 bytes, else into `out_data`, which is buffer number
 *    len(buffers) of the result.
 *  - `out_data`: the changed rows longer than 12 bytes, back to back. It needs at most the
 *    summed length of the column's rows longer than 12 bytes (no row ever grows); its
 *    offsets must fit the view's int32, so Python passes at most 2 GiB of text per call.
 *  - `flags` (n bytes): bit 0 (FLAG_NFC) set iff the normalised row holds an NFC-sensitive
 *    code point, bit 1 (FLAG_NUL) iff it holds U+0000 (which normalisation never removes,
 *    so the raw row holds one too: the caller's quarantine check comes for free).
 * Returns (changed rows, bytes used in out_data). A view outside its buffer, or a malformed
 * UTF-8 sequence where the kernel decodes, raises ValueError (polars strings are valid UTF-8;
 * the fast path copies bytes without re-validating them). The GIL is released during the loop.
 *
 * Why one pass is exact. The reference is a chain of regex replacements, each over the
 * output of the previous one:
 *   A. \r\n | [\r \x0b \x0c \x85 \u2028 \u2029]  -> \n
 *   B. invisible characters (C0/C1 controls but \t \n, DEL, U+00AD, U+200B, U+2060,
 *      U+FEFF, bidi controls U+061C U+200E U+200F U+202A-U+202E U+2066-U+2069) -> ""
 *   C. [ \t Zs]{2,} | [\t Zs]  -> " "      (every run of space characters -> one space)
 *   D. " ?\n ?" -> \n                       (every space next to a newline is dropped)
 *   E. \n{3,} -> \n\n, or for single-paragraph fields \n+ -> " "
 *   F. strip " \n" at both ends.
 * A is decided on the input (a CR merges only with a directly following LF); after A and B
 * every character is a space S (space, tab, Zs), a newline N, or kept as is (X). Call a
 * maximal run of S and N between two X a gap. C and D act within gaps only, and a gap
 * holding k >= 1 newlines always ends up as exactly k newlines: every maximal run of S in
 * it borders an N (otherwise the gap would be that run alone), so D removes it. A gap
 * without N becomes one space. E then maps k newlines to min(k, 2) newlines (or to one
 * space), F drops the leading and trailing gaps, and X characters pass through unchanged.
 * So the kernel streams tokens, counts the newlines and spaces of the current gap, and
 * writes the gap's result when the next X arrives.
 *
 * Fast path. Most text is runs of "plain" bytes: printable ASCII, single spaces, UTF-8
 * continuation bytes and the lead bytes 0xC3-0xCB (U+00C0-U+02FF: no special and no
 * NFC-sensitive character). A run that starts with a non-space byte is copied 16 bytes at a
 * time, its end found with vector compares (a non-plain byte, or a space followed by a space);
 * a space that ends a run is taken back into the gap that follows. Everything else is
 * decoded and classified one character at a time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NFC_BITMAP_BYTES (0x110000 / 8)
#define VIEW 16
#define INLINE_MAX 12
#define FLAG_NFC 1
#define FLAG_NUL 2

/* p[0..7] as a number whose lowest byte is p[0], so that ctz finds the first byte. */
static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* View fields are native-endian int32 (Arrow buffers are in the machine's byte order). */
static inline int32_t load_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void store_i32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }

/* 16 bytes as a GCC/Clang generic vector: SSE2 on x86-64, NEON on ARM, plain integer code
 * elsewhere; the same result on every target. Signed, because SSE2 compares only signed
 * bytes: as int8, the non-plain ranges < 0x20 and >= 0xC0 are the one interval -64..31. */
typedef int8_t v16 __attribute__((vector_size(16)));

/* Index of the first byte of in[0:16) that ends a plain run, or 16: a non-plain byte
 * (< 0x20, 0x7F, 0xC0-0xC2, >= 0xCC) or a space followed by a space (in[16] is read). */
static inline size_t run_stop16(const uint8_t *in) {
    v16 v, next;
    memcpy(&v, in, 16);
    memcpy(&next, in + 1, 16);
    v16 ctl_or_lead = (v > -65) & (v < 0x20);  /* < 0x20 or >= 0xC0 */
    v16 plain_lead = (v > -62) & (v < -52);    /* 0xC3-0xCB */
    v16 stop = (ctl_or_lead & ~plain_lead) | (v == 0x7F) | ((v == 0x20) & (next == 0x20));
    uint8_t bytes[16];
    memcpy(bytes, &stop, 16);
    uint64_t lo = load_le64(bytes), hi = load_le64(bytes + 8);
    if (lo) return (size_t)__builtin_ctzll(lo) >> 3;
    if (hi) return 8 + ((size_t)__builtin_ctzll(hi) >> 3);
    return 16;
}

static uint8_t plain_byte[256];

static void init_plain_byte(void) {
    for (int b = 0x20; b <= 0x7E; b++) plain_byte[b] = 1;
    for (int b = 0x80; b <= 0xBF; b++) plain_byte[b] = 1;
    for (int b = 0xC3; b <= 0xCB; b++) plain_byte[b] = 1;
}

/* What the chain makes of one character once newlines are unified (steps A-C). */
enum { KEEP, DROP, SPACE, NEWLINE };

static inline int classify(uint32_t cp) {
    if (cp < 0x80) {
        if (cp == ' ' || cp == '\t') return SPACE;
        if (cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C) return NEWLINE;
        if (cp == 0x00) return KEEP;  /* NUL is the caller's (quarantine), never removed */
        if (cp < 0x20 || cp == 0x7F) return DROP;
        return KEEP;
    }
    if (cp < 0xA0) return cp == 0x85 ? NEWLINE : DROP;
    if (cp == 0xA0) return SPACE;
    if (cp == 0xAD) return DROP;
    if (cp < 0x061C) return KEEP;
    if (cp == 0x061C) return DROP;
    if (cp == 0x1680) return SPACE;
    if (cp < 0x2000) return KEEP;
    if (cp <= 0x206F) {
        if (cp <= 0x200A) return SPACE;
        if (cp == 0x200B || cp == 0x200E || cp == 0x200F) return DROP;
        if (cp == 0x2028 || cp == 0x2029) return NEWLINE;
        if (cp >= 0x202A && cp <= 0x202E) return DROP;
        if (cp == 0x202F || cp == 0x205F) return SPACE;
        if (cp == 0x2060) return DROP;
        if (cp >= 0x2066 && cp <= 0x2069) return DROP;
        return KEEP;
    }
    if (cp == 0x3000) return SPACE;
    if (cp == 0xFEFF) return DROP;
    return KEEP;
}

/* Decodes the character at in[0] (at least one byte available); returns its length, or 0
 * when the bytes are not well-formed UTF-8. */
static inline size_t decode(const uint8_t *in, size_t avail, uint32_t *cp) {
    uint8_t b = in[0];
    size_t n;
    uint32_t v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2, v = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3, v = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n) return 0;
    for (size_t k = 1; k < n; k++) {
        if ((in[k] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (in[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

typedef struct {
    size_t newlines;  /* N tokens in the current gap */
    size_t tokens;    /* S and N tokens in the current gap */
    int started;      /* an X has been written: gaps from now on are interior */
    int changed;      /* the row differs from its input */
} Row;

/* Ends the current gap before an X: writes its result if it is interior. */
static inline size_t close_gap(Row *r, uint8_t *out, size_t o, int single) {
    if (r->tokens == 0) return o;
    if (!r->started) {
        r->changed = 1;  /* leading whitespace is stripped */
    } else if (r->newlines) {
        if (single) {
            out[o++] = ' ';
            r->changed = 1;
        } else {
            size_t k = r->newlines >= 3 ? 2 : r->newlines;
            for (size_t j = 0; j < k; j++) out[o++] = '\n';
            if (r->tokens != k) r->changed = 1;
        }
    } else {
        out[o++] = ' ';
        if (r->tokens != 1) r->changed = 1;
    }
    r->newlines = r->tokens = 0;
    return o;
}

/* Normalises in[0:len) into out (which has room for len bytes and may be written up to
 * there); returns the bytes written, or (size_t)-1 on invalid UTF-8. Literal " " and "\n"
 * tokens leave `changed` alone: whether their gap changed is decided when it closes;
 * every converted or dropped character sets it at once. */
static size_t normalize_row(const uint8_t *in, size_t len, uint8_t *out, int single,
                            const uint8_t *bitmap, int *changed, uint8_t *flags) {
    Row r = {0, 0, 0, 0};
    size_t i = 0, o = 0;
    uint8_t found = 0;
    while (i < len) {
        uint8_t b = in[i];
        if (b != ' ' && plain_byte[b]) {
            o = close_gap(&r, out, o, single);
            r.started = 1;
            /* 16 bytes at a time while 17 are left (the space test looks one byte ahead);
             * the store may run past the run's end, but o <= i keeps it inside out. */
            for (;;) {
                if (len - i >= 17) {
                    size_t k = run_stop16(in + i);
                    memcpy(out + o, in + i, 16);
                    i += k;
                    o += k;
                    if (k < 16) break;
                } else {
                    while (i < len && plain_byte[in[i]] &&
                           !(in[i] == ' ' && i + 1 < len && in[i + 1] == ' '))
                        out[o++] = in[i++];
                    break;
                }
            }
            if (out[o - 1] == ' ') {  /* the run's last space belongs to the next gap */
                o--;
                r.tokens = 1;
            }
            continue;
        }
        if (b == ' ') {
            r.tokens++;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = decode(in + i, len - i, &cp);
        if (n == 0) return (size_t)-1;
        switch (classify(cp)) {
        case KEEP:
            o = close_gap(&r, out, o, single);
            r.started = 1;
            if (cp >= 0x300 && ((bitmap[cp >> 3] >> (cp & 7)) & 1)) found |= FLAG_NFC;
            if (cp == 0) found |= FLAG_NUL;
            memcpy(out + o, in + i, n);
            o += n;
            i += n;
            break;
        case DROP:
            r.changed = 1;
            i += n;
            break;
        case SPACE:
            if (cp != ' ') r.changed = 1;
            r.tokens++;
            i += n;
            break;
        case NEWLINE:
            if (cp == '\r' && i + 1 < len && in[i + 1] == '\n') n = 2;
            if (cp != '\n') r.changed = 1;
            r.tokens++;
            r.newlines++;
            i += n;
            break;
        }
    }
    if (r.tokens) r.changed = 1;  /* trailing whitespace is stripped */
    *changed = r.changed;
    *flags = found;
    return o;
}

enum { OK = 0, BAD_VIEW, BAD_UTF8, OUT_FULL };

typedef struct {
    const uint8_t *views, *validity, *bitmap;
    const Py_buffer *bufs;
    Py_ssize_t nbufs, offset, n;
    int single;
    uint8_t *out_views, *out_data, *flags;
    Py_ssize_t out_cap;
    /* results */
    Py_ssize_t changed_rows, used, bad_row;
} Job;

static int run(Job *job) {
    uint8_t scratch[INLINE_MAX + 8];
    Py_ssize_t o = 0;
    for (Py_ssize_t i = 0; i < job->n; i++) {
        Py_ssize_t row = job->offset + i;
        const uint8_t *view = job->views + VIEW * row;
        uint8_t *dst_view = job->out_views + VIEW * i;
        memcpy(dst_view, view, VIEW);
        job->flags[i] = 0;
        if (job->validity && !((job->validity[row >> 3] >> (row & 7)) & 1)) continue;
        int32_t len = load_i32(view);
        const uint8_t *text;
        uint8_t *dst;
        if (len < 0) goto bad_view;
        if (len <= INLINE_MAX) {
            text = view + 4;
            dst = scratch;
        } else {
            int32_t idx = load_i32(view + 8), off = load_i32(view + 12);
            if (idx < 0 || idx >= job->nbufs || off < 0 ||
                (Py_ssize_t)off + len > job->bufs[idx].len)
                goto bad_view;
            text = (const uint8_t *)job->bufs[idx].buf + off;
            if (job->out_cap - o < len) {
                job->bad_row = i;
                return OUT_FULL;
            }
            dst = job->out_data + o;
        }
        int changed;
        uint8_t row_flags;
        size_t w = normalize_row(text, (size_t)len, dst, job->single, job->bitmap, &changed,
                                 &row_flags);
        if (w == (size_t)-1) {
            job->bad_row = i;
            return BAD_UTF8;
        }
        job->flags[i] = row_flags;
        if (!changed) continue;
        job->changed_rows++;
        store_i32(dst_view, (int32_t)w);
        if (w <= INLINE_MAX) {
            memset(dst_view + 4, 0, INLINE_MAX);  /* inline views are zero-padded */
            memcpy(dst_view + 4, dst, w);
        } else {
            if (o > INT32_MAX) {
                job->bad_row = i;
                return OUT_FULL;
            }
            memcpy(dst_view + 4, dst, 4);
            store_i32(dst_view + 8, (int32_t)job->nbufs);
            store_i32(dst_view + 12, (int32_t)o);
            o += (Py_ssize_t)w;
        }
        continue;
    bad_view:
        job->bad_row = i;
        return BAD_VIEW;
    }
    job->used = o;
    return OK;
}

static PyObject *normalize(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer views = {0}, validity = {0}, bitmap = {0}, out_views = {0}, out_data = {0},
              flags = {0};
    PyObject *buffers, *result = NULL;
    Py_ssize_t offset, n, nbufs = 0;
    int single;
    Py_buffer *bufs = NULL;
    if (!PyArg_ParseTuple(args, "y*O!z*nnpy*w*w*w*:normalize", &views, &PyTuple_Type, &buffers,
                          &validity, &offset, &n, &single, &bitmap, &out_views, &out_data,
                          &flags))
        return NULL;
    if (offset < 0 || n < 0 || offset > PY_SSIZE_T_MAX / VIEW - n ||
        views.len < VIEW * (offset + n)) {
        PyErr_SetString(PyExc_ValueError, "views must hold 16 bytes for each of offset + n rows");
        goto done;
    }
    if (validity.buf && validity.len < (offset + n + 7) / 8) {
        PyErr_SetString(PyExc_ValueError, "validity must hold one bit for each of offset + n rows");
        goto done;
    }
    if (out_views.len != VIEW * n) {
        PyErr_SetString(PyExc_ValueError, "out_views must hold 16 bytes per row");
        goto done;
    }
    if (flags.len != n) {
        PyErr_SetString(PyExc_ValueError, "flags must hold one byte per row");
        goto done;
    }
    if (bitmap.len != NFC_BITMAP_BYTES) {
        PyErr_SetString(PyExc_ValueError, "nfc_bitmap must hold 0x110000 / 8 bytes");
        goto done;
    }
    nbufs = PyTuple_GET_SIZE(buffers);
    if (nbufs > INT32_MAX - 1) {
        PyErr_SetString(PyExc_ValueError, "too many data buffers");
        goto done;
    }
    bufs = PyMem_Calloc((size_t)nbufs + 1, sizeof(Py_buffer));
    if (!bufs) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < nbufs; k++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(buffers, k), &bufs[k], PyBUF_SIMPLE) < 0) {
            nbufs = k;
            goto done;
        }
    }
    Job job = {views.buf, validity.buf, bitmap.buf, bufs, nbufs, offset, n, single,
               out_views.buf, out_data.buf, flags.buf, out_data.len, 0, 0, -1};
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = run(&job);
    Py_END_ALLOW_THREADS
    if (status == BAD_VIEW) {
        PyErr_Format(PyExc_ValueError, "row %zd: view points outside the data buffers",
                     job.bad_row);
    } else if (status == BAD_UTF8) {
        PyErr_Format(PyExc_ValueError, "row %zd is not valid UTF-8", job.bad_row);
    } else if (status == OUT_FULL) {
        PyErr_Format(PyExc_ValueError,
                     "row %zd: out_data is too short or past 2 GiB", job.bad_row);
    } else {
        result = Py_BuildValue("nn", job.changed_rows, job.used);
    }
done:
    for (Py_ssize_t k = 0; k < nbufs; k++) PyBuffer_Release(&bufs[k]);
    PyMem_Free(bufs);
    PyBuffer_Release(&views);
    if (validity.obj) PyBuffer_Release(&validity);
    PyBuffer_Release(&bitmap);
    PyBuffer_Release(&out_views);
    PyBuffer_Release(&out_data);
    PyBuffer_Release(&flags);
    return result;
}

static PyMethodDef methods[] = {
    {"normalize", normalize, METH_VARARGS,
     "normalize(views, buffers, validity, offset, n, single_paragraph, nfc_bitmap, out_views,"
     " out_data, flags) -> (changed rows, out_data bytes used): steps 3-5 of the"
     " normalisation policy over a string_view column."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_normalize", "Text normalisation kernel (steps 3-5).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__normalize(void) {
    init_plain_byte();
    return PyModule_Create(&module);
}
