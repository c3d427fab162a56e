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

    /// The two characters of each value below 36², low digit first: `pairs[2v]` is
    /// `digit(v % 36)`, `pairs[2v + 1]` is `digit(v / 36)`. Written a pair at a time, an id
    /// takes 26 divisions of a word and table reads instead of 52 digits computed one by one
    /// (about 1,300 instructions a request under callgrind), and reads the same.
    static let pairs: [UInt8] = (0..<36 * 36).flatMap { value in
        [digit(UInt8(value % 36)), digit(UInt8(value / 36))]
    }

    static func make(using generator: inout some RandomNumberGenerator) -> String {
        pairs.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: length) { buffer in
                var filled = 0
                // `length` is even: every pair fits.
                while filled < length {
                    // 36^12 < 2^64: six pairs (twelve base-36 digits) per random word, least
                    // significant first (the slight bias is harmless).
                    var word = generator.next()
                    var written = 0
                    while written < 6 && filled < length {
                        let pair = Int(truncatingIfNeeded: word % 1296) &* 2
                        buffer[filled] = table[pair]
                        buffer[filled &+ 1] = table[pair &+ 1]
                        word /= 1296
                        written &+= 1
                        filled &+= 2
                    }
                }
                return length
            }
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
