/// Standard base64 (RFC 4648, padded): binary values on the wire, binaries in error messages,
/// shard iterators. The one implementation in the package.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { bytes in
            String(unsafeUninitializedCapacity: encodedCount(bytes.count)) { text in
                guard let base = text.baseAddress else { return 0 }
                return encode(bytes, into: base)
            }
        }
    }

    /// The length of the base64 text of `count` bytes.
    public static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Writes the base64 text of `bytes` at `output`, which has room for `encodedCount` bytes;
    /// returns that count.
    @discardableResult
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        alphabet.withUnsafeBufferPointer { alphabet in
            var index = 0
            var written = 0
            func put(_ sextet: UInt32) {
                output[written] = alphabet[Int(sextet & 63)]
                written += 1
            }
            while index + 3 <= bytes.count {
                let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                put(chunk >> 18)
                put(chunk >> 12)
                put(chunk >> 6)
                put(chunk)
                index += 3
            }
            let rest = bytes.count - index
            if rest > 0 {
                let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                put(chunk >> 18)
                put(chunk >> 12)
                if rest == 2 {
                    put(chunk >> 6)
                } else {
                    output[written] = UInt8(ascii: "=")
                    written += 1
                }
                output[written] = UInt8(ascii: "=")
                written += 1
            }
            return written
        }
    }

    public enum DecodingError: Error, Equatable {
        case length(Int)
        case character(Character)
    }

    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { throw .length(input.count) }
        var output = [UInt8]()
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var quad: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                if byte == UInt8(ascii: "=") && isLast && offset >= 2 {
                    padding += 1
                    quad <<= 6
                    continue
                }
                let sextet = reverse[Int(byte)]
                guard sextet != 0xFF, padding == 0 else {
                    throw .character(Character(Unicode.Scalar(byte)))
                }
                quad = quad << 6 | UInt32(sextet)
            }
            output.append(UInt8(quad >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(quad >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(quad & 0xFF)) }
            index += 4
        }
        return output
    }
}
