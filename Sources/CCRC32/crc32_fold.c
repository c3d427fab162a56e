// CRC-32 (IEEE 802.3, reflected) by folding with carry-less multiplication, after Gopal et al.,
// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Intel, 2009):
// four 128-bit lanes are folded 512 bits ahead at a time, merged into one lane, then reduced to
// 64 and 32 bits and finished with a Barrett reduction.
//
// The constants are, for P = 0x104C11DB7, the bit-reflected remainders x^n mod P shifted left by
// one (the reflected domain's product is one bit short): k1 = x^(512+32), k2 = x^(512-32),
// k3 = x^(128+32), k4 = x^(128-32), k5 = x^64; mu = floor(x^64 / P) and P itself, reflected to
// 33 bits. They were derived by polynomial arithmetic over GF(2) and the function is checked
// against the table-driven CRC for every length up to 300 bytes, random lengths up to 100 kB and
// random seeds (CRC32Tests).
//
// DynamoDB sends `x-amz-crc32` over every response body; for a 25 kB Query page the byte table
// took 14% of the server's CPU (Scripts/bench/profile.py query).
#include "CCRC32.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("pclmul,sse4.1"))) static inline __m128i fold(__m128i lanes, __m128i constants) {
    return _mm_xor_si128(_mm_clmulepi64_si128(lanes, constants, 0x00), _mm_clmulepi64_si128(lanes, constants, 0x11));
}

__attribute__((target("pclmul,sse4.1"))) static uint32_t fold_blocks(
    uint32_t state, const uint8_t *p, size_t length, size_t *consumed) {
    const size_t start = length;
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
    const __m128i mu_p = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
    const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);

    __m128i x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)state));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    length -= 64;
    while (length >= 64) {
        x1 = _mm_xor_si128(fold(x1, k1k2), _mm_loadu_si128((const __m128i *)p));
        x2 = _mm_xor_si128(fold(x2, k1k2), _mm_loadu_si128((const __m128i *)(p + 16)));
        x3 = _mm_xor_si128(fold(x3, k1k2), _mm_loadu_si128((const __m128i *)(p + 32)));
        x4 = _mm_xor_si128(fold(x4, k1k2), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        length -= 64;
    }
    x1 = _mm_xor_si128(fold(x1, k3k4), x2);
    x1 = _mm_xor_si128(fold(x1, k3k4), x3);
    x1 = _mm_xor_si128(fold(x1, k3k4), x4);
    while (length >= 16) {
        x1 = _mm_xor_si128(fold(x1, k3k4), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        length -= 16;
    }
    // 128 -> 64 bits: the low half times k4, plus the high half.
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x10), _mm_srli_si128(x1, 8));
    // 64 -> 32 bits: the low 32 bits times k5, plus the rest.
    x2 = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5, 0x00);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 4), x2);
    // Barrett reduction to the 32-bit remainder.
    x2 = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), mu_p, 0x10), low32);
    x2 = _mm_clmulepi64_si128(x2, mu_p, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    *consumed = start - length;
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int cpu_can_fold(void) {
    static int answer = -1;
    if (answer < 0) answer = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    return answer;
}

uint32_t kv_crc32_fold(uint32_t state, const uint8_t *bytes, size_t length, size_t *consumed) {
    *consumed = 0;
    if (length < 64 || bytes == NULL || !cpu_can_fold()) return state;
    return fold_blocks(state, bytes, length, consumed);
}

#else

uint32_t kv_crc32_fold(uint32_t state, const uint8_t *bytes, size_t length, size_t *consumed) {
    (void)bytes;
    (void)length;
    *consumed = 0;
    return state;
}

#endif
