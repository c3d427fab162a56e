public import NIOCore

/// Who signed a request, once its SigV4 signature has been verified against the auth file.
/// Built once per key when the auth file is loaded and shared by every request it signs (a
/// class: handing it on costs one reference count, not one per field).
public final class AuthenticatedIdentity: Sendable {
    /// The identity's ARN as written in the auth file, e.g. `arn:aws:iam::111122223333:user/queue-processor`.
    public let arn: String
    /// The account in `arn` (`aws:PrincipalAccount`; the account of the resources it may name).
    public let accountID: String
    /// `aws:username`: the last path segment of a `user/...` ARN; nil for other principal types.
    public let userName: String?
    /// `aws:userid` (the access key id when the file names no other id).
    public let userID: String
    /// The access key the request was signed with.
    public let accessKeyID: String
    /// The identity's policies, parsed once when the auth file was loaded.
    public let policies: [IAMPolicy]
    /// Allow decisions of these policies, when they depend on action and resource alone.
    let allowCache: IAMAllowCache?

    public init(
        arn: String, accountID: String, userName: String?, userID: String, accessKeyID: String,
        policies: [IAMPolicy]
    ) {
        self.arn = arn
        self.accountID = accountID
        self.userName = userName
        self.userID = userID
        self.accessKeyID = accessKeyID
        self.policies = policies
        allowCache = IAMAllowCache.forPolicies(policies)
    }
}

/// Everything an authorizer may look at, after authentication and before the handler.
public struct AuthorizationInput: Sendable {
    public var identity: AuthenticatedIdentity
    /// The operation part of `X-Amz-Target` (`GetItem`, `DescribeStream`, ...).
    public var operation: String
    /// True for `DynamoDBStreams_20120810.*` targets.
    public var isStreamsAPI: Bool
    /// The parsed body; `.null` when the operation decoded its body straight from bytes
    /// (BatchWriteItem, GetItem, PutItem): then `body` holds the JSON.
    public var request: JSONValue
    public var body: ByteBuffer
    /// `TableName` as the body's decoder read it, when `request` is `.null` (see `DecodedBody`).
    public var decodedTableName: String?
    /// The region of the request's credential scope.
    public var region: String
    /// The peer address (`aws:SourceIp`), without the port.
    public var sourceIP: String?
    /// `aws:SecureTransport`: the request came over TLS.
    public var secureTransport: Bool
    /// `aws:CurrentTime`, seconds since 1970.
    public var currentTime: Double
    /// The IAM service the action belongs to: `dynamodb`, or a REST route's (`lambda`).
    public var service: String
    /// For other services than `dynamodb`: the resource ARN IAM checks (nil: `*`).
    public var resource: String?

    public init(
        identity: AuthenticatedIdentity, operation: String, isStreamsAPI: Bool, request: JSONValue,
        body: ByteBuffer, region: String, sourceIP: String?, secureTransport: Bool, currentTime: Double,
        service: String = "dynamodb", resource: String? = nil, decodedTableName: String? = nil
    ) {
        self.decodedTableName = decodedTableName
        self.service = service
        self.resource = resource
        self.identity = identity
        self.operation = operation
        self.isStreamsAPI = isStreamsAPI
        self.request = request
        self.body = body
        self.region = region
        self.sourceIP = sourceIP
        self.secureTransport = secureTransport
        self.currentTime = currentTime
    }
}

/// Decides whether an authenticated identity may perform a request; throws the wire error
/// (AccessDeniedException with IAM's text) otherwise. Fails closed.
public protocol RequestAuthorizer: Sendable {
    func authorize(_ input: AuthorizationInput) throws(WireError)
    /// Whether a DynamoDB request of these parts was allowed before and `authorize` would
    /// allow it again without evaluating anything (`IAMAllowCache`): then the server skips
    /// building an `AuthorizationInput` (its construction, a copy and two destroys were 600
    /// instructions per request). False whenever in doubt: `authorize` decides.
    func allowsAsBefore(
        identity: AuthenticatedIdentity, operation: String, isStreamsAPI: Bool, request: JSONValue,
        decodedTableName: String?, region: String
    ) -> Bool
    /// The same for a body decoded from its bytes (`request` is `.null`), from `X-Amz-Target`
    /// as received, answering for the operation's remembered allows too (the caller asks no
    /// more): for the allow remembered last, comparing the target costs less than building the
    /// operation's name and the remembered key (700 instructions per request).
    func allowsAsBefore(
        identity: AuthenticatedIdentity, target: String, decodedTableName: String, region: String
    ) -> Bool
}

extension RequestAuthorizer {
    /// Nothing remembered: every request is authorized in full.
    public func allowsAsBefore(
        identity: AuthenticatedIdentity, operation: String, isStreamsAPI: Bool, request: JSONValue,
        decodedTableName: String?, region: String
    ) -> Bool {
        false
    }

    /// The operation's remembered allows, with nothing remembered by target.
    public func allowsAsBefore(
        identity: AuthenticatedIdentity, target: String, decodedTableName: String, region: String
    ) -> Bool {
        allowsAsBefore(
            identity: identity, operation: APIRequestProcessor.operationName(target),
            isStreamsAPI: target.hasPrefix(Router.streamsTargetPrefix), request: .null,
            decodedTableName: decodedTableName, region: region)
    }
}
