/// The outcome of evaluating identity policies for one `IAMRequest`, with the statement that
/// decided it, as the IAM policy simulator reports it.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
public struct IAMDecision: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: String, Sendable {
        /// An `Allow` statement applies and no `Deny` does.
        case allowed
        /// A `Deny` statement applies (it wins over every `Allow`).
        case explicitDeny
        /// No statement applies: denied by default.
        case implicitDeny
    }

    public var outcome: Outcome
    /// The deciding statement: the first applicable `Deny` for `explicitDeny`, the first
    /// applicable `Allow` for `allowed`; nil for `implicitDeny`.
    public var statement: IAMStatementReference?

    public init(outcome: Outcome, statement: IAMStatementReference?) {
        self.outcome = outcome
        self.statement = statement
    }

    public var isAllowed: Bool { outcome == .allowed }

    /// `allowed by policy 0, statement 1 (Sid "ReadOrders")`, `implicitDeny (no statement applies)`.
    public var description: String {
        guard let statement else { return "\(outcome.rawValue) (no statement applies)" }
        return "\(outcome.rawValue) by \(statement)"
    }
}

/// Where a statement sits in an identity's policies.
public struct IAMStatementReference: Sendable, Equatable, CustomStringConvertible {
    /// Index into the identity's `policies`.
    public var policyIndex: Int
    /// Index into that policy's `Statement` array (0 for a single statement object).
    public var statementIndex: Int
    public var sid: String?

    public init(policyIndex: Int, statementIndex: Int, sid: String?) {
        self.policyIndex = policyIndex
        self.statementIndex = statementIndex
        self.sid = sid
    }

    public var description: String {
        "policy \(policyIndex), statement \(statementIndex)" + (sid.map { " (Sid \"\($0)\")" } ?? "")
    }
}
