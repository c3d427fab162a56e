/// An IAM identity-based policy document, parsed and validated once when the auth file is
/// loaded (`IAMPolicy.parse`), then evaluated per request by `IAMPolicyEvaluator`.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
public struct IAMPolicy: Sendable {
    public enum Version: String, Sendable {
        /// The current language: policy variables are substituted.
        case current = "2012-10-17"
        /// The old language (also what a document without `Version` gets): `${...}` is plain text.
        case legacy = "2008-10-17"
    }

    public var version: Version
    public var id: String?
    public var statements: [IAMStatement]
    /// The document as written, for printing it back (`kvctl auth simulate`).
    public var document: JSONValue

    /// The statement at `index` as written in the document (what `kvctl auth simulate` prints
    /// beside the decision); nil when there is none.
    public func statementDocument(at index: Int) -> JSONValue? {
        guard case .object(let fields) = document else { return nil }
        switch fields["Statement"] {
        case .object?: return index == 0 ? fields["Statement"] : nil
        case .array(let list)?: return list.indices.contains(index) ? list[index] : nil
        default: return nil
        }
    }

    /// Whether any statement reads the request context (a condition, or a policy variable in a
    /// `Resource`): only then does authorization build it (`aws:CurrentTime`, `aws:SourceIp`, ...).
    public var usesRequestContext: Bool {
        statements.contains { statement in
            !statement.conditions.isEmpty || statement.resources.contains { !$0.isConstant }
        }
    }

    /// Whether a condition or policy variable names a `dynamodb:` key (LeadingKeys, Attributes,
    /// Select, ...): only then does authorization read those keys out of the request.
    public var mentionsDynamoDBKeys: Bool {
        statements.contains { statement in
            statement.conditions.contains { condition in
                condition.key.lowercased().hasPrefix("dynamodb:")
                    || condition.values.contains { $0.mentionsVariable(prefix: "dynamodb:") }
            } || statement.resources.contains { $0.mentionsVariable(prefix: "dynamodb:") }
        }
    }
}
