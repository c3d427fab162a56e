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
            // The SDKs' three names with their `=` are recognised whole (a word compare each, not
            // a byte loop); otherwise the name runs to the first `=`, and a token without one is
            // the error. Either way `equals` is the token's first `=`: none of the three names
            // holds an `=` or a separator.
            let equals: Int
            let field: Field?
            if let known = Self.knownName(bytes, at: tokenStart, end: end) {
                (equals, field) = known
            } else {
                while cursor < end, bytes[cursor] != UInt8(ascii: "="), !Self.isSeparator(bytes[cursor]) { cursor += 1 }
                guard cursor < end, bytes[cursor] == UInt8(ascii: "=") else {
                    tokenWithoutEquals = tokenStart..<cursor
                    return
                }
                equals = cursor
                let name = UnsafeBufferPointer(rebasing: bytes[tokenStart..<equals])
                field =
                    SigV4Bytes.equal(name, "Credential")
                    ? .credential
                    : SigV4Bytes.equal(name, "SignedHeaders")
                        ? .signedHeaders : SigV4Bytes.equal(name, "Signature") ? .signature : nil
            }
            cursor = Self.separator(in: bytes, from: equals + 1, to: end)
            let value = (equals + 1)..<cursor
            switch field {
            case .credential: credential = value
            case .signedHeaders: signedHeaders = value
            case .signature: signature = value
            case nil: break
            }
        }
    }

    private enum Field {
        case credential, signedHeaders, signature
    }

    /// `Credential=`, `SignedHeaders=` or `Signature=` at `start`: where its `=` is, and which.
    private static func knownName(
        _ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int
    ) -> (equals: Int, field: Field)? {
        func starts(with name: StaticString) -> Bool {
            let count = name.utf8CodeUnitCount
            return end &- start >= count
                && SigV4Bytes.equal(UnsafeBufferPointer(rebasing: bytes[start..<(start &+ count)]), name)
        }
        if starts(with: "Credential=") { return (start &+ 10, .credential) }
        if starts(with: "SignedHeaders=") { return (start &+ 13, .signedHeaders) }
        if starts(with: "Signature=") { return (start &+ 9, .signature) }
        return nil
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
