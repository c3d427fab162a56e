public import Crypto

/// AWS Signature Version 4: the pure pieces both sides share, the signer in kvctl and the
/// verifier in the server (one canonicalisation, not two).
///
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
/// (canonical request, string to sign, signing key, signature).
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let terminator = "aws4_request"

    /// `sha256("")`: the payload hash of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The canonical request:
    /// `METHOD\nPATH\nQUERY\nname:value\n...\n\nsigned;header;names\nPAYLOADHASH`.
    ///
    /// - Parameters:
    ///   - path: the canonical URI (see `canonicalPath`).
    ///   - query: the canonical query string (see `canonicalQuery`).
    ///   - headers: lowercased names with canonical values (see `canonicalHeaderValue`), sorted by name.
    public static func canonicalRequest(
        method: String, path: String, query: String, headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        var out = SigV4ByteWriter()
        SigV4Bytes.with(signedHeaders(headers.map(\.name))) { signed in
            SigV4Bytes.with(payloadHash) { payloadHash in
                out.appendCanonicalRequest(
                    method: method, path: { $0.append(path.utf8) }, query: query,
                    headers: { out in
                        for header in headers {
                            out.append(header.name.utf8)
                            out.sink.write(byte: UInt8(ascii: ":"))
                            out.append(header.value.utf8)
                            out.newline()
                        }
                    }, signedHeaders: signed, payloadHash: UnsafeRawBufferPointer(payloadHash))
            }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `host;x-amz-date`: the sorted lowercase names, joined by `;`.
    public static func signedHeaders(_ names: [String]) -> String {
        names.joined(separator: ";")
    }

    /// `DATE/REGION/SERVICE/aws4_request`.
    public static func scope(day: String, region: String, service: String) -> String {
        "\(day)/\(region)/\(service)/\(terminator)"
    }

    /// `AWS4-HMAC-SHA256\nAMZDATE\nSCOPE\nhex(sha256(canonicalRequest))`.
    public static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        var hasher = SHA256Stream()
        SigV4Bytes.with(canonicalRequest) { hasher.write(UnsafeRawBufferPointer($0)) }
        var out = SigV4ByteWriter()
        SigV4Bytes.with(scope) { out.appendStringToSign(amzDate: amzDate, scope: $0, canonicalRequestHash: hasher.finalize()) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    public static func signingKey(secret: String, day: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [day, region, service, terminator] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The hex signature of `stringToSign` under a derived signing key.
    public static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }

    /// The `Authorization` header value.
    public static func authorization(accessKeyID: String, scope: String, signedHeaders: String, signature: String)
        -> String
    {
        "\(algorithm) Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// A header value as SigV4 canonicalises it: leading and trailing blanks removed, inner
    /// runs of blanks collapsed to one space.
    public static func canonicalHeaderValue<S: StringProtocol>(_ value: S) -> String {
        var out = SigV4ByteWriter(capacity: value.utf8.count)
        out.appendHeaderValue(value.utf8)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The canonical URI of a path as received (see `SigV4CanonicalWriter.appendCanonicalPath`).
    public static func canonicalPath(_ rawPath: Substring) -> String {
        var out = SigV4ByteWriter(capacity: rawPath.utf8.count + 1)
        out.appendCanonicalPath(rawPath.utf8)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The canonical query string of a raw query (without `?`): each name and value decoded,
    /// then encoded with RFC 3986's unreserved set, the pairs sorted by name then value.
    public static func canonicalQuery(_ rawQuery: Substring) -> String {
        guard !rawQuery.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(kv.first ?? ""), keepSlash: false)
            let value = kv.count > 1 ? uriEncode(percentDecode(kv[1]), keepSlash: false) : ""
            pairs.append((name, value))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes every byte but `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`).
    public static func uriEncode<C: Sequence>(_ bytes: C, keepSlash: Bool) -> String where C.Element == UInt8 {
        var out = SigV4ByteWriter(capacity: 64)
        out.appendURIEncoded(bytes, keepSlash: keepSlash)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `%XX` sequences decoded to bytes (`+` is left as is); malformed escapes kept literally.
    static func percentDecode(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { sha256Hex($0) }
    }

    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256Stream()
        hasher.write(bytes)
        return hasher.finalize().hex.string
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out = SigV4ByteWriter(capacity: 64)
        out.appendHex(digest)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
