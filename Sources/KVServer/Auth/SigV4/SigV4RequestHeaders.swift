import NIOHTTP1

/// The headers signature verification reads, found in one pass over the request's headers
/// (each `HTTPHeaders.first(name:)` is a pass of its own). The first of repeated headers wins,
/// as with `first(name:)`.
///
/// The same pass keeps the values of the headers the SDKs sign (`host`, `content-type`,
/// `x-amz-target`, `x-amz-date`, ...), so that the canonical request is written from them
/// (`SigV4Verifier.writeCanonicalHeaders`) without walking the headers again: each visit of
/// an `HTTPHeaders` element retains and releases its two strings.
struct SigV4RequestHeaders {
    var authorization: String?
    var amzDate: String?
    var date: String?
    var contentSHA256: String?
    var securityToken: String?
    var host: String?
    var contentType: String?
    var target: String?
    var contentLength: String?
    /// One of the kept headers came more than once: its canonical value joins them all, so
    /// the canonical headers are written from a walk of every header.
    var repeatedKnownHeader = false

    init(_ headers: HTTPHeaders) {
        var repeated = false
        for (name, value) in headers {
            switch name.utf8.count {
            case 4:
                if Self.equal(name, "host") {
                    Self.keep(value, in: &host, repeated: &repeated)
                } else if Self.equal(name, "date") {
                    Self.keep(value, in: &date, repeated: &repeated)
                }
            case 10:
                if Self.equal(name, "x-amz-date") { Self.keep(value, in: &amzDate, repeated: &repeated) }
            case 12:
                if Self.equal(name, "content-type") {
                    Self.keep(value, in: &contentType, repeated: &repeated)
                } else if Self.equal(name, "x-amz-target") {
                    Self.keep(value, in: &target, repeated: &repeated)
                }
            case 13:
                if authorization == nil, Self.equal(name, "authorization") { authorization = value }
            case 14:
                if Self.equal(name, "content-length") { Self.keep(value, in: &contentLength, repeated: &repeated) }
            case 20:
                if Self.equal(name, "x-amz-content-sha256") {
                    Self.keep(value, in: &contentSHA256, repeated: &repeated)
                } else if Self.equal(name, "x-amz-security-token") {
                    Self.keep(value, in: &securityToken, repeated: &repeated)
                }
            default:
                continue
            }
        }
        repeatedKnownHeader = repeated
    }

    /// Keeps the first value; notes a second.
    private static func keep(_ value: String, in slot: inout String?, repeated: inout Bool) {
        if slot == nil { slot = value } else { repeated = true }
    }

    /// The value kept for a signed header name as sent, nil when `name` is not one kept here
    /// in lowercase (then the caller walks the headers). `.some(nil)`: kept, but absent.
    func value(signedName name: UnsafeBufferPointer<UInt8>) -> String?? {
        // Exact, lowercase comparisons: a name found here needs no lowercasing either.
        switch name.count {
        case 4:
            if SigV4Bytes.equal(name, "host") { return .some(host) }
            if SigV4Bytes.equal(name, "date") { return .some(date) }
        case 10:
            if SigV4Bytes.equal(name, "x-amz-date") { return .some(amzDate) }
        case 12:
            if SigV4Bytes.equal(name, "content-type") { return .some(contentType) }
            if SigV4Bytes.equal(name, "x-amz-target") { return .some(target) }
        case 14:
            if SigV4Bytes.equal(name, "content-length") { return .some(contentLength) }
        case 20:
            if SigV4Bytes.equal(name, "x-amz-content-sha256") { return .some(contentSHA256) }
            if SigV4Bytes.equal(name, "x-amz-security-token") { return .some(securityToken) }
        default:
            break
        }
        return nil
    }

    private static func equal(_ name: String, _ lowercase: StaticString) -> Bool {
        SigV4Bytes.with(name) { SigV4Bytes.equalIgnoringCase($0, name: lowercase) }
    }
}
