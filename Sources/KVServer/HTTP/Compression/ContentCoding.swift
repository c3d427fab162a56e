/// The HTTP content codings we read in request bodies and write in responses
/// (RFC 9110 section 8.4.1): `gzip` (RFC 1952) and `deflate` (a zlib stream, RFC 1950).
enum ContentCoding: String, Sendable, CaseIterable {
    case gzip
    case deflate

    /// The coding a `Content-Encoding` value names; nil for `identity` (no coding).
    ///
    /// - Throws: `UnsupportedCoding` for any other coding, or several stacked ones.
    static func ofRequest(_ header: String) throws(UnsupportedCoding) -> ContentCoding? {
        let name = header.trimmingASCIIWhitespace().lowercased()
        switch name {
        case "", "identity": return nil
        case "gzip", "x-gzip": return .gzip
        case "deflate": return .deflate
        default: throw UnsupportedCoding()
        }
    }

    struct UnsupportedCoding: Error {}
}
