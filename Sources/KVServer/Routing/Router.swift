/// Maps `X-Amz-Target` values to operation handlers.
///
/// DynamoDB answers on one endpoint for two services: `DynamoDB_20120810.<Operation>` and
/// `DynamoDBStreams_20120810.<Operation>` (the Streams API). A router holds handlers by full
/// target; `init(operations:)` also accepts bare operation names and files them under the
/// right prefix.
public struct Router: Sendable {
    public static let dynamoDBTargetPrefix = "DynamoDB_20120810."
    public static let streamsTargetPrefix = "DynamoDBStreams_20120810."

    /// The operations of the DynamoDB Streams API.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
    public static let streamsOperationNames: Set<String> = [
        "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams",
    ]

    /// What the front end may call for one target; found with one lookup per request.
    public struct Route: Sendable {
        public var handler: OperationHandler?
        /// Answers on the event loop where it can (see `InlineOperationHandler`).
        public var inlineHandler: InlineOperationHandler?
        /// Reads bodies straight from their bytes (see `BodyDecoder`).
        public var bodyDecoder: BodyDecoder?
    }

    private var routes: [String: Route] = [:]
    /// REST paths served beside `POST /` (Lambda's control plane); empty for most servers.
    public var restRoutes: [RESTRoute] = []
    /// The web console under `/console` (`GET`/`HEAD`, unauthenticated static pages); nil serves none.
    public var console: ConsoleSite?

    public init() {}

    /// A router for a table whose keys are either full targets (containing a `.`) or bare
    /// operation names. Bare Streams operation names (`streamsOperationNames`) go under
    /// `DynamoDBStreams_20120810.`, every other bare name under `DynamoDB_20120810.`.
    public init(operations: [String: OperationHandler], inlineOperations: [String: InlineOperationHandler] = [:]) {
        for (key, handler) in operations {
            register(handler, forTarget: Self.target(key))
        }
        for (key, handler) in inlineOperations {
            routes[Self.target(key), default: Route()].inlineHandler = handler
        }
    }

    /// A full target stays as it is; a bare operation name gets its service's prefix.
    private static func target(_ key: String) -> String {
        if key.contains(".") { return key }
        return (streamsOperationNames.contains(key) ? streamsTargetPrefix : dynamoDBTargetPrefix) + key
    }

    public mutating func register(_ handler: @escaping OperationHandler, forTarget target: String) {
        routes[target, default: Route()].handler = handler
    }

    /// Registers each `operation` of `operations` as `prefix + operation`.
    public mutating func register(_ operations: [String: OperationHandler], prefix: String) {
        for (operation, handler) in operations {
            register(handler, forTarget: prefix + operation)
        }
    }

    /// Registers a decoder that reads the bodies of `target` straight from their bytes (see
    /// `BodyDecoder`); the operation keeps its handler for every body the decoder declines.
    public mutating func register(bodyDecoder: @escaping BodyDecoder, forTarget target: String) {
        routes[target, default: Route()].bodyDecoder = bodyDecoder
    }

    /// Replaces the handler of `target` by `transform(handler)` and drops its inline handler and
    /// body decoder, so every request of it goes through the new handler (throughput limits).
    public mutating func wrap(target: String, _ transform: (@escaping OperationHandler) -> OperationHandler) {
        guard let handler = routes[target]?.handler else { return }
        routes[target] = Route(handler: transform(handler))
    }

    /// Everything registered for an exact `X-Amz-Target` value (case-sensitive, as DynamoDB is).
    public func route(forTarget target: String) -> Route? {
        routes[target]
    }

    /// The handler for an exact `X-Amz-Target` value.
    public func handler(forTarget target: String) -> OperationHandler? {
        routes[target]?.handler
    }

    /// All registered targets, sorted.
    public var targets: [String] { routes.filter { $0.value.handler != nil }.keys.sorted() }
}
