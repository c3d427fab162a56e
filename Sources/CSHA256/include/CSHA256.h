#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// A SHA-256 computation in progress (FIPS 180-4), a plain value: copying it forks the
/// computation, so a pre-keyed HMAC is two of these copied per message, with no allocation.
typedef struct {
    uint32_t state[8];
    uint64_t length;     // bytes absorbed so far
    uint8_t pending[64]; // a partial block
    uint32_t pendingCount;
} kv_sha256;

void kv_sha256_init(kv_sha256 *context);
void kv_sha256_update(kv_sha256 *context, const void *bytes, size_t count);
/// Writes the 32-byte digest; the context is spent afterwards.
void kv_sha256_final(kv_sha256 *context, uint8_t digest[32]);
/// The 64 lowercase hex digits of a 32-byte digest, high nibble first.
void kv_sha256_hex(const uint8_t digest[32], uint8_t hex[64]);
/// 1 when blocks are compressed with the SHA extensions (SHA-NI), 0 with portable C.
int kv_sha256_uses_sha_extensions(void);
/// Compresses whole blocks with the portable code, whatever the CPU (for tests).
void kv_sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks, size_t count);

#endif
