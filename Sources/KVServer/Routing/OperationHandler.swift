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
    public init(authorization: String?) {
        self.init()
        guard let authorization else { return }
        let marker = "Credential="
        guard let start = authorization.indexAfter(marker) else { return }
        let credential = authorization[start...].prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        if let key = parts.first, !key.isEmpty { accessKeyID = String(key) }
        if parts.count >= 3, !parts[2].isEmpty { region = String(parts[2]) }
    }
}

/// One API operation: the parsed request body in, the response body out.
/// Errors are thrown as `KVError` and turned into wire errors in one place.
public typealias OperationHandler = @Sendable (JSONValue, RequestContext) async throws -> JSONValue

extension String {
    /// The index just past the first occurrence of `marker`.
    fileprivate func indexAfter(_ marker: String) -> String.Index? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(marker) {
                return self.index(index, offsetBy: marker.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
