// SHA-256 (FIPS 180-4) for signature verification, which hashes three short messages per
// request (the payload, the canonical request, the HMAC of the string to sign). swift-crypto's
// `SHA256` allocates its BoringSSL context on the heap, copies it on write and again to finalize:
// 16 allocations and ~10,000 instructions of wrapper per verified request
// (Scripts/bench/callgrind_auth.py). This one is a stack value. Blocks are compressed with the
// x86 SHA extensions when the CPU has them, else with portable C; both are checked against
// swift-crypto and FIPS 180-4's examples on random inputs (SHA256StreamTests).
#include "CSHA256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void kv_sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks, size_t count) {
    uint32_t w[64];
    for (; count > 0; count--, blocks += 64) {
        for (int t = 0; t < 16; t++) w[t] = load_be32(blocks + 4 * t);
        for (int t = 16; t < 64; t++) {
            uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int t = 0; t < 64; t++) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

// The SHA extensions keep the working variables as two registers, ABEF and CDGH, and do two
// rounds per SHA256RNDS2; SHA256MSG1/MSG2 compute the message schedule four words at a time.
__attribute__((target("sha,sse4.1"))) static void blocks_sha_extensions(uint32_t state[8], const uint8_t *blocks,
                                                                          size_t count) {
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)state);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(state + 4));
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (; count > 0; count--, blocks += 64) {
        const __m128i abefStart = abef;
        const __m128i cdghStart = cdgh;
        __m128i w[4];
        for (int group = 0; group < 16; group++) {
            __m128i words;
            if (group < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * group)), byteSwap);
            } else {
                // W[t-16] + sigma0(W[t-15]) + W[t-7], then + sigma1(W[t-2]).
                __m128i partial = _mm_sha256msg1_epu32(w[group & 3], w[(group + 1) & 3]);
                partial = _mm_add_epi32(partial, _mm_alignr_epi8(w[(group + 3) & 3], w[(group + 2) & 3], 4));
                words = _mm_sha256msg2_epu32(partial, w[(group + 3) & 3]);
            }
            w[group & 3] = words;
            __m128i message = _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)(K + 4 * group)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(message, 0x0E));
        }
        abef = _mm_add_epi32(abef, abefStart);
        cdgh = _mm_add_epi32(cdgh, cdghStart);
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)state, _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

int kv_sha256_uses_sha_extensions(void) {
    static int answer = -1;
    if (answer < 0) {
        unsigned int a, b, c, d;
        int sse41 = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9));
        int sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
        answer = sse41 && sha;
    }
    return answer;
}

static void compress(uint32_t state[8], const uint8_t *blocks, size_t count) {
    if (kv_sha256_uses_sha_extensions()) {
        blocks_sha_extensions(state, blocks, count);
    } else {
        kv_sha256_blocks_portable(state, blocks, count);
    }
}

#else

int kv_sha256_uses_sha_extensions(void) { return 0; }

static void compress(uint32_t state[8], const uint8_t *blocks, size_t count) {
    kv_sha256_blocks_portable(state, blocks, count);
}

#endif

#if defined(__x86_64__)
// Sixteen nibbles (0-15, one a byte) to their digits: '0' + n, plus 39 ('a' - '0' - 10) where n > 9.
static inline __m128i hex_digits(__m128i nibbles) {
    __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)), _mm_set1_epi8(39));
    return _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')), letters);
}

// Sixteen bytes at a time with SSE2 (every x86-64 has it): the high and the low nibbles
// interleaved, high first, then made digits. Three digests are written as hex per verified
// request; a word at a time in Swift this was about 140 instructions a digest.
void kv_sha256_hex(const uint8_t digest[32], uint8_t hex[64]) {
    const __m128i low = _mm_set1_epi8(0x0f);
    for (int half = 0; half < 2; half++) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(digest + 16 * half));
        __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low);
        __m128i lowNibbles = _mm_and_si128(bytes, low);
        _mm_storeu_si128((__m128i *)(hex + 32 * half), hex_digits(_mm_unpacklo_epi8(high, lowNibbles)));
        _mm_storeu_si128((__m128i *)(hex + 32 * half + 16), hex_digits(_mm_unpackhi_epi8(high, lowNibbles)));
    }
}
#else
void kv_sha256_hex(const uint8_t digest[32], uint8_t hex[64]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = (uint8_t)digits[digest[i] >> 4];
        hex[2 * i + 1] = (uint8_t)digits[digest[i] & 0x0f];
    }
}
#endif

void kv_sha256_init(kv_sha256 *context) {
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(context->state, initial, sizeof(initial));
    context->length = 0;
    context->pendingCount = 0;
}

void kv_sha256_update(kv_sha256 *context, const void *bytes, size_t count) {
    const uint8_t *p = (const uint8_t *)bytes;
    if (count == 0) return;
    context->length += count;
    if (context->pendingCount > 0) {
        size_t room = 64 - context->pendingCount;
        size_t take = count < room ? count : room;
        memcpy(context->pending + context->pendingCount, p, take);
        context->pendingCount += (uint32_t)take;
        p += take;
        count -= take;
        if (context->pendingCount < 64) return;
        compress(context->state, context->pending, 1);
        context->pendingCount = 0;
    }
    if (count >= 64) {
        size_t whole = count / 64;
        compress(context->state, p, whole);
        p += whole * 64;
        count -= whole * 64;
    }
    if (count > 0) {
        memcpy(context->pending, p, count);
        context->pendingCount = (uint32_t)count;
    }
}

void kv_sha256_final(kv_sha256 *context, uint8_t digest[32]) {
    // Padded in place in the pending block (no staging copy, no call of update): 0x80, zeros,
    // and the length in bits, big-endian, in the last eight bytes; a second block when the
    // length does not fit after the message's last bytes.
    uint64_t bits = context->length * 8;
    uint32_t used = context->pendingCount;
    context->pending[used++] = 0x80;
    if (used > 56) {
        memset(context->pending + used, 0, 64 - used);
        compress(context->state, context->pending, 1);
        used = 0;
    }
    memset(context->pending + used, 0, 56 - used);
    uint64_t bigEndianBits = __builtin_bswap64(bits);
    memcpy(context->pending + 56, &bigEndianBits, 8);
    compress(context->state, context->pending, 1);
    context->pendingCount = 0;
    for (int i = 0; i < 8; i++) {
        uint32_t word = __builtin_bswap32(context->state[i]);
        memcpy(digest + 4 * i, &word, 4);
    }
}
