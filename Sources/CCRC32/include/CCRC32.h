#ifndef CCRC32_H
#define CCRC32_H

#include <stddef.h>
#include <stdint.h>

/// Folds the whole 16-byte blocks of `bytes` (when there are at least 64) into a running CRC-32
/// register `state` (the inverted form, as the table-driven loop keeps it) with carry-less
/// multiplication, and returns the new register; `*consumed` tells how many bytes it took (the
/// caller finishes the rest). Takes nothing (`*consumed` = 0) on CPUs without PCLMULQDQ and
/// SSE4.1, or off x86-64.
uint32_t kv_crc32_fold(uint32_t state, const uint8_t *bytes, size_t length, size_t *consumed);

#endif
