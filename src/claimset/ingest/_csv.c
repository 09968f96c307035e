/* RFC 4180 scanner for the CSV fast path (claimset.ingest.fast_csv).
 *
 * The fast path used to locate records with numpy quote-parity arithmetic, parse each chunk
 * with polars.read_csv and re-slice every record for its hash. This kernel does the record
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
 *   sha256_hex(data, spans, portable=False) -> bytes
 *       The lowercase hex SHA-256 of data[start:end] for each int64 (start, end) pair in
 *       `spans`, 64 bytes each (an Arrow string buffer with offsets 0, 64, 128, ...).
 *       `portable` skips the SHA CPU extensions (to test both implementations).
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


/* ---- SHA-256 -------------------------------------------------------------------------------- */

/* hashlib costs about 1 us per call (OpenSSL context set-up) plus a Python str per record;
 * hashing here writes the hex digests straight into an Arrow string buffer. The SHA
 * extensions are used when the CPU has them (decided at run time; the digest is the same). */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t ror32(uint32_t x, unsigned r) { return (x >> r) | (x << (32u - r)); }

static void sha256_blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    for (; nblocks; nblocks--, p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
                   (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6],
                 h = st[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
                          K256[i] + w[i];
            uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
    }
}

typedef void (*blocks_fn)(uint32_t st[8], const uint8_t *p, size_t nblocks);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha256_blocks_shani(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&st[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&st[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);        /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);          /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);  /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);       /* CDGH */
    for (; nblocks; nblocks--, p += 64) {
        __m128i abef = s0, cdgh = s1, w[4];
        for (int i = 0; i < 16; i++) {
            __m128i m;
            if (i < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
            } else { /* w[i&3] = W(i-4), w[(i+1)&3] = W(i-3), ... w[(i+3)&3] = W(i-1) */
                m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
            }
            w[i & 3] = m;
            m = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K256[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);       /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);        /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0);     /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);        /* HGFE */
    _mm_storeu_si128((__m128i *)&st[0], s0);
    _mm_storeu_si128((__m128i *)&st[4], s1);
}

static int has_shani(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 19)) || !(c & (1u << 9))) return 0; /* SSE4.1, SSSE3 */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 29) & 1u;
}
#else
static int has_shani(void) { return 0; }
#define sha256_blocks_shani sha256_blocks_portable
#endif

/* SHA-256 of p[0:n] as 64 lowercase hex digits at out. */
static void sha256_hex(blocks_fn blocks, const uint8_t *p, size_t n, uint8_t *out) {
    static const char hex[] = "0123456789abcdef";
    uint32_t st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t full = n / 64;
    blocks(st, p, full);
    uint8_t tail[128] = {0};
    size_t rest = n - full * 64;
    memcpy(tail, p + full * 64, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8u;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
    blocks(st, tail, tail_len / 64);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 8; k++) out[8 * i + k] = (uint8_t)hex[(st[i] >> (28 - 4 * k)) & 15u];
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

static PyObject *py_sha256_hex(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf, spans;
    int portable = 0;
    if (!PyArg_ParseTuple(args, "y*y*|p", &buf, &spans, &portable)) return NULL;
    PyObject *out = NULL;
    if (spans.len % 16) {
        PyErr_SetString(PyExc_ValueError, "spans must hold int64 (start, end) pairs");
        goto done;
    }
    size_t n = (size_t)spans.len / 16;
    for (size_t r = 0; r < n; r++) {
        int64_t s, e;
        memcpy(&s, (const uint8_t *)spans.buf + 16 * r, 8);
        memcpy(&e, (const uint8_t *)spans.buf + 16 * r + 8, 8);
        if (s < 0 || e < s || e > (int64_t)buf.len) {
            PyErr_Format(PyExc_ValueError, "span %zu [%lld, %lld) outside data of %zd bytes", r,
                         (long long)s, (long long)e, buf.len);
            goto done;
        }
    }
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 64));
    if (out == NULL) goto done;
    blocks_fn blocks = (!portable && has_shani()) ? sha256_blocks_shani : sha256_blocks_portable;
    uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    for (size_t r = 0; r < n; r++) {
        int64_t s, e;
        memcpy(&s, (const uint8_t *)spans.buf + 16 * r, 8);
        memcpy(&e, (const uint8_t *)spans.buf + 16 * r + 8, 8);
        sha256_hex(blocks, (const uint8_t *)buf.buf + s, (size_t)(e - s), o + 64 * r);
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&buf);
    PyBuffer_Release(&spans);
    return out;
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
    {"sha256_hex", py_sha256_hex, METH_VARARGS,
     "sha256_hex(data, spans, portable=False) -> 64 hex digits per (start, end) span"},
    {"utf8_valid", py_utf8_valid, METH_VARARGS,
     "utf8_valid(data, start) -> offset of the first invalid UTF-8 byte, or len(data)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_csv", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__csv(void) { return PyModule_Create(&module); }
