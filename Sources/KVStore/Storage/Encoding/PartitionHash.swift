/// The 32-bit hash of a partition key's encoded bytes (FNV-1a, 64-bit, upper half).
///
/// On-disk format: stored in the `h` column of every item table; changing it would
/// misplace every stored item, so it never changes.
public enum PartitionHash {
    public static func of(_ bytes: [UInt8]) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(hash >> 32)
    }
}
