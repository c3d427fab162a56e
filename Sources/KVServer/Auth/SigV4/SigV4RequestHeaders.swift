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
    /// Not signed by the SDKs: kept for `RequestHeaderFields` (the first, as it keeps it), so
    /// that a verified request's headers are walked once (`APIRequestProcessor.decide`).
    var contentEncoding: String?
    /// One of the kept headers came more than once: its canonical value joins them all, so
    /// the canonical headers are written from a walk of every header.
    var repeatedKnownHeader = false
    /// `read` filled these from a request's headers (an `AuthenticationRequest`'s are read by
    /// the server before verification).
    var isRead = false

    /// No header (the canonical headers are then written from a walk of the request's).
    init() {}

    init(_ headers: HTTPHeaders) {
        read(headers)
    }

    /// Fills an empty value (`init()`) from `headers` in place. The verifier's way: an
    /// initializer built the value and then copied it out, a reference count per string.
    mutating func read(_ headers: HTTPHeaders) {
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
            case 16:
                if contentEncoding == nil, Self.equal(name, "content-encoding") { contentEncoding = value }
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
        isRead = true
    }

    /// Keeps the first value; notes a second.
    private static func keep(_ value: String, in slot: inout String?, repeated: inout Bool) {
        if slot == nil { slot = value } else { repeated = true }
    }

    /// A header kept here, numbered in the ascending byte order of its lowercase name (so that
    /// names in ascending order have ascending slots).
    enum Slot: UInt8, CaseIterable {
        case contentLength, contentType, date, host, contentSHA256, amzDate, securityToken, target

        /// The lowercase name and its colon, as the canonical request writes them.
        var canonicalPrefix: StaticString {
            switch self {
            case .contentLength: "content-length:"
            case .contentType: "content-type:"
            case .date: "date:"
            case .host: "host:"
            case .contentSHA256: "x-amz-content-sha256:"
            case .amzDate: "x-amz-date:"
            case .securityToken: "x-amz-security-token:"
            case .target: "x-amz-target:"
            }
        }

        /// The slot of a signed header name as sent, nil when `name` is not one kept here in
        /// lowercase (exact comparisons: a name found here needs no lowercasing either).
        init?(signedName name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 4:
                if SigV4Bytes.equal(name, "host") {
                    self = .host
                } else if SigV4Bytes.equal(name, "date") {
                    self = .date
                } else {
                    return nil
                }
            case 10:
                guard SigV4Bytes.equal(name, "x-amz-date") else { return nil }
                self = .amzDate
            case 12:
                if SigV4Bytes.equal(name, "content-type") {
                    self = .contentType
                } else if SigV4Bytes.equal(name, "x-amz-target") {
                    self = .target
                } else {
                    return nil
                }
            case 14:
                guard SigV4Bytes.equal(name, "content-length") else { return nil }
                self = .contentLength
            case 20:
                if SigV4Bytes.equal(name, "x-amz-content-sha256") {
                    self = .contentSHA256
                } else if SigV4Bytes.equal(name, "x-amz-security-token") {
                    self = .securityToken
                } else {
                    return nil
                }
            default:
                return nil
            }
        }
    }

    /// The value kept in `slot` (nil: the header was absent), read in place.
    func withValue<R>(_ slot: Slot, _ body: (String?) -> R) -> R {
        switch slot {
        case .contentLength: body(contentLength)
        case .contentType: body(contentType)
        case .date: body(date)
        case .host: body(host)
        case .contentSHA256: body(contentSHA256)
        case .amzDate: body(amzDate)
        case .securityToken: body(securityToken)
        case .target: body(target)
        }
    }

    /// The value kept for a signed header name as sent, nil when `name` is not one kept here
    /// in lowercase (then the caller walks the headers). `.some(nil)`: kept, but absent.
    func value(signedName name: UnsafeBufferPointer<UInt8>) -> String?? {
        guard let slot = Slot(signedName: name) else { return nil }
        return .some(withValue(slot) { $0 })
    }

    private static func equal(_ name: String, _ lowercase: StaticString) -> Bool {
        SigV4Bytes.with(name) { SigV4Bytes.equalIgnoringCase($0, name: lowercase) }
    }
}
