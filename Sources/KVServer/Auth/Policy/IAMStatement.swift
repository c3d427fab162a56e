/// One statement of an identity-based policy, validated and ready to evaluate.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
public struct IAMStatement: Sendable {
    public enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    public var sid: String?
    public var effect: Effect
    /// `Action` patterns, or `NotAction` ones when `actionsNegated`.
    var actions: [WildcardPattern]
    var actionsNegated: Bool
    /// `Resource` entries, or `NotResource` ones when `resourcesNegated`.
    var resources: [PolicyTemplate]
    var resourcesNegated: Bool
    /// Every condition must hold (IAM ANDs operators and the keys under one operator).
    var conditions: [IAMCondition]

    /// Whether `Action`/`NotAction` covers `action` (`dynamodb:GetItem`; case-insensitive).
    func matches(action: String) -> Bool {
        actions.contains { $0.matches(action) } != actionsNegated
    }

    /// Whether `Resource`/`NotResource` covers `resource`. An entry whose policy variable has no
    /// value matches nothing (so it neither grants under `Resource` nor exempts under `NotResource`).
    func matches(resource: String, context: IAMContext) -> Bool {
        let matched = resources.contains { entry in
            if let constant = entry.constantARN { return constant.matches(resource) }
            guard let pattern = entry.pattern(in: context) else { return false }
            return ARNPattern(pattern).matches(resource)
        }
        return matched != resourcesNegated
    }

    func conditionsHold(in context: IAMContext) -> Bool {
        conditions.allSatisfy { $0.holds(in: context) }
    }

    /// Whether the statement applies to the request at all.
    func applies(to request: IAMRequest) -> Bool {
        matches(action: request.action) && matches(resource: request.resource, context: request.context)
            && conditionsHold(in: request.context)
    }
}
