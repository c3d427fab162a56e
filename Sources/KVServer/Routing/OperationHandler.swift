/// What an operation knows about the request beyond its body.
public struct RequestContext: Sendable {
    /// The region of the request's credential scope (`us-east-1` when unsigned); used in ARNs.
    public var region: String
    public var accessKeyID: String?
    /// The `Host` header (`host[:port]`), for answers that name this server (DescribeEndpoints).
    public var host: String?

    public init(region: String = "us-east-1", accessKeyID: String? = nil, host: String? = nil) {
        self.region = region
        self.accessKeyID = accessKeyID
        self.host = host
    }

    /// Reads the region and access key from a SigV4 `Authorization` header:
    /// `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/dynamodb/aws4_request, ...`.
    /// Runs on every request, so it scans bytes rather than Characters.
    public init(authorization: String?) {
        self.init()
        guard var header = authorization else { return }
        header.withUTF8 { bytes in
            let marker = Array("Credential=".utf8)
            guard bytes.count >= marker.count else { return }
            var start = -1
            var index = 0
            while index + marker.count <= bytes.count {
                if bytes[index] == marker[0], Array(bytes[index..<index + marker.count]) == marker {
                    start = index + marker.count
                    break
                }
                index += 1
            }
            guard start >= 0 else { return }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " ") { end += 1 }
            let parts = bytes[start..<end].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            if let key = parts.first, !key.isEmpty { accessKeyID = String(decoding: key, as: UTF8.self) }
            if parts.count >= 3, !parts[2].isEmpty { region = String(decoding: parts[2], as: UTF8.self) }
        }
    }
}

/// One API operation: the parsed request body in, the response body out.
/// Errors are thrown as `KVError` and turned into wire errors in one place.
public typealias OperationHandler = @Sendable (JSONValue, RequestContext) async throws -> JSONValue
