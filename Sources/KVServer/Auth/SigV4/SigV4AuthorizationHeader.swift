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
        var cursor = start
        while cursor < end, !Self.isSeparator(bytes[cursor]) { cursor += 1 }
        algorithm = start..<cursor
        while cursor < end {
            while cursor < end, Self.isSeparator(bytes[cursor]) { cursor += 1 }
            guard cursor < end else { break }
            let tokenStart = cursor
            var equals = -1
            while cursor < end, !Self.isSeparator(bytes[cursor]) {
                if equals < 0, bytes[cursor] == UInt8(ascii: "=") { equals = cursor }
                cursor += 1
            }
            guard equals >= 0 else {
                tokenWithoutEquals = tokenStart..<cursor
                return
            }
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
