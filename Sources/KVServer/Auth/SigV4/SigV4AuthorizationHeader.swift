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
    public static func parse(_ header: String) throws(WireError) -> SigV4AuthorizationHeader {
        let trimmed = header.trimmingASCIIWhitespace()
        let algorithmEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "," }) ?? trimmed.endIndex
        var result = SigV4AuthorizationHeader(algorithm: trimmed[..<algorithmEnd])
        let rest = trimmed[algorithmEnd...]
        for token in rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            guard let equals = token.firstIndex(of: "=") else {
                throw WireError.incompleteSignature(
                    "'\(token)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
            }
            let value = token[token.index(after: equals)...]
            switch token[..<equals] {
            case "Credential": result.credential = value
            case "SignedHeaders": result.signedHeaders = value
            case "Signature": result.signature = value
            default: break
            }
        }
        return result
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
