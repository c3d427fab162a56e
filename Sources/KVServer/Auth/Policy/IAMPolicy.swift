/// An IAM identity-based policy document. PLACEHOLDER of the contract between the auth-file
/// loader and the policy evaluator: the evaluator's owner replaces this file.
public struct IAMPolicy: Sendable {
    public var document: JSONValue

    /// Parses and validates a policy document (as it appears in the auth file).
    public static func parse(_ json: JSONValue) throws(IAMPolicyError) -> IAMPolicy {
        guard case .object = json else { throw IAMPolicyError(message: "policy document must be a JSON object") }
        return IAMPolicy(document: json)
    }
}

/// What is wrong with a policy document, for the reload log and `kvctl auth check`.
public struct IAMPolicyError: Error, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
}

/// Evaluates identity policies as IAM does. PLACEHOLDER: denies everything (fails closed)
/// until the evaluator lands.
public struct IAMPolicyAuthorizer: RequestAuthorizer {
    public init() {}

    public func authorize(_ input: AuthorizationInput) throws(WireError) {
        throw WireError(
            type: "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
            message: "User: \(input.identity.arn) is not authorized to perform: dynamodb:\(input.operation)",
            status: 400)
    }
}
