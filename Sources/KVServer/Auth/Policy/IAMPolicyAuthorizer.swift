import KVStore

/// The server's `RequestAuthorizer` when an auth file is in force: maps the request to what
/// IAM checks (`DynamoDBAuthorizationMapping`), evaluates the identity's policies
/// (`IAMPolicyEvaluator`) and answers a denial as DynamoDB does: `AccessDeniedException`
/// (HTTP 400) with IAM's text naming the first action and resource that were not allowed.
/// Fails closed: a request that needs no check it can name is checked as `dynamodb:<Operation>` on `*`.
public struct IAMPolicyAuthorizer: RequestAuthorizer {
    public let catalog: IAMResourceCatalog

    /// - Parameter catalog: table key schemas and shard-iterator streams; the server passes
    ///   `.engine(engine)`. With `.none` some checks are stricter (see `IAMResourceCatalog`).
    public init(catalog: IAMResourceCatalog = .none) {
        self.catalog = catalog
    }

    public func authorize(_ input: AuthorizationInput) throws(WireError) {
        guard let cache = input.identity.allowCache, let key = IAMAllowCache.key(for: input) else {
            return try evaluate(input)
        }
        if cache.contains(key) { return }
        try evaluate(input)
        cache.insert(key)
    }

    /// The first step of `authorize` for a DynamoDB request (service `dynamodb`), from its parts:
    /// a remembered allow of the same key.
    public func allowsAsBefore(
        identity: AuthenticatedIdentity, operation: String, isStreamsAPI: Bool, request: JSONValue,
        decodedTableName: String?, region: String
    ) -> Bool {
        guard let cache = identity.allowCache,
            let key = IAMAllowCache.key(
                service: "dynamodb", operation: operation, isStreamsAPI: isStreamsAPI, request: request,
                decodedTableName: decodedTableName, region: region)
        else { return false }
        return cache.contains(key)
    }

    /// The first step of `authorize` for a body decoded from its bytes: the allow remembered
    /// for the same target, region and table, else a remembered allow of the same key (then
    /// remembered for its target).
    public func allowsAsBefore(
        identity: AuthenticatedIdentity, target: String, decodedTableName: String, region: String
    ) -> Bool {
        guard let cache = identity.allowCache else { return false }
        if cache.containsDecoded(target: target, region: region, table: decodedTableName) { return true }
        guard
            allowsAsBefore(
                identity: identity, operation: APIRequestProcessor.operationName(target),
                isStreamsAPI: target.hasPrefix(Router.streamsTargetPrefix), request: .null,
                decodedTableName: decodedTableName, region: region)
        else { return false }
        cache.rememberDecoded(target: target, region: region, table: decodedTableName)
        return true
    }

    private func evaluate(_ input: AuthorizationInput) throws(WireError) {
        let policies = input.identity.policies
        let requests: [IAMRequest]
        if input.service == "dynamodb" {
            requests = DynamoDBAuthorizationMapping.requests(
                for: input, catalog: catalog, dynamoDBKeys: policies.contains { $0.mentionsDynamoDBKeys },
                requestContext: policies.contains { $0.usesRequestContext })
        } else {
            // Another service's action on the resource its route names (Lambda's event source
            // mappings), with the global condition keys only.
            requests = [
                IAMRequest(
                    action: input.service + ":" + input.operation, resource: input.resource ?? "*",
                    context: DynamoDBAuthorizationMapping.globalContext(for: input))
            ]
        }
        let checked = requests.isEmpty ? [IAMRequest(action: "dynamodb:" + input.operation, resource: "*")] : requests
        let (decision, request) = IAMPolicyEvaluator.evaluate(policies: policies, requests: checked)
        guard !decision.isAllowed else { return }
        let denied = request ?? checked[0]
        throw WireError(KVError(.accessDenied, Self.message(arn: input.identity.arn, request: denied, decision: decision)))
    }

    /// IAM's denial texts:
    /// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no
    /// identity-based policy allows the ACTION action" (implicit deny) and
    /// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE with an explicit deny
    /// in an identity-based policy".
    /// See https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    public static func message(arn: String, request: IAMRequest, decision: IAMDecision) -> String {
        let head = "User: \(arn) is not authorized to perform: \(request.action) on resource: \(request.resource)"
        if decision.outcome == .explicitDeny { return head + " with an explicit deny in an identity-based policy" }
        return head + " because no identity-based policy allows the \(request.action) action"
    }
}
