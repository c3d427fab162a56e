public import NIOHTTP1

/// A request to a REST path (Lambda's control plane under `/2015-03-31/`), as opposed to the
/// DynamoDB protocol's `POST /` with `X-Amz-Target`.
public struct RESTRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query, percent-decoding left to the handler.
    public var path: String
    /// Query parameters, percent-decoded (`+` is not a space, as in AWS's REST protocols).
    public var query: [String: String]
    public var body: [UInt8]
    public var context: RequestContext
}

/// Answers REST requests under one path prefix.
public typealias RESTHandler = @Sendable (RESTRequest) async -> APIResponse

/// A REST route: every request whose path starts with `prefix` goes to `handler`.
public struct RESTRoute: Sendable {
    public var prefix: String
    public var handler: RESTHandler
    /// The operation a request names (method and path), for authorization: an IAM policy
    /// must allow it when signatures are verified.
    public var operation: @Sendable (HTTPMethod, String) -> String
    /// Answer requests without an `Authorization` header when signatures are not verified
    /// (`AcceptAnyCredentialsAuthenticator`): `GET /metrics` for scrapers, which do not sign.
    /// With a verifying authenticator the route is authenticated and authorized as any other.
    public var unsignedWhenUnverified = false

    public init(
        prefix: String, operation: @escaping @Sendable (HTTPMethod, String) -> String, handler: @escaping RESTHandler
    ) {
        self.prefix = prefix
        self.operation = operation
        self.handler = handler
    }

    /// Splits `/path?a=1&b=2` into the path and its decoded parameters.
    static func split(_ uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ percentDecoded(String($0)) }) else { continue }
            query[name] = parts.count > 1 ? percentDecoded(String(parts[1])) ?? "" : ""
        }
        return (String(uri[..<mark]), query)
    }

    /// `%XX` escapes decoded; nil when an escape is malformed or the result is not UTF-8.
    public static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
