import NIOHTTP1

/// The request headers `APIRequestProcessor.decide` reads, found in one walk over the head
/// instead of one `HTTPHeaders.first(name:)` walk (and case-insensitive comparison of every
/// name) each. The first occurrence of a name wins, as with `first(name:)`.
struct RequestHeaderFields {
    var contentEncoding: String?
    var contentType: String?
    var target: String?
    var authorization: String?
    var host: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 4:
                if host == nil, Self.named(name, "host") { host = value }
            case 12:
                if target == nil, Self.named(name, "x-amz-target") { target = value }
                else if contentType == nil, Self.named(name, "content-type") { contentType = value }
            case 13:
                if authorization == nil, Self.named(name, "authorization") { authorization = value }
            case 16:
                if contentEncoding == nil, Self.named(name, "content-encoding") { contentEncoding = value }
            default:
                break
            }
        }
    }

    /// The same fields from the walk signature verification made (`SigV4RequestHeaders` keeps
    /// the first of each too): a verified request's headers are walked once.
    init(_ scanned: borrowing SigV4RequestHeaders) {
        contentEncoding = scanned.contentEncoding
        contentType = scanned.contentType
        target = scanned.target
        authorization = scanned.authorization
        host = scanned.host
    }

    /// Walks `headers` for verification into `scanned` (the verifier's, in place), and takes the
    /// fields from it. Not inlined: inlined into `APIRequestProcessor.decide`, the fields were
    /// built, copied and the first built destroyed (five retains and five releases more).
    @inline(never)
    init(verifying headers: HTTPHeaders, into scanned: inout SigV4RequestHeaders) {
        scanned.read(headers)
        self.init(scanned)
    }

    /// Whether `name` is `lowercase` in any case, compared eight bytes at a time
    /// (`SigV4Bytes.equalIgnoringCase`, the comparison verification's walk of the headers
    /// makes): a generic `elementsEqual` over the name's UTF-8 view cost about 350
    /// instructions a header, 2,100 per GetItem (Scripts/bench/callgrind_auth.py).
    private static func named(_ name: String, _ lowercase: StaticString) -> Bool {
        SigV4Bytes.with(name) { SigV4Bytes.equalIgnoringCase($0, name: lowercase) }
    }
}
