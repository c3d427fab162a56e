/// Whether bytes are well-formed UTF-8, without building a `String`: the check `validatedString`
/// makes, for readers that pass stored text on as bytes.
enum UTF8Validation {
    @inline(__always)
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most stored text is ASCII: test sixteen bytes at a time for a high bit.
        var index = 0
        let count = bytes.count
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 16 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self) & SIMD16(repeating: 0x80)
            let words = unsafeBitCast(chunk, to: SIMD2<UInt64>.self)
            if words[0] | words[1] != 0 { break }
            index += 16
        }
        if index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            index += 8
        }
        while index < count, bytes[index] < 0x80 { index += 1 }
        guard index < count else { return true }
        return isValidScalars(UnsafeBufferPointer(rebasing: bytes[index...]))
    }

    /// The slow path, from the first byte that is not ASCII.
    @inline(never)
    private static func isValidScalars(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
