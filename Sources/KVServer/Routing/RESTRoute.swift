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

/// What IAM checks for one REST request: `SERVICE:ACTION` on a resource.
public struct RESTAuthorization: Sendable, Equatable {
    /// The action name without the service prefix (`CreateEventSourceMapping`).
    public var action: String
    /// The resource part of the ARN (`event-source-mapping:UUID`), completed with the route's
    /// service, the request's region and the caller's account; nil for actions IAM checks on `*`.
    public var resource: String?

    public init(action: String, resource: String? = nil) {
        self.action = action
        self.resource = resource
    }
}

/// A REST route: every request whose path starts with `prefix` goes to `handler`.
public struct RESTRoute: Sendable {
    public var prefix: String
    public var handler: RESTHandler
    /// The service its requests are signed for and its actions are named in (`lambda` for
    /// Lambda's control plane: boto3's `lambda` client signs with it, and IAM policies name
    /// `lambda:CreateEventSourceMapping`); `dynamodb` for the server's own paths.
    public var service: String
    /// What a request (method and path) needs from IAM when signatures are verified.
    public var authorization: @Sendable (HTTPMethod, String) -> RESTAuthorization
    /// Answer requests without an `Authorization` header when signatures are not verified
    /// (`AcceptAnyCredentialsAuthenticator`): `GET /metrics` for scrapers, which do not sign.
    /// With a verifying authenticator the route is authenticated and authorized as any other.
    public var unsignedWhenUnverified = false

    public init(
        prefix: String, service: String,
        authorization: @escaping @Sendable (HTTPMethod, String) -> RESTAuthorization,
        handler: @escaping RESTHandler
    ) {
        self.prefix = prefix
        self.service = service
        self.authorization = authorization
        self.handler = handler
    }

    /// A route of the server's own (signed as `dynamodb`), whose operations IAM checks as
    /// `dynamodb:<operation>` on `*`.
    public init(
        prefix: String, operation: @escaping @Sendable (HTTPMethod, String) -> String, handler: @escaping RESTHandler
    ) {
        self.init(
            prefix: prefix, service: "dynamodb", authorization: { RESTAuthorization(action: operation($0, $1)) },
            handler: handler)
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
