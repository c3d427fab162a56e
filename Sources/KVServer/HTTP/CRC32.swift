import CCRC32

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum DynamoDB sends in
/// `x-amz-crc32` and SDKs verify. Bodies of 64 bytes and more are folded with carry-less
/// multiplication where the CPU has it (`CCRC32`); the rest, and every byte on other CPUs,
/// table-driven, eight bytes per step ("slicing-by-8").
public enum CRC32 {
    /// The checksum of `bytes`; pass a previous result as `seed` to continue a running checksum.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        let count = bytes.count
        var i = 0
        if count >= 64, let base = bytes.baseAddress {
            var consumed = 0
            crc = kv_crc32_fold(crc, base.assumingMemoryBound(to: UInt8.self), count, &consumed)
            i = min(max(consumed, 0), count)
        }
        table.withUnsafeBufferPointer { t in
            while i + 8 <= count {
                let one = bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ crc
                let two = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(one & 0xFF)]
                    ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((one >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(one >> 24)]
                    ^ t[3 * 256 + Int(two & 0xFF)]
                    ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((two >> 16) & 0xFF)]
                    ^ t[Int(two >> 24)]
                i += 8
            }
            while i < count {
                crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        return ~crc
    }

    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    public static func checksum(_ text: String) -> UInt32 {
        checksum(Array(text.utf8))
    }

    /// Eight 256-entry tables: table k holds the CRC of a byte followed by k zero bytes.
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            table[n] = c
        }
        for n in 0..<256 {
            var c = table[n]
            for k in 1..<8 {
                c = table[Int(c & 0xFF)] ^ (c >> 8)
                table[k * 256 + n] = c
            }
        }
        return table
    }()
}
