/// IAM's evaluation logic for identity-based policies (no resource policies, boundaries or
/// SCPs here): an applicable `Deny` wins; otherwise an applicable `Allow` allows; otherwise
/// the request is implicitly denied. Pure: the same policies and request give the same decision.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
public enum IAMPolicyEvaluator {
    public static func evaluate(policies: [IAMPolicy], request: IAMRequest) -> IAMDecision {
        var firstAllow: IAMStatementReference?
        for (policyIndex, policy) in policies.enumerated() {
            for (statementIndex, statement) in policy.statements.enumerated() where statement.applies(to: request) {
                let reference = IAMStatementReference(
                    policyIndex: policyIndex, statementIndex: statementIndex, sid: statement.sid)
                switch statement.effect {
                case .deny: return IAMDecision(outcome: .explicitDeny, statement: reference)
                case .allow: if firstAllow == nil { firstAllow = reference }
                }
            }
        }
        if let firstAllow { return IAMDecision(outcome: .allowed, statement: firstAllow) }
        return IAMDecision(outcome: .implicitDeny, statement: nil)
    }

    /// The decision for a request that needs several authorizations (a batch over several
    /// tables, a transaction): the first one that is not allowed, or the last allowed one.
    public static func evaluate(
        policies: [IAMPolicy], requests: [IAMRequest]
    ) -> (decision: IAMDecision, request: IAMRequest?) {
        var last: (decision: IAMDecision, request: IAMRequest?) = (IAMDecision(outcome: .implicitDeny, statement: nil), nil)
        for request in requests {
            let decision = evaluate(policies: policies, request: request)
            if !decision.isAllowed { return (decision, request) }
            last = (decision, request)
        }
        return last
    }
}
