import NIOHTTP1

/// The headers signature verification reads, found in one pass over the request's headers
/// (each `HTTPHeaders.first(name:)` is a pass of its own). The first of repeated headers wins,
/// as with `first(name:)`.
struct SigV4RequestHeaders {
    var authorization: String?
    var amzDate: String?
    var date: String?
    var contentSHA256: String?
    var securityToken: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 4:
                if date == nil, Self.equal(name, "date") { date = value }
            case 10:
                if amzDate == nil, Self.equal(name, "x-amz-date") { amzDate = value }
            case 13:
                if authorization == nil, Self.equal(name, "authorization") { authorization = value }
            case 20:
                if contentSHA256 == nil, Self.equal(name, "x-amz-content-sha256") {
                    contentSHA256 = value
                } else if securityToken == nil, Self.equal(name, "x-amz-security-token") {
                    securityToken = value
                }
            default:
                continue
            }
        }
    }

    private static func equal(_ name: String, _ lowercase: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return SigV4Bytes.with(name) { SigV4Bytes.equalIgnoringCase($0, wanted) }
    }
}
