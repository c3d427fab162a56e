import Synchronization

/// Request ids in DynamoDB's shape: 52 characters of `[0-9A-Z]`, sent as `x-amzn-RequestId`.
enum RequestID {
    static let length = 52

    /// `0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ`[value] for value < 36, by arithmetic: indexing a
    /// table array checked its bounds and retained it for each of the 52 characters.
    @inline(__always)
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "A") &+ (value &- 10)
    }

    static func make() -> String {
        var generator = RequestIDGenerator()
        return make(using: &generator)
    }

    static func make(using generator: inout some RandomNumberGenerator) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            var filled = 0
            while filled < length {
                // 36^12 < 2^64: twelve base-36 digits per random word (the slight bias is harmless).
                var word = generator.next()
                var digits = 0
                while digits < 12 && filled < length {
                    buffer[filled] = digit(UInt8(truncatingIfNeeded: word % 36))
                    word /= 36
                    digits += 1
                    filled += 1
                }
            }
            return length
        }
    }
}

/// Cheap unique-enough words for request ids: a process-wide random seed mixed with a counter
/// (splitmix64). Asking the kernel for randomness on every request cost a syscall each time.
struct RequestIDGenerator: RandomNumberGenerator {
    private static let seed = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    mutating func next() -> UInt64 {
        let count = Self.counter.add(1, ordering: .relaxed).newValue
        var z = Self.seed &+ count &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
