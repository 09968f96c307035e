/* RFC 4180 scanner for the CSV fast path (claimset.ingest.fast_csv).
 *
 * The fast path used to locate records with numpy quote-parity arithmetic, parse each chunk
 * with polars.read_csv. This kernel does the record
 * and field work in one pass per chunk and builds the mapped columns directly as Arrow
 * large_string buffers, reproducing exactly what that polars parse produced and exactly when
 * it failed (the caller then takes the standard-library path, which reports the problem).
 *
 * Grammar (the subset that the old path accepted, with polars' values):
 *   - A record ends at a '\n' outside quotes (or at the end of the data). Its content R is
 *     the bytes before that '\n' minus one trailing '\r' (CRLF, or a '\r' at end of data).
 *   - Fields are separated by ',' outside quotes. Like polars, one '\r' that ends a field
 *     (not only the last one) is not part of it.
 *   - A field that starts with '"' is quoted: it runs to the next ',' or end of R outside
 *     quotes (quote parity) and must end with a quote, else polars refused the file. Its
 *     value is the inside, where each run of k quotes stands for k/2 quotes (RFC 4180:
 *     "a""b" -> a"b; polars also read "a"b"c" as abc). It may be empty (""), never null.
 *   - Any other field runs to the next ',' or the end of R and is taken literally; an empty
 *     one is null. Quotes inside it are literal when there is an even number of them (then
 *     quote parity and this split agree); an odd number made polars refuse the file.
 *   - A record whose R is shorter than 64 bytes and only ASCII whitespace is blank: no row
 *     (the old path filtered polars' null rows for those). Every other record must have
 *     exactly `width` separators.
 *   - Everything after the header must be valid UTF-8 (polars validated every value; the
 *     separators, quotes and line ends between values are ASCII, so validating the whole
 *     range is the same test).
 *
 * Functions (all take a bytes-like `data` and release the GIL while scanning):
 *   record_end(data, start, stop, in_quote) -> (end, in_quote)
 *       Offset just after the last '\n' outside quotes in data[start:stop] (0 if none),
 *       given the quote state at `start`; and the quote state at `stop`. Used to cut the
 *       stream into chunks of whole records, one scan per byte.
 *   header(data, start) -> (problem, header_start, header_end, next, newlines, commas,
 *                           blank_before)
 *       The first record from `start` that is not blank is the header: its content span,
 *       the offset of the following record, the number of '\n' in data[start:next], its
 *       unquoted commas, and whether a blank record other than an empty line preceded it
 *       (polars skipped only empty lines, so it would have read that one as the header).
 *       problem is None or a short reason.
 *   records(data, start, width, columns, first_line) -> (problem, lines, spans, cols)
 *       Every non-blank record from `start`: `lines` (int64 per row: physical line of its
 *       first byte, counting `first_line` for the line at `start`), `spans` (int64 pairs:
 *       start and end of R, the bytes the record's hash covers), and for each field index in
 *       `columns` a tuple (offsets: int64 n+1, values: bytes, validity: LSB bitmap, nulls).
 *       With a problem, lines and spans are empty and cols is [].
 *   newlines(data) -> int
 *       The number of '\n' bytes (bytes.count is a byte-at-a-time loop; this vectorises).
 *   utf8_valid(data, start) -> int
 *       Offset of the first byte of an invalid UTF-8 sequence in data[start:], or len(data).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define BLANK_MAX 64 /* longer records are never blank (as in the old path) */

/* ---- UTF-8 ------------------------------------------------------------------------------ */

/* Offset of the first invalid sequence in p[0:n], or n. Strict: no overlongs, surrogates or
 * code points above U+10FFFF (what polars rejected). */
static size_t utf8_check(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        /* ASCII runs dominate; test 16 bytes per step. */
        while (i + 16 <= n) {
            uint64_t a, b;
            memcpy(&a, p + i, 8);
            memcpy(&b, p + i + 8, 8);
            if ((a | b) & UINT64_C(0x8080808080808080)) break;
            i += 16;
        }
        if (i >= n) break;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + len > n) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

/* Occurrences of c in p[0:n]. Counting newlines inside quoted bodies is one of the hot
 * loops; a plain byte loop widens every comparison to 64 bits, so count in byte lanes
 * (SSE2 is part of x86-64) and add the lanes up before they can overflow. */
static size_t count_byte(const uint8_t *p, size_t n, uint8_t c) {
    size_t k = 0, i = 0;
#if defined(__SSE2__)
    const __m128i pat = _mm_set1_epi8((char)c), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = zero;
        for (int j = 0; j < 255 && i + 16 <= n; j++, i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, pat)); /* a match is -1 */
        }
        __m128i sums = _mm_sad_epu8(acc, zero);
        k += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; i++) k += (p[i] == c);
    return k;
}

/* ---- record parsing ----------------------------------------------------------------------- */

enum { OK = 0, P_UNCLOSED, P_AFTER_QUOTE, P_STRAY_QUOTE, P_RAGGED, P_UTF8, P_NO_HEADER,
       P_NOMEM };

static const char *const PROBLEMS[] = {
    NULL,
    "unclosed quote",
    "text after a closing quote",
    "odd number of quotes inside an unquoted field",
    "record width differs from the header",
    "invalid UTF-8",
    "no header record",
    "out of memory",
};

typedef struct {
    int64_t start, end; /* raw span of the field within R */
    int64_t quotes;     /* quote characters in a quoted field */
    int64_t len;        /* length of the value */
    int quoted;
} field_t;

typedef struct {
    size_t end;      /* offset of the terminating '\n', or n */
    size_t r_end;    /* end of R (end minus one trailing '\r') */
    size_t next;     /* offset of the following record */
    size_t commas;   /* field separators */
    size_t newlines; /* '\n' inside quoted fields */
} record_t;

/* polars' value of a quoted field whose quotes are not just the outer two: the inside,
 * where each run of k quotes stands for k/2 quotes (so "" -> ", and a lone quote vanishes).
 * Writes to dst unless it is NULL; returns the value's length. */
static size_t unquote(const uint8_t *p, const uint8_t *e, uint8_t *dst) {
    size_t len = 0;
    while (p < e) {
        const uint8_t *q = memchr(p, '"', (size_t)(e - p));
        size_t run = q ? (size_t)(q - p) : (size_t)(e - p);
        if (dst) memcpy(dst + len, p, run);
        len += run;
        if (q == NULL) break;
        const uint8_t *r = q;
        while (r < e && *r == '"') r++;
        size_t keep = (size_t)(r - q) / 2;
        if (dst) memset(dst + len, '"', keep);
        len += keep;
        p = r;
    }
    return len;
}

/* Parse the record at d[pos], storing fields whose index is flagged in want[0:nwant]
 * (want[i] = slot in out, or -1). Returns OK or a problem code. */
static int parse_record(const uint8_t *d, size_t n, size_t pos, const int *want, size_t nwant,
                        field_t *out, record_t *rec) {
    size_t i = pos;
    rec->commas = 0;
    rec->newlines = 0;
    for (;;) {
        size_t fs = i;
        field_t f = {(int64_t)fs, 0, 0, 0, 0};
        int last = 0;
        if (i < n && d[i] == '"') {
            /* A field that starts with a quote runs to the next ',' or '\n' outside quotes
             * (quote parity, as the old path cut records); it must end with a quote. */
            f.quoted = 1;
            int inq = 0;
            while (i < n) {
                if (inq) {
                    const uint8_t *q = memchr(d + i, '"', n - i);
                    if (q == NULL) return P_UNCLOSED;
                    size_t qi = (size_t)(q - d);
                    rec->newlines += count_byte(d + i, qi - i, '\n');
                    if (qi + 1 < n && d[qi + 1] == '"') {
                        f.quotes += 2;
                        i = qi + 2;
                        continue;
                    }
                    inq = 0;
                    f.quotes++;
                    i = qi + 1;
                    continue;
                }
                uint8_t c = d[i];
                if (c == ',' || c == '\n') break;
                if (c == '"') {
                    inq = 1;
                    f.quotes++;
                }
                i++;
            }
            if (inq) return P_UNCLOSED; /* data ended right after a "" pair */
            f.end = (int64_t)i;
            last = i == n || d[i] == '\n';
            if (d[f.end - 1] == '\r') f.end--; /* polars drops one '\r' ending any field */
            if (f.end - f.start < 2 || d[f.end - 1] != '"') return P_AFTER_QUOTE;
            f.len = f.quotes == 2 ? f.end - f.start - 2
                                  : (int64_t)unquote(d + f.start + 1, d + f.end - 1, NULL);
        } else {
            size_t quotes = 0;
            while (i < n && d[i] != ',' && d[i] != '\n') {
                quotes += (d[i] == '"');
                i++;
            }
            if (quotes & 1) return P_STRAY_QUOTE;
            f.end = (int64_t)i;
            last = i == n || d[i] == '\n';
            if (f.end > f.start && d[f.end - 1] == '\r') f.end--;
            f.len = f.end - f.start;
        }
        size_t idx = rec->commas;
        if (idx < nwant && want[idx] >= 0) out[want[idx]] = f;
        if (last) break;
        rec->commas++;
        i++; /* past ',' */
    }
    rec->end = i;
    rec->r_end = (i > pos && d[i - 1] == '\r') ? i - 1 : i;
    rec->next = i < n ? i + 1 : n;
    return OK;
}

static int is_blank(const uint8_t *d, size_t s, size_t e) {
    if (e - s >= BLANK_MAX) return 0;
    for (size_t i = s; i < e; i++) {
        uint8_t c = d[i];
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c'))
            return 0;
    }
    return 1;
}

/* ---- growable int64 arrays (no Python objects while the GIL is released) ---------------- */

typedef struct {
    int64_t *v;
    size_t n, cap;
} vec_t;

static int vec_push(vec_t *a, int64_t x) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        int64_t *v = realloc(a->v, cap * sizeof(int64_t));
        if (v == NULL) return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}


/* ---- Python functions --------------------------------------------------------------------- */

static int check_range(Py_ssize_t start, Py_ssize_t stop, Py_ssize_t len) {
    if (start < 0 || stop < start || stop > len) {
        PyErr_Format(PyExc_ValueError, "range [%zd, %zd) outside data of %zd bytes", start, stop,
                     len);
        return -1;
    }
    return 0;
}

static PyObject *py_record_end(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    Py_ssize_t start, stop;
    int inq;
    if (!PyArg_ParseTuple(args, "y*nnp", &buf, &start, &stop, &inq)) return NULL;
    if (check_range(start, stop, buf.len) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    const uint8_t *d = buf.buf;
    size_t i = (size_t)start, n = (size_t)stop, end = 0;
    Py_BEGIN_ALLOW_THREADS
    while (i < n) {
        if (inq) {
            const uint8_t *q = memchr(d + i, '"', n - i);
            if (q == NULL) {
                i = n;
                break;
            }
            i = (size_t)(q - d) + 1;
            inq = 0;
            continue;
        }
        uint8_t c = d[i++];
        if (c == '"') inq = 1;
        else if (c == '\n') end = i;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return Py_BuildValue("nO", (Py_ssize_t)end, inq ? Py_True : Py_False);
}

static PyObject *py_utf8_valid(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &start)) return NULL;
    if (check_range(start, buf.len, buf.len) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    size_t bad;
    Py_BEGIN_ALLOW_THREADS
    bad = (size_t)start + utf8_check((const uint8_t *)buf.buf + start, (size_t)(buf.len - start));
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromSize_t(bad);
}

static PyObject *problem_or_none(int code) {
    if (code == OK) Py_RETURN_NONE;
    return PyUnicode_FromString(PROBLEMS[code]);
}

static PyObject *py_header(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &start)) return NULL;
    if (check_range(start, buf.len, buf.len) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    const uint8_t *d = buf.buf;
    size_t n = (size_t)buf.len, pos = (size_t)start, hs = 0, he = 0, next = 0, commas = 0;
    size_t newlines = 0;
    int code = P_NO_HEADER, blank_before = 0;
    Py_BEGIN_ALLOW_THREADS
    while (pos < n) {
        /* The header is delimited by quote parity alone (the old definition); its field
         * names come from polars, so its fields need not follow the grammar above. */
        size_t i = pos, c = 0;
        int inq = 0;
        while (i < n) {
            if (inq) {
                const uint8_t *q = memchr(d + i, '"', n - i);
                if (q == NULL) {
                    i = n;
                    break;
                }
                newlines += count_byte(d + i, (size_t)(q - d) - i, '\n');
                i = (size_t)(q - d) + 1;
                inq = 0;
                continue;
            }
            if (d[i] == '"') inq = 1;
            else if (d[i] == ',') c++;
            else if (d[i] == '\n') break;
            i++;
        }
        if (inq) {
            code = P_UNCLOSED;
            break;
        }
        size_t r_end = (i > pos && d[i - 1] == '\r') ? i - 1 : i;
        size_t after = i < n ? i + 1 : n;
        newlines += i < n;
        if (r_end == pos) { /* polars skips empty lines before the header */
            pos = after;
            continue;
        }
        if (is_blank(d, pos, r_end)) { /* polars would take it as the header */
            blank_before = 1;
            pos = after;
            continue;
        }
        hs = pos;
        he = r_end;
        next = after;
        commas = c;
        code = OK;
        break;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return Py_BuildValue("NnnnnnO", problem_or_none(code), (Py_ssize_t)hs, (Py_ssize_t)he,
                         (Py_ssize_t)next, (Py_ssize_t)newlines, (Py_ssize_t)commas,
                         blank_before ? Py_True : Py_False);
}

/* Copy a field's value to dst; returns its length. */
static size_t copy_value(const uint8_t *d, const field_t *f, uint8_t *dst) {
    if (f->quoted && f->quotes != 2) return unquote(d + f->start + 1, d + f->end - 1, dst);
    memcpy(dst, d + f->start + (f->quoted ? 1 : 0), (size_t)f->len);
    return (size_t)f->len;
}

static PyObject *py_records(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    Py_ssize_t start, width, first_line;
    PyObject *columns;
    if (!PyArg_ParseTuple(args, "y*nnOn", &buf, &start, &width, &columns, &first_line))
        return NULL;
    PyObject *ret = NULL, *cols_out = NULL, *lines_b = NULL, *spans_b = NULL;
    int *want = NULL;
    field_t *fields = NULL, *row = NULL;
    vec_t starts = {0}, ends = {0}, lines = {0};
    PyObject *seq = NULL;
    Py_ssize_t ncol = 0;
    int code = OK;

    if (check_range(start, buf.len, buf.len) < 0) goto done;
    if (width < 0) {
        PyErr_SetString(PyExc_ValueError, "width must be >= 0");
        goto done;
    }
    seq = PySequence_Fast(columns, "columns must be a sequence of field indices");
    if (seq == NULL) goto done;
    ncol = PySequence_Fast_GET_SIZE(seq);
    size_t nwant = (size_t)width + 1;
    want = malloc(nwant * sizeof(int));
    row = calloc((size_t)ncol + 1, sizeof(field_t));
    if (want == NULL || row == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t k = 0; k < nwant; k++) want[k] = -1;
    for (Py_ssize_t j = 0; j < ncol; j++) {
        Py_ssize_t idx = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, j));
        if (idx == -1 && PyErr_Occurred()) goto done;
        if (idx < 0 || idx > width) {
            PyErr_Format(PyExc_ValueError, "column index %zd outside 0..%zd", idx, width);
            goto done;
        }
        if (want[idx] >= 0) {
            PyErr_Format(PyExc_ValueError, "column index %zd given twice", idx);
            goto done;
        }
        want[idx] = (int)j;
    }

    const uint8_t *d = buf.buf;
    size_t n = (size_t)buf.len;
    size_t nrows = 0, fields_cap = 0;
    Py_BEGIN_ALLOW_THREADS
    if (utf8_check(d + start, n - (size_t)start) != n - (size_t)start) code = P_UTF8;
    size_t pos = (size_t)start;
    int64_t line = (int64_t)first_line;
    while (code == OK && pos < n) {
        record_t rec;
        code = parse_record(d, n, pos, want, nwant, row, &rec);
        if (code != OK) break;
        if (!(rec.commas == 0 && is_blank(d, pos, rec.r_end))) {
            if (rec.commas != (size_t)width) {
                code = P_RAGGED;
                break;
            }
            if (nrows == fields_cap) { /* grow geometrically: short rows come by millions */
                fields_cap = fields_cap ? 2 * fields_cap : 1024;
                field_t *grown = realloc(fields, fields_cap * (size_t)(ncol + 1) * sizeof(field_t));
                if (grown == NULL) {
                    code = P_NOMEM;
                    break;
                }
                fields = grown;
            }
            memcpy(fields + nrows * (size_t)ncol, row, (size_t)ncol * sizeof(field_t));
            if (vec_push(&starts, (int64_t)pos) || vec_push(&ends, (int64_t)rec.r_end) ||
                vec_push(&lines, line)) {
                code = P_NOMEM;
                break;
            }
            nrows++;
        }
        line += (int64_t)rec.newlines + (rec.end < n);
        pos = rec.next;
    }
    Py_END_ALLOW_THREADS
    if (code == P_NOMEM) {
        PyErr_NoMemory();
        goto done;
    }
    if (code != OK) {
        ret = Py_BuildValue("Ny#y#[]", problem_or_none(code), "", (Py_ssize_t)0, "",
                            (Py_ssize_t)0);
        goto done;
    }

    lines_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nrows * 8));
    spans_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nrows * 16));
    cols_out = PyList_New(ncol);
    if (lines_b == NULL || spans_b == NULL || cols_out == NULL) goto done;
    if (nrows) memcpy(PyBytes_AS_STRING(lines_b), lines.v, nrows * 8);
    for (size_t r = 0; r < nrows; r++) {
        memcpy(PyBytes_AS_STRING(spans_b) + 16 * r, &starts.v[r], 8);
        memcpy(PyBytes_AS_STRING(spans_b) + 16 * r + 8, &ends.v[r], 8);
    }
    for (Py_ssize_t j = 0; j < ncol; j++) {
        size_t total = 0, nulls = 0;
        for (size_t r = 0; r < nrows; r++) {
            const field_t *f = &fields[r * (size_t)ncol + (size_t)j];
            total += (size_t)f->len;
            nulls += !f->quoted && f->end == f->start;
        }
        PyObject *off = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((nrows + 1) * 8));
        PyObject *val = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
        PyObject *valid = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((nrows + 7) / 8));
        if (off == NULL || val == NULL || valid == NULL) {
            Py_XDECREF(off);
            Py_XDECREF(val);
            Py_XDECREF(valid);
            goto done;
        }
        uint8_t *o = (uint8_t *)PyBytes_AS_STRING(off), *v = (uint8_t *)PyBytes_AS_STRING(val);
        uint8_t *bits = (uint8_t *)PyBytes_AS_STRING(valid);
        Py_BEGIN_ALLOW_THREADS
        memset(bits, 0, (nrows + 7) / 8);
        int64_t at = 0;
        memcpy(o, &at, 8);
        for (size_t r = 0; r < nrows; r++) {
            const field_t *f = &fields[r * (size_t)ncol + (size_t)j];
            at += (int64_t)copy_value(d, f, v + at);
            memcpy(o + 8 * (r + 1), &at, 8);
            if (f->quoted || f->end > f->start) bits[r / 8] |= (uint8_t)(1u << (r % 8));
        }
        Py_END_ALLOW_THREADS
        PyList_SET_ITEM(cols_out, j, Py_BuildValue("NNNn", off, val, valid, (Py_ssize_t)nulls));
        if (PyList_GET_ITEM(cols_out, j) == NULL) goto done;
    }
    ret = Py_BuildValue("OOOO", Py_None, lines_b, spans_b, cols_out);

done:
    Py_XDECREF(seq);
    Py_XDECREF(cols_out);
    Py_XDECREF(lines_b);
    Py_XDECREF(spans_b);
    free(want);
    free(row);
    free(fields);
    free(starts.v);
    free(ends.v);
    free(lines.v);
    PyBuffer_Release(&buf);
    return ret;
}

static PyObject *py_newlines(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    size_t k;
    Py_BEGIN_ALLOW_THREADS
    k = count_byte(buf.buf, (size_t)buf.len, '\n');
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromSize_t(k);
}

static PyMethodDef methods[] = {
    {"record_end", py_record_end, METH_VARARGS,
     "record_end(data, start, stop, in_quote) -> (end, in_quote)"},
    {"header", py_header, METH_VARARGS,
     "header(data, start) -> (problem, header_start, header_end, next, newlines, commas)"},
    {"records", py_records, METH_VARARGS,
     "records(data, start, width, columns, first_line) -> (problem, lines, spans, columns)"},
    {"newlines", py_newlines, METH_VARARGS, "newlines(data) -> number of '\\n' bytes"},
    {"utf8_valid", py_utf8_valid, METH_VARARGS,
     "utf8_valid(data, start) -> offset of the first invalid UTF-8 byte, or len(data)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_csv", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__csv(void) { return PyModule_Create(&module); }
