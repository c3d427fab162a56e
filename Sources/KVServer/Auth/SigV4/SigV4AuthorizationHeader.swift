/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
/// header. Parameters may be separated by commas, blanks or both (the SDKs write `, `).
public struct SigV4AuthorizationHeader: Sendable, Equatable {
    public var algorithm: Substring
    public var credential: Substring?
    public var signedHeaders: Substring?
    public var signature: Substring?

    /// Splits the header; only a parameter without `=` is an error at this stage (DynamoDB:
    /// IncompleteSignatureException "'X' not a valid key=value pair (missing equal-sign) in
    /// Authorization header: '...'."). Missing parameters are reported by the verifier, all at once.
    ///
    /// Scans the UTF-8 bytes in place (every separator is ASCII), as it runs on every verified
    /// request; only the four parts become substrings.
    public static func parse(_ header: String) throws(WireError) -> SigV4AuthorizationHeader {
        var text = header
        text.makeContiguousUTF8()
        let scanned = text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? Scan()
        let utf8 = text.utf8
        func part(_ range: Range<Int>) -> Substring {
            Substring(
                utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(
                    utf8.startIndex, offsetBy: range.upperBound)])
        }
        if let token = scanned.tokenWithoutEquals {
            throw WireError.incompleteSignature(
                "'\(part(token))' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
        }
        return SigV4AuthorizationHeader(
            algorithm: part(scanned.algorithm), credential: scanned.credential.map(part),
            signedHeaders: scanned.signedHeaders.map(part), signature: scanned.signature.map(part))
    }

    /// Byte offsets of the parts.
    private struct Scan {
        var algorithm: Range<Int> = 0..<0
        var credential: Range<Int>?
        var signedHeaders: Range<Int>?
        var signature: Range<Int>?
        var tokenWithoutEquals: Range<Int>?
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        var cursor = start
        while cursor < end, !isSeparator(bytes[cursor]) { cursor += 1 }
        var result = Scan(algorithm: start..<cursor)
        while cursor < end {
            while cursor < end, isSeparator(bytes[cursor]) { cursor += 1 }
            guard cursor < end else { break }
            let tokenStart = cursor
            var equals = -1
            while cursor < end, !isSeparator(bytes[cursor]) {
                if equals < 0, bytes[cursor] == UInt8(ascii: "=") { equals = cursor }
                cursor += 1
            }
            guard equals >= 0 else {
                result.tokenWithoutEquals = tokenStart..<cursor
                return result
            }
            let name = UnsafeBufferPointer(rebasing: bytes[tokenStart..<equals])
            let value = (equals + 1)..<cursor
            if SigV4Bytes.equal(name, "Credential") {
                result.credential = value
            } else if SigV4Bytes.equal(name, "SignedHeaders") {
                result.signedHeaders = value
            } else if SigV4Bytes.equal(name, "Signature") {
                result.signature = value
            }
        }
        return result
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        isBlank(byte) || byte == UInt8(ascii: ",")
    }

    public init(
        algorithm: Substring, credential: Substring? = nil, signedHeaders: Substring? = nil,
        signature: Substring? = nil
    ) {
        self.algorithm = algorithm
        self.credential = credential
        self.signedHeaders = signedHeaders
        self.signature = signature
    }
}
