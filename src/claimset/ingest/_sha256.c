/* SHA-256 of many byte ranges of one buffer, hex digests written into one Arrow buffer.
 *
 * ingest hashes every record's raw bytes (raw_sha256) and every normalised text twice
 * (text_sha256, article_id). hashlib costs about 1 us per call (OpenSSL context set-up) plus
 * a Python str per digest, which for 45,000 records of 2 KB is more than the hashing itself;
 * this kernel hashes all ranges of a buffer in one call, with the GIL released, and writes
 * the hex digests straight into an Arrow string buffer. It implements FIPS 180-4 SHA-256
 * exactly; the SHA CPU extensions are used when present (decided at run time; the digest
 * is the same, and tests compare both code paths with hashlib).
 *
 *   sha256_hex(data, spans, portable=False) -> bytes
 *       The lowercase hex SHA-256 of data[start:end] for each int64 (start, end) pair in
 *       `spans`, 64 bytes each (an Arrow string buffer with offsets 0, 64, 128, ...).
 *       `portable` skips the SHA CPU extensions (to test both implementations).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

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

/* Incremental SHA-256 over a message given in parts: whole blocks go straight from the
 * input, only a partial block is buffered. */
typedef struct {
    uint32_t st[8];
    uint8_t buf[64];
    size_t buf_len;
    uint64_t total;
    blocks_fn blocks;
} sha_t;

static void sha_init(sha_t *h, blocks_fn blocks) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(h->st, iv, sizeof iv);
    h->buf_len = 0;
    h->total = 0;
    h->blocks = blocks;
}

static void sha_update(sha_t *h, const uint8_t *p, size_t n) {
    h->total += n;
    if (h->buf_len) {
        size_t take = 64 - h->buf_len < n ? 64 - h->buf_len : n;
        memcpy(h->buf + h->buf_len, p, take);
        h->buf_len += take;
        p += take;
        n -= take;
        if (h->buf_len < 64) return;
        h->blocks(h->st, h->buf, 1);
        h->buf_len = 0;
    }
    size_t full = n / 64;
    h->blocks(h->st, p, full);
    memcpy(h->buf, p + full * 64, n - full * 64);
    h->buf_len = n - full * 64;
}

static void sha_final_hex(sha_t *h, uint8_t *out) {
    static const char hex[] = "0123456789abcdef";
    uint8_t tail[128] = {0};
    size_t rest = h->buf_len;
    memcpy(tail, h->buf, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = h->total * 8u;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
    h->blocks(h->st, tail, tail_len / 64);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 8; k++)
            out[8 * i + k] = (uint8_t)hex[(h->st[i] >> (28 - 4 * k)) & 15u];
}

/* Checks n int64 (start, end) pairs against a buffer of len bytes; sets ValueError. */
static int check_spans(const Py_buffer *spans, Py_ssize_t len, const char *what) {
    size_t n = (size_t)spans->len / 16;
    for (size_t r = 0; r < n; r++) {
        int64_t s, e;
        memcpy(&s, (const uint8_t *)spans->buf + 16 * r, 8);
        memcpy(&e, (const uint8_t *)spans->buf + 16 * r + 8, 8);
        if (s < 0 || e < s || e > (int64_t)len) {
            PyErr_Format(PyExc_ValueError, "%s span %zu [%lld, %lld) outside data of %zd bytes",
                         what, r, (long long)s, (long long)e, len);
            return -1;
        }
    }
    return 0;
}

static PyObject *py_sha256_hex_keyed(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer kbuf, kspans, buf, spans;
    int portable = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*y*|p", &kbuf, &kspans, &buf, &spans, &portable))
        return NULL;
    PyObject *out = NULL;
    if (spans.len % 16 || kspans.len != spans.len) {
        PyErr_SetString(PyExc_ValueError,
                        "spans and key spans must hold as many int64 (start, end) pairs");
        goto done;
    }
    if (check_spans(&kspans, kbuf.len, "key") || check_spans(&spans, buf.len, "data")) goto done;
    size_t n = (size_t)spans.len / 16;
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 64));
    if (out == NULL) goto done;
    blocks_fn blocks = (!portable && has_shani()) ? sha256_blocks_shani : sha256_blocks_portable;
    uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
    static const uint8_t sep = 0;
    Py_BEGIN_ALLOW_THREADS
    for (size_t r = 0; r < n; r++) {
        int64_t ks, ke, s, e;
        memcpy(&ks, (const uint8_t *)kspans.buf + 16 * r, 8);
        memcpy(&ke, (const uint8_t *)kspans.buf + 16 * r + 8, 8);
        memcpy(&s, (const uint8_t *)spans.buf + 16 * r, 8);
        memcpy(&e, (const uint8_t *)spans.buf + 16 * r + 8, 8);
        sha_t h;
        sha_init(&h, blocks);
        sha_update(&h, (const uint8_t *)kbuf.buf + ks, (size_t)(ke - ks));
        sha_update(&h, &sep, 1);
        sha_update(&h, (const uint8_t *)buf.buf + s, (size_t)(e - s));
        sha_final_hex(&h, o + 64 * r);
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&kbuf);
    PyBuffer_Release(&kspans);
    PyBuffer_Release(&buf);
    PyBuffer_Release(&spans);
    return out;
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

static PyMethodDef methods[] = {
    {"sha256_hex", py_sha256_hex, METH_VARARGS,
     "sha256_hex(data, spans, portable=False) -> 64 hex digits per (start, end) span"},
    {"sha256_hex_keyed", py_sha256_hex_keyed, METH_VARARGS,
     "sha256_hex_keyed(key_data, key_spans, data, spans, portable=False) -> 64 hex digits "
     "per row: SHA-256 of key + NUL + data"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sha256", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__sha256(void) { return PyModule_Create(&module); }
