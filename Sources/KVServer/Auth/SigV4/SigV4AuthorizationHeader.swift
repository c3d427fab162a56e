/// Where the parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...` header are, as byte ranges of the header's UTF-8. Parameters may be
/// separated by commas, blanks or both (the SDKs write `, `).
///
/// Only a parameter without `=` is an error at this stage (DynamoDB:
/// IncompleteSignatureException "'X' not a valid key=value pair (missing equal-sign) in
/// Authorization header: '...'."); missing parameters are reported by the verifier, all at once.
/// Ranges rather than substrings: this runs on every verified request, and the verifier reads
/// the parts as bytes (a substring is made only for an error's text).
struct SigV4AuthorizationHeader {
    var algorithm: Range<Int> = 0..<0
    var credential: Range<Int>?
    var signedHeaders: Range<Int>?
    var signature: Range<Int>?
    /// The first parameter without `=`.
    var tokenWithoutEquals: Range<Int>?

    init(scanning bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var end = bytes.count
        while start < end, Self.isBlank(bytes[start]) { start += 1 }
        while end > start, Self.isBlank(bytes[end - 1]) { end -= 1 }
        var cursor = Self.separator(in: bytes, from: start, to: end)
        algorithm = start..<cursor
        while cursor < end {
            while cursor < end, Self.isSeparator(bytes[cursor]) { cursor += 1 }
            guard cursor < end else { break }
            let tokenStart = cursor
            // The name runs to the first `=`; a token without one is the error.
            while cursor < end, bytes[cursor] != UInt8(ascii: "="), !Self.isSeparator(bytes[cursor]) { cursor += 1 }
            guard cursor < end, bytes[cursor] == UInt8(ascii: "=") else {
                tokenWithoutEquals = tokenStart..<cursor
                return
            }
            let equals = cursor
            cursor = Self.separator(in: bytes, from: equals + 1, to: end)
            let name = UnsafeBufferPointer(rebasing: bytes[tokenStart..<equals])
            let value = (equals + 1)..<cursor
            if SigV4Bytes.equal(name, "Credential") {
                credential = value
            } else if SigV4Bytes.equal(name, "SignedHeaders") {
                signedHeaders = value
            } else if SigV4Bytes.equal(name, "Signature") {
                signature = value
            }
        }
    }

    /// The first separator in `start..<end`, or `end`. Skips eight bytes at a time while none
    /// is at or below `,` (every separator is): `(word - 0x2D…) & ~word & 0x80…` is non-zero
    /// exactly when some byte of `word` is below 0x2D. Values are long (the signature is 64
    /// digits) and this runs on every verified request.
    static func separator(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var cursor = start
        if let base = bytes.baseAddress {
            while end &- cursor >= 8 {
                let word = UnsafeRawPointer(base + cursor).loadUnaligned(as: UInt64.self)
                if (word &- 0x2D2D_2D2D_2D2D_2D2D) & ~word & 0x8080_8080_8080_8080 != 0 { break }
                cursor &+= 8
            }
        }
        while cursor < end, !isSeparator(bytes[cursor]) { cursor += 1 }
        return cursor
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// A blank or a comma: one comparison for the bytes of keys and signatures, which are all
    /// above `,` but for none.
    private static func isSeparator(_ byte: UInt8) -> Bool {
        let separators: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x2C
        return byte <= 0x2C && separators >> UInt64(byte) & 1 == 1
    }
}
