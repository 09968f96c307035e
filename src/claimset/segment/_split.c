/*
 * Sentence splitting with exact character offsets: the rules of claimset.segment.split
 * (written, and kept as the test oracle, as polars regexes in
 * tests/segment/reference_polars_split.py) evaluated in one pass over UTF-8 bytes.
 *
 * Contract. Python passes an Arrow string_view array (polars' own layout, so no copy) as
 * its views buffer (16 bytes per doc, already sliced to the array's offset) and its data
 * buffers (a sequence of buffers the views point into), five word lists as bytes of
 * '\n'-separated lower-case ASCII words (never-final abbreviations
 * including the configured extras, maybe-final abbreviations, sentence openers, verbs of
 * saying, line connectors) and the newline policy (0 auto, 1 always, 2 never). It gets back
 * (columns, text_offsets, text_data): columns is n_sentences * 5 int64 stored column after
 * column (doc row, paragraph, index, char_start, char_end); the sentence texts are an Arrow
 * large_string array's offsets ((n_sentences + 1) int64) and data. Offsets are in code
 * points, per doc; paragraph and index restart at 0 in every doc. Invalid UTF-8, views
 * outside their buffers, non-ASCII words or a bad policy raise ValueError. The GIL is
 * released while splitting (callers run batches on several threads).
 *
 * Algorithm, per doc:
 * 1. Tile the text into pieces ending at candidate boundaries, as the leftmost-first regex
 *    DELIM = [.!?…]+[CLOSE]*(?:\s+|$)|\n\s* does: a maximal run of terminators, then of
 *    closing quotes/brackets, then whitespace (or the end of the text), or a newline and
 *    the whitespace after it. A terminator run not followed by whitespace is no candidate
 *    (decimals, "U.S.-led", URLs).
 * 2. Compute each piece's features on the same windows as the regex rules: its first 80
 *    code points (first word lower case / an opener, "<Name> said", bullet), its core (the
 *    piece without trailing whitespace), the last 32 code points of the core (last token,
 *    last word) and its last 8 (terminator, closing quote, run-on punctuation).
 * 3. Decide breaks from a piece's features and the next piece's, and group pieces into
 *    whitespace-trimmed sentences.
 * Character classes (\s, \w, \d, \p{Ll}, \p{Lu}, (?i)\p{L}) come from _split_tables.h,
 * generated from polars' regex engine; case-insensitive word matching folds ASCII letters
 * plus U+212A KELVIN SIGN (k) and U+017F LONG S (s), the only non-ASCII code points the
 * engine's simple case folding maps onto ASCII letters.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_split_tables.h"

#define HEAD_CHARS 80
#define TAIL_CHARS 32
#define END_CHARS 8
/* Longer words never match: tokens are cut to TAIL_CHARS code points. */
#define MAX_WORD 32
#define N_SLOTS 1024

static inline unsigned cls(uint32_t c) {
    return c < 0x110000u ? CC_BLOCKS[CC_INDEX[c >> 8]][c & 0xffu] : 0u;
}
static inline int is_space(uint32_t c) { return (cls(c) & CC_SPACE) != 0; }
static inline int is_word(uint32_t c) { return (cls(c) & CC_WORD) != 0; }
static inline int is_term(uint32_t c) { return c == '.' || c == '!' || c == '?' || c == 0x2026u; }
static inline int is_close(uint32_t c) {
    return c == '"' || c == '\'' || c == 0x201du || c == 0x2019u || c == ')' || c == ']' ||
           c == 0xbbu;
}
static inline int is_open(uint32_t c) {
    return c == '"' || c == '\'' || c == 0x201cu || c == 0x2018u || c == '(' || c == '[' ||
           c == 0xabu;
}
/* A character of a first word: [\w'’-]. */
static inline int is_word_x(uint32_t c) { return is_word(c) || c == '\'' || c == 0x2019u || c == '-'; }

/* Strict UTF-8 decoding (no overlongs, surrogates or values above U+10FFFF); returns the
 * length of the sequence at s[0..avail), 0 when it is invalid. */
static inline size_t decode(const uint8_t *s, size_t avail, uint32_t *out) {
    uint8_t b = s[0];
    *out = 0;
    if (b < 0x80) {
        *out = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        if (avail < 2 || (s[1] & 0xc0) != 0x80) return 0;
        *out = ((uint32_t)(b & 0x1f) << 6) | (s[1] & 0x3fu);
        return 2;
    }
    if (b >= 0xe0 && b <= 0xef) {
        if (avail < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) return 0;
        if ((b == 0xe0 && s[1] < 0xa0) || (b == 0xed && s[1] > 0x9f)) return 0;
        *out = ((uint32_t)(b & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3fu);
        return 3;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        if (avail < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if ((b == 0xf0 && s[1] < 0x90) || (b == 0xf4 && s[1] > 0x8f)) return 0;
        *out = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
               ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3fu);
        return 4;
    }
    return 0;
}

/* Decoding of text already validated by the tiling pass. */
static inline size_t next_cp(const uint8_t *s, size_t i, size_t end, uint32_t *c) {
    size_t k = decode(s + i, end - i, c);
    return k ? k : 1;
}
/* The code point ending at s[i - 1] (i > lo), validated text: returns its start. */
static inline size_t prev_cp(const uint8_t *s, size_t lo, size_t i, uint32_t *c) {
    size_t j = i - 1;
    while (j > lo && (s[j] & 0xc0) == 0x80) j--;
    next_cp(s, j, i, c);
    return j;
}

/* ---- word sets: open addressing over lower-case ASCII words ---- */
typedef struct {
    uint8_t len[N_SLOTS];
    char word[N_SLOTS][MAX_WORD];
    size_t min_len, max_len;
    uint8_t last[128]; /* the last bytes of the words: most tokens are rejected on theirs */
} wordset_t;

static uint32_t hash_word(const char *w, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)w[i]) * 16777619u;
    return h;
}

/* Fills `set` from '\n'-separated words; 0 on success, -1 when it is full. */
static int wordset_build(wordset_t *set, const char *buf, size_t n) {
    memset(set->len, 0, sizeof set->len);
    memset(set->last, 0, sizeof set->last);
    set->min_len = MAX_WORD + 1;
    set->max_len = 0;
    size_t used = 0, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && buf[j] != '\n') j++;
        size_t len = j - i;
        if (len > 0 && len <= MAX_WORD) {
            uint32_t slot = hash_word(buf + i, len) & (N_SLOTS - 1);
            int dup = 0;
            while (set->len[slot]) {
                if (set->len[slot] == len && memcmp(set->word[slot], buf + i, len) == 0) {
                    dup = 1;
                    break;
                }
                slot = (slot + 1) & (N_SLOTS - 1);
            }
            if (!dup) {
                if (++used > N_SLOTS / 2) return -1;
                set->len[slot] = (uint8_t)len;
                memcpy(set->word[slot], buf + i, len);
                set->last[(uint8_t)buf[j - 1] & 0x7f] = 1;
                if (len < set->min_len) set->min_len = len;
                if (len > set->max_len) set->max_len = len;
            }
        }
        i = j + 1;
    }
    return 0;
}

static int wordset_has(const wordset_t *set, const char *w, size_t n) {
    if (n == 0 || n > MAX_WORD) return 0;
    uint32_t slot = hash_word(w, n) & (N_SLOTS - 1);
    while (set->len[slot]) {
        if (set->len[slot] == n && memcmp(set->word[slot], w, n) == 0) return 1;
        slot = (slot + 1) & (N_SLOTS - 1);
    }
    return 0;
}

/* The ASCII byte a code point matches in a word: case-folded when `fold`; -1 if none. */
static inline int word_byte(uint32_t c, int fold) {
    if (c < 0x80) return (fold && c >= 'A' && c <= 'Z') ? (int)(c + 32) : (int)c;
    if (fold && c == 0x212au) return 'k';
    if (fold && c == 0x17fu) return 's';
    return -1;
}

/* Whether text[b0, b1) (validated) is a word of `set`. */
static int lookup(const wordset_t *set, const uint8_t *s, size_t b0, size_t b1, int fold) {
    /* Cheap rejections: a word of n ASCII bytes matches n code points of 1 to 3 bytes. */
    if (b1 <= b0 || b1 - b0 < set->min_len || b1 - b0 > 3 * set->max_len) return 0;
    uint8_t z = s[b1 - 1];
    if (z < 0x80 && !set->last[fold && z >= 'A' && z <= 'Z' ? z + 32 : z]) return 0;
    char w[MAX_WORD];
    size_t n = 0;
    for (size_t i = b0; i < b1;) {
        uint32_t c;
        i += next_cp(s, i, b1, &c);
        int b = word_byte(c, fold);
        if (b < 0 || n == MAX_WORD) return 0;
        w[n++] = (char)b;
    }
    return wordset_has(set, w, n);
}

typedef struct {
    wordset_t never, maybe, openers, saying, connectors;
    int policy;
} rules_t;

/* ---- pieces ---- */
typedef struct {
    size_t b0, b1, core_end, lead_b; /* bytes, relative to the doc */
    int64_t c0, n, tail_n, lead_c;   /* code points */
    int64_t nls;                     /* newlines in the trailing whitespace */
    uint8_t lower, opener, says, bullet;
    uint8_t term, never_tok, list_marker, maybe, quote_end, end_runs_on, connector;
} piece_t;

typedef struct {
    piece_t *p;
    size_t n, cap;
} pieces_t;

static piece_t *piece_push(pieces_t *v) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 256;
        piece_t *p = realloc(v->p, cap * sizeof *p);
        if (!p) return NULL;
        v->p = p;
        v->cap = cap;
    }
    piece_t *x = &v->p[v->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* ASCII bytes that may start a candidate: terminators and newline. */
static const uint8_t STOP[128] = {['.'] = 1, ['!'] = 1, ['?'] = 1, ['\n'] = 1};

/* Nonzero when one of the 8 bytes in w is b (or, spuriously, a byte above such a one). */
static inline uint64_t has_byte(uint64_t w, uint8_t b) {
    uint64_t x = w ^ (0x0101010101010101ull * b);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}
/* Whether 8 bytes may hold a candidate start or a non-ASCII byte (the scan stops there). */
static inline uint64_t may_stop(uint64_t w) {
    return (w & 0x8080808080808080ull) | has_byte(w, '.') | has_byte(w, '!') | has_byte(w, '?') |
           has_byte(w, '\n');
}

/* 8 bytes as a little-endian integer on any machine (compilers emit one load for this). */
static inline uint64_t load_le64(const uint8_t *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/* Index of the lowest byte of m with its top bit set (m != 0; bytes loaded little-endian). */
static inline unsigned first_flag(uint64_t m) {
    unsigned k = 0;
    while (!(m & 0x80u)) {
        m >>= 8;
        k++;
    }
    return k;
}

/* Strictly decodes the code point at s[i]; -2 (invalid UTF-8) via *bad. */
static inline size_t step(const uint8_t *s, size_t i, size_t len, uint32_t *c, int *bad) {
    size_t k = decode(s + i, len - i, c);
    if (!k) {
        *bad = 1;
        return len - i; /* ends every scan */
    }
    return k;
}

/* Tiles s[0, len) into pieces (b0, b1, c0, n), validating UTF-8 on the way (every byte is
 * either in an ASCII run or decoded strictly). Returns 0, -1 (no memory) or -2 (bad UTF-8). */
static int tile(const uint8_t *s, size_t len, pieces_t *out) {
    out->n = 0;
    size_t i = 0, start = 0;
    int64_t ci = 0, cstart = 0;
    int bad = 0;
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t m = may_stop(load_le64(s + i));
            if (m) {
                /* The lowest flagged byte is a true one (false flags only sit above one). */
                unsigned skip = first_flag(m);
                i += skip;
                ci += skip;
                break;
            }
            i += 8;
            ci += 8;
        }
        if (i == len) break;
        if (s[i] < 0x80 && !STOP[s[i]]) {
            i++;
            ci++;
            continue;
        }
        uint32_t c;
        size_t k = step(s, i, len, &c, &bad);
        if (bad) return -2;
        if (c != '\n' && !is_term(c)) {
            i += k;
            ci++;
            continue;
        }
        size_t j = i + k;
        int64_t cj = ci + 1;
        if (c != '\n') {
            /* [.!?…]+[CLOSE]* then \s+ or the end of the text */
            int phase = 0, ok = 1;
            size_t run_end = 0; /* end of the terminator run */
            int64_t crun_end = 0;
            while (j < len) {
                uint32_t d;
                size_t kd = step(s, j, len, &d, &bad);
                if (bad) return -2;
                if (phase == 0 && is_term(d)) {
                } else if (is_close(d)) {
                    if (!phase) run_end = j, crun_end = cj;
                    phase = 1;
                } else {
                    ok = is_space(d);
                    break;
                }
                j += kd;
                cj++;
            }
            if (!ok) {
                /* Starts inside the terminator run fail the same way: resume after it. */
                if (phase) {
                    i = run_end;
                    ci = crun_end;
                } else {
                    i = j;
                    ci = cj;
                }
                continue;
            }
        }
        while (j < len) { /* the whitespace after a terminator cluster or a newline */
            uint32_t d;
            size_t kd = step(s, j, len, &d, &bad);
            if (bad) return -2;
            if (!is_space(d)) break;
            j += kd;
            cj++;
        }
        piece_t *p = piece_push(out);
        if (!p) return -1;
        p->b0 = start;
        p->b1 = j;
        p->c0 = cstart;
        p->n = cj - cstart;
        cstart = ci = cj;
        start = i = j;
    }
    if (start < len) {
        piece_t *p = piece_push(out);
        if (!p) return -1;
        p->b0 = start;
        p->b1 = len;
        p->c0 = cstart;
        p->n = ci - cstart;
    }
    return 0;
}

/* A forward cursor over at most `left` code points. */
typedef struct {
    const uint8_t *s;
    size_t i, end;
    int64_t left;
} cur_t;

static inline int cur_peek(const cur_t *k, uint32_t *c, size_t *len) {
    if (k->left <= 0 || k->i >= k->end) return 0;
    *len = next_cp(k->s, k->i, k->end, c);
    return 1;
}
static inline void cur_adv(cur_t *k, size_t len) {
    k->i += len;
    k->left--;
}

/* Features of a piece's first HEAD_CHARS code points. */
static void head_features(const uint8_t *s, piece_t *p, const rules_t *r) {
    uint32_t c;
    size_t len;
    cur_t k = {s, p->b0, p->b1, HEAD_CHARS};
    /* ^[\s OPEN]* then \p{Ll}; or (?i) an opener followed by [^\w'’-] or the end */
    while (cur_peek(&k, &c, &len) && (is_space(c) || is_open(c))) cur_adv(&k, len);
    if (cur_peek(&k, &c, &len)) {
        p->lower = (cls(c) & CC_LOWER) != 0;
        size_t w0 = k.i;
        while (cur_peek(&k, &c, &len) && is_word_x(c)) cur_adv(&k, len);
        p->opener = (uint8_t)lookup(&r->openers, s, w0, k.i, 1);
    }
    /* ^\s*(?:\p{Lu}[\w.'’-]*\s+){1,4}(?:SAYING)\b */
    k = (cur_t){s, p->b0, p->b1, HEAD_CHARS};
    while (cur_peek(&k, &c, &len) && is_space(c)) cur_adv(&k, len);
    for (int t = 0; t < 4; t++) {
        if (!cur_peek(&k, &c, &len) || !(cls(c) & CC_UPPER)) break;
        cur_adv(&k, len);
        while (cur_peek(&k, &c, &len) && (is_word_x(c) || c == '.')) cur_adv(&k, len);
        if (!cur_peek(&k, &c, &len) || !is_space(c)) break;
        while (cur_peek(&k, &c, &len) && is_space(c)) cur_adv(&k, len);
        cur_t w = k;
        while (cur_peek(&w, &c, &len) && is_word(c)) cur_adv(&w, len);
        if (lookup(&r->saying, s, k.i, w.i, 0)) {
            p->says = 1; /* \b holds: the run of \w ends at a non-word or the window's end */
            break;
        }
    }
    /* ^\s*(?:[-*•–—▪●◦‣]|\d{1,3}[.)])\s */
    k = (cur_t){s, p->b0, p->b1, HEAD_CHARS};
    while (cur_peek(&k, &c, &len) && is_space(c)) cur_adv(&k, len);
    if (cur_peek(&k, &c, &len)) {
        int ok = 0;
        if (c == '-' || c == '*' || c == 0x2022u || c == 0x2013u || c == 0x2014u || c == 0x25aau ||
            c == 0x25cfu || c == 0x25e6u || c == 0x2023u) {
            cur_adv(&k, len);
            ok = 1;
        } else if (cls(c) & CC_DIGIT) {
            int d = 0;
            while (cur_peek(&k, &c, &len) && (cls(c) & CC_DIGIT)) {
                cur_adv(&k, len);
                d++;
            }
            if (d <= 3 && cur_peek(&k, &c, &len) && (c == '.' || c == ')')) {
                cur_adv(&k, len);
                ok = 1;
            }
        }
        p->bullet = (uint8_t)(ok && cur_peek(&k, &c, &len) && is_space(c));
    }
}

/* Core end, trailing whitespace, leading whitespace and the features of the core's end. */
static void tail_features(const uint8_t *s, piece_t *p, const rules_t *r) {
    uint32_t c;
    size_t i = p->b1;
    int64_t tail = 0, nls = 0;
    while (i > p->b0) {
        size_t j = prev_cp(s, p->b0, i, &c);
        if (!is_space(c)) break;
        nls += c == '\n';
        tail++;
        i = j;
    }
    p->core_end = i;
    p->tail_n = tail;
    p->nls = nls;
    int64_t core_n = p->n - tail;
    /* leading whitespace (the whole piece when it is all whitespace) */
    size_t b = p->b0;
    int64_t lead = 0;
    while (b < p->b1) {
        size_t k = next_cp(s, b, p->b1, &c);
        if (!is_space(c)) break;
        b += k;
        lead++;
    }
    p->lead_b = b - p->b0;
    p->lead_c = lead;
    if (core_n == 0) return;

    /* The last up-to-8 code points of the core, last first. */
    uint32_t last[END_CHARS] = {0};
    int n_end = 0;
    for (size_t e = p->core_end; e > p->b0 && n_end < END_CHARS;) e = prev_cp(s, p->b0, e, &last[n_end++]);
    /* [.!?…][CLOSE]*$ within the last 8 */
    int q = 0;
    while (q < n_end && is_close(last[q])) q++;
    p->term = (uint8_t)(q < n_end && is_term(last[q]));
    /* [.!?…]["”’']\)?$ */
    q = (n_end > 0 && last[0] == ')') ? 1 : 0;
    p->quote_end = (uint8_t)(q + 1 < n_end &&
                             (last[q] == '"' || last[q] == 0x201du || last[q] == 0x2019u ||
                              last[q] == '\'') &&
                             is_term(last[q + 1]));
    /* [,;(\-–/&]$ */
    p->end_runs_on = (uint8_t)(last[0] == ',' || last[0] == ';' || last[0] == '(' || last[0] == '-' ||
                               last[0] == 0x2013u || last[0] == '/' || last[0] == '&');

    /* Within the last 32: the last token (after the last whitespace or opening quote) and
     * the last word (the trailing run of \w). */
    size_t e = p->core_end, tok0 = p->core_end, word0 = p->core_end;
    int in_word = 1, in_tok = 1;
    for (int64_t m = 0; m < TAIL_CHARS && e > p->b0 && (in_word || in_tok); m++) {
        size_t j = prev_cp(s, p->b0, e, &c);
        if (in_tok && !(is_space(c) || is_open(c)))
            tok0 = j;
        else
            in_tok = 0;
        if (in_word && is_word(c))
            word0 = j;
        else
            in_word = 0;
        e = j;
    }
    p->connector = (uint8_t)lookup(&r->connectors, s, word0, p->core_end, 1);
    /* (?i)\p{L}\. : an initial; (?i)(?:\p{L}\.){2,} : "U.S.A."-like */
    int64_t tok_n = 0, alternating = 1;
    for (size_t t = tok0; t < p->core_end; tok_n++) {
        t += next_cp(s, t, p->core_end, &c);
        if ((tok_n & 1) ? c != '.' : !(cls(c) & CC_LETTER_CI)) alternating = 0;
    }
    int dotted = alternating && tok_n % 2 == 0;
    p->never_tok = (uint8_t)((dotted && tok_n == 2) || lookup(&r->never, s, tok0, p->core_end, 1));
    p->maybe = (uint8_t)((dotted && tok_n >= 4) || lookup(&r->maybe, s, tok0, p->core_end, 1));
    /* ^\s*\d{1,3}\.$ over the whole core */
    if (last[0] == '.') {
        size_t t = p->b0 + p->lead_b;
        int d = 0;
        while (t < p->core_end) {
            size_t k = next_cp(s, t, p->core_end, &c);
            if (!(cls(c) & CC_DIGIT)) break;
            t += k;
            d++;
        }
        p->list_marker = (uint8_t)(d >= 1 && d <= 3 && t + 1 == p->core_end);
    }
}

/* ---- output ---- */
typedef struct {
    int64_t *col; /* 5 values per sentence, row-major while growing */
    size_t n, cap;
    uint8_t *text;
    size_t text_len;
    int64_t *text_off;
} out_t;

static int out_push(out_t *o, int64_t doc, int64_t par, int64_t idx, int64_t c0, int64_t c1,
                    const uint8_t *src, size_t len) {
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 1024;
        int64_t *col = realloc(o->col, cap * 5 * sizeof *col);
        if (!col) return -1;
        o->col = col;
        int64_t *off = realloc(o->text_off, (cap + 1) * sizeof *off);
        if (!off) return -1;
        o->text_off = off;
        o->cap = cap;
    }
    int64_t *row = o->col + 5 * o->n;
    row[0] = doc;
    row[1] = par;
    row[2] = idx;
    row[3] = c0;
    row[4] = c1;
    memcpy(o->text + o->text_len, src, len);
    o->text_len += len;
    o->text_off[++o->n] = (int64_t)o->text_len;
    return 0;
}

/* Sentences of one doc. Returns 0, -1 (no memory) or -2 (bad UTF-8). */
static int split_doc(const uint8_t *s, size_t len, int64_t doc, const rules_t *r, pieces_t *pv,
                     out_t *o) {
    int rc = tile(s, len, pv);
    if (rc) return rc;
    size_t m = pv->n;
    piece_t *p = pv->p;
    for (size_t i = 0; i < m; i++) {
        head_features(s, &p[i], r);
        tail_features(s, &p[i], r);
    }
    size_t first = 0;
    int64_t paras = 0, index = 0, base = -1;
    for (size_t i = 0; i < m; i++) {
        int has_next = i + 1 < m;
        int next_lower = has_next && p[i + 1].lower, next_bullet = has_next && p[i + 1].bullet;
        int next_opener = has_next && p[i + 1].opener, next_says = has_next && p[i + 1].says;
        int line_start = i == 0 || p[i - 1].nls > 0;
        int never_final = p[i].never_tok || (p[i].list_marker && line_start);
        int sentence_end = !next_lower && !never_final && !(p[i].maybe && !next_opener) &&
                           !(p[i].quote_end && next_says);
        int runs_on = next_lower || p[i].end_runs_on || p[i].connector;
        int line_break = r->policy == 1   ? 1
                         : r->policy == 2 ? (p[i].bullet || next_bullet)
                                          : (!runs_on || p[i].bullet || next_bullet);
        int para = p[i].nls >= 2 || !has_next;
        int brk = para || (p[i].term ? sentence_end : (p[i].nls == 1 && line_break));
        if (brk) {
            int64_t c0 = p[first].c0 + p[first].lead_c;
            int64_t c1 = p[i].c0 + p[i].n - p[i].tail_n;
            if (c1 > c0) {
                size_t b0 = p[first].b0 + p[first].lead_b;
                if (base < 0) base = paras;
                rc = out_push(o, doc, paras - base, index++, c0, c1, s + b0, p[i].core_end - b0);
                if (rc) return rc;
            }
            first = i + 1;
        }
        paras += para;
    }
    return 0;
}

static int read_words(PyObject *obj, wordset_t *set, const char *what) {
    Py_buffer b;
    if (PyObject_GetBuffer(obj, &b, PyBUF_SIMPLE) < 0) return -1;
    const char *w = b.buf;
    for (Py_ssize_t i = 0; i < b.len; i++) {
        if ((unsigned char)w[i] >= 0x80) {
            PyBuffer_Release(&b);
            PyErr_Format(PyExc_ValueError, "%s: words must be ASCII", what);
            return -1;
        }
    }
    int rc = wordset_build(set, w, (size_t)b.len);
    PyBuffer_Release(&b);
    if (rc) PyErr_Format(PyExc_ValueError, "%s: too many words (at most %d)", what, N_SLOTS / 2);
    return rc;
}

#define MAX_DATA_BUFFERS 4096

/* The bytes of view k of an Arrow string_view array (16 bytes per view: int32 length, then
 * the string itself when it has at most 12 bytes, else a 4-byte prefix, an int32 buffer
 * index and an int32 offset). Returns 0, or -1 when the view points outside its buffer. */
static int view_bytes(const uint8_t *views, size_t k, const Py_buffer *bufs, size_t n_bufs,
                      const uint8_t **ptr, size_t *len) {
    const uint8_t *v = views + 16 * k;
    int32_t n, idx, off;
    memcpy(&n, v, 4);
    if (n < 0) return -1;
    if (n <= 12) {
        *ptr = v + 4;
        *len = (size_t)n;
        return 0;
    }
    memcpy(&idx, v + 8, 4);
    memcpy(&off, v + 12, 4);
    if (idx < 0 || (size_t)idx >= n_bufs || off < 0 ||
        (int64_t)off + n > (int64_t)bufs[idx].len)
        return -1;
    *ptr = (const uint8_t *)bufs[idx].buf + off;
    *len = (size_t)n;
    return 0;
}

/* Acquires the data buffers of a string_view array (a sequence of buffer objects): *bufs
 * gets an array of them, *n how many were acquired. Release with data_buffers_release, also
 * after a failure. Returns 0, or -1 with an exception set. */
static int data_buffers_get(PyObject *list, Py_buffer **bufs, size_t *n) {
    *bufs = NULL;
    *n = 0;
    PyObject *seq = PySequence_Fast(list, "data buffers must be a sequence");
    if (!seq) return -1;
    int rc = -1;
    size_t m = (size_t)PySequence_Fast_GET_SIZE(seq);
    if (m > MAX_DATA_BUFFERS) {
        PyErr_SetString(PyExc_ValueError, "too many data buffers");
        goto out;
    }
    *bufs = calloc(m + 1, sizeof **bufs);
    if (!*bufs) {
        PyErr_NoMemory();
        goto out;
    }
    for (; *n < m; (*n)++)
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, *n), &(*bufs)[*n], PyBUF_SIMPLE) < 0)
            goto out;
    rc = 0;
out:
    Py_DECREF(seq); /* each acquired buffer keeps its own object alive */
    return rc;
}

static void data_buffers_release(Py_buffer *bufs, size_t n) {
    for (size_t k = 0; k < n; k++) PyBuffer_Release(&bufs[k]);
    free(bufs);
}

static PyObject *split(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer views;
    PyObject *data_list, *w_never, *w_maybe, *w_openers, *w_saying, *w_connectors;
    int policy;
    if (!PyArg_ParseTuple(args, "y*OOOOOOi", &views, &data_list, &w_never, &w_maybe, &w_openers,
                          &w_saying, &w_connectors, &policy))
        return NULL;
    PyObject *result = NULL, *text = NULL;
    rules_t *r = NULL;
    out_t o = {0};
    pieces_t pv = {0};
    Py_buffer *bufs = NULL;
    size_t n_bufs = 0, n_docs = 0, total = 0;
    int rc = 0;
    if (policy < 0 || policy > 2) {
        PyErr_SetString(PyExc_ValueError, "policy must be 0 (auto), 1 (always) or 2 (never)");
        goto done;
    }
    if (views.len % 16 != 0) {
        PyErr_SetString(PyExc_ValueError, "views must hold 16 bytes per string");
        goto done;
    }
    n_docs = (size_t)views.len / 16;
    if (data_buffers_get(data_list, &bufs, &n_bufs)) goto done;
    for (size_t d = 0; d < n_docs; d++) {
        const uint8_t *ptr = NULL;
        size_t len = 0;
        if (view_bytes(views.buf, d, bufs, n_bufs, &ptr, &len)) {
            PyErr_Format(PyExc_ValueError, "view %zu points outside its data buffer", d);
            goto done;
        }
        total += len;
    }
    r = malloc(sizeof *r);
    if (!r) {
        PyErr_NoMemory();
        goto done;
    }
    r->policy = policy;
    if (read_words(w_never, &r->never, "never_final") || read_words(w_maybe, &r->maybe, "maybe_final") ||
        read_words(w_openers, &r->openers, "openers") || read_words(w_saying, &r->saying, "saying") ||
        read_words(w_connectors, &r->connectors, "connectors"))
        goto done;
    /* Sentences are disjoint substrings: their text never exceeds the input's. Written in
     * place (nothing else references the new object yet) and shrunk at the end. */
    text = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (!text) goto done;
    o.text = (uint8_t *)PyBytes_AS_STRING(text);
    o.text_off = malloc(sizeof *o.text_off);
    if (!o.text_off) {
        PyErr_NoMemory();
        goto done;
    }
    o.text_off[0] = 0;
    Py_BEGIN_ALLOW_THREADS
    for (size_t d = 0; d < n_docs && rc == 0; d++) {
        const uint8_t *ptr = NULL;
        size_t len = 0;
        view_bytes(views.buf, d, bufs, n_bufs, &ptr, &len); /* checked above */
        rc = split_doc(ptr, len, (int64_t)d, r, &pv, &o);
    }
    Py_END_ALLOW_THREADS
    if (rc == -1) {
        PyErr_NoMemory();
        goto done;
    }
    if (rc == -2) {
        PyErr_SetString(PyExc_ValueError, "text is not valid UTF-8");
        goto done;
    }
    if (_PyBytes_Resize(&text, (Py_ssize_t)o.text_len) < 0) goto done; /* frees text on error */
    PyObject *cols = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(o.n * 5 * 8));
    PyObject *toff = PyBytes_FromStringAndSize((const char *)o.text_off, (Py_ssize_t)((o.n + 1) * 8));
    if (cols && toff && text) {
        /* row-major -> one column after another */
        char *dst = PyBytes_AS_STRING(cols);
        for (size_t k = 0; k < 5; k++)
            for (size_t i = 0; i < o.n; i++) memcpy(dst + 8 * (k * o.n + i), &o.col[5 * i + k], 8);
        result = PyTuple_Pack(3, cols, toff, text);
    }
    Py_XDECREF(cols);
    Py_XDECREF(toff);
done:
    Py_XDECREF(text);
    data_buffers_release(bufs, n_bufs);
    free(r);
    free(o.col);
    free(o.text_off);
    free(pv.p);
    PyBuffer_Release(&views);
    return result;
}

/* "<id>-s<index, zero-padded to at least 4 digits>" for each sentence: id is view rows[i]
 * of a string_view array (the article ids), index is index[i] (>= 0). Returns the ids as a
 * large_string array's int64 offsets (n + 1) and data. */
static PyObject *sentence_ids(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer views, rows, index;
    PyObject *data_list;
    if (!PyArg_ParseTuple(args, "y*Oy*y*", &views, &data_list, &rows, &index)) return NULL;
    PyObject *result = NULL, *offsets = NULL, *data = NULL;
    Py_buffer *bufs = NULL;
    size_t n_bufs = 0, n_ids = 0, n = 0, total = 0;
    int bad = 0;
    if (views.len % 16 != 0 || rows.len % 8 != 0 || rows.len != index.len) {
        PyErr_SetString(PyExc_ValueError,
                        "views must hold 16 bytes per string, rows and index 8 bytes per sentence");
        goto done;
    }
    n_ids = (size_t)views.len / 16;
    n = (size_t)rows.len / 8;
    if (data_buffers_get(data_list, &bufs, &n_bufs)) goto done;
    const int64_t *row = rows.buf, *idx = index.buf;
    /* Validate and size in one pass; an int64 has at most 19 digits. */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ptr;
        size_t len;
        if (row[i] < 0 || (size_t)row[i] >= n_ids || idx[i] < 0 ||
            view_bytes(views.buf, (size_t)row[i], bufs, n_bufs, &ptr, &len)) {
            bad = 1;
            break;
        }
        total += len + 2 + 19;
    }
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "row out of range, negative index or bad view");
        goto done;
    }
    offsets = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n + 1) * 8));
    data = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (!offsets || !data) goto done;
    int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(data);
    size_t pos = 0;
    Py_BEGIN_ALLOW_THREADS
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ptr = NULL;
        size_t len = 0;
        view_bytes(views.buf, (size_t)row[i], bufs, n_bufs, &ptr, &len); /* checked above */
        memcpy(out + pos, ptr, len);
        pos += len;
        out[pos++] = '-';
        out[pos++] = 's';
        char digits[20];
        int k = 0;
        uint64_t v = (uint64_t)idx[i];
        do {
            digits[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (k < 4) digits[k++] = '0';
        while (k) out[pos++] = (uint8_t)digits[--k];
        off[i + 1] = (int64_t)pos;
    }
    Py_END_ALLOW_THREADS
    if (_PyBytes_Resize(&data, (Py_ssize_t)pos) < 0) goto done; /* frees data on error */
    result = PyTuple_Pack(2, offsets, data);
done:
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    data_buffers_release(bufs, n_bufs);
    PyBuffer_Release(&views);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&index);
    return result;
}

static PyMethodDef methods[] = {
    {"split", split, METH_VARARGS,
     "split(views, data_buffers, never, maybe, openers, saying, connectors, policy) -> "
     "(columns, text_offsets, text_data)"},
    {"sentence_ids", sentence_ids, METH_VARARGS,
     "sentence_ids(views, data_buffers, rows, index) -> (offsets, data)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_split",
                                    "Sentence splitting kernel (see claimset.segment.split).", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__split(void) { return PyModule_Create(&module); }
