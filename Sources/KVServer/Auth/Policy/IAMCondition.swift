/// One condition key under one operator, e.g. `"StringEquals": {"aws:username": ["a", "b"]}`.
///
/// IAM's rules: the values listed for one key are ORed; the keys under an operator and the
/// operators of a statement are ANDed (each is its own `IAMCondition`, all must hold).
/// With a multivalued key, `ForAllValues:` requires every request value to match (true when the
/// key is absent or empty), `ForAnyValue:` at least one (false when absent). `...IfExists` is
/// true when the key is absent. A `Not` operator is true when no value matches, and when the
/// key is absent. `Null: true` holds when the key is absent.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
/// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
struct IAMCondition: Sendable {
    let conditionOperator: IAMConditionOperator
    /// The condition key as written (compared case-insensitively).
    let key: String
    let values: [PolicyTemplate]

    func holds(in context: IAMContext) -> Bool {
        let base = conditionOperator.base
        let requestValues = context[key]
        if base == .null {
            let absent = requestValues?.isEmpty ?? true
            return values.contains { $0.resolve(in: context)?.lowercased() == (absent ? "true" : "false") }
        }
        guard let requestValues, !requestValues.isEmpty else {
            if conditionOperator.ifExists { return true }
            switch conditionOperator.qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case nil: return base.isNegated
            }
        }
        // Resolve the policy values once, not once per request value (a request may name tens of
        // thousands of attributes).
        let matches = Self.matcher(base, values, context: context)
        func passes(_ value: String) -> Bool { matches(value) != base.isNegated }
        switch conditionOperator.qualifier {
        case .forAllValues: return requestValues.allSatisfy(passes)
        case .forAnyValue: return requestValues.contains(where: passes)
        case nil: return base.isNegated ? requestValues.allSatisfy(passes) : requestValues.contains(where: passes)
        }
    }

    /// Whether a request value matches any of the policy values, positively (see `compare`);
    /// exact string comparisons go through a set.
    static func matcher(
        _ base: IAMConditionOperator.Base, _ values: [PolicyTemplate], context: IAMContext
    ) -> (String) -> Bool {
        switch base {
        case .stringEquals, .stringNotEquals, .binaryEquals, .arnEquals, .arnNotEquals:
            let exact = Set(values.compactMap { $0.resolve(in: context) })
            return { exact.contains($0) }
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .bool:
            let folded = Set(values.compactMap { $0.resolve(in: context)?.lowercased() })
            return { folded.contains($0.lowercased()) }
        case .stringLike, .stringNotLike:
            let patterns = values.compactMap { $0.pattern(in: context) }
            return { value in patterns.contains { $0.matches(value) } }
        case .arnLike, .arnNotLike:
            let patterns = values.compactMap { $0.pattern(in: context) }.map(ARNPattern.init)
            return { value in patterns.contains { $0.matches(value) } }
        case .ipAddress, .notIpAddress:
            let ranges = values.compactMap { $0.resolve(in: context).flatMap(IPAddressRange.init) }
            return { value in ranges.contains { $0.contains(value) } }
        default:
            let resolved = values.compactMap { $0.resolve(in: context) }
            return { value in resolved.contains { compare(base, request: value, policy: $0) } }
        }
    }

    /// The positive comparison of one request value with one resolved policy value
    /// (`NumericNotEquals` compares as `NumericEquals`; `holds` negates). A request value of the
    /// wrong type matches nothing. Patterns (`StringLike`, `ArnLike`) are `matcher`'s.
    static func compare(_ base: IAMConditionOperator.Base, request: String, policy value: String) -> Bool {
        switch base {
        case .stringEquals, .stringNotEquals, .binaryEquals, .arnEquals, .arnNotEquals:
            return request == value
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            return request.lowercased() == value.lowercased()
        case .bool:
            return request.lowercased() == value.lowercased()
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan,
            .numericGreaterThanEquals:
            guard let left = IAMValueParsing.number(request), let right = IAMValueParsing.number(value) else {
                return false
            }
            return order(base, left, right)
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan,
            .dateGreaterThanEquals:
            guard let left = IAMValueParsing.date(request), let right = IAMValueParsing.date(value) else {
                return false
            }
            return order(base, left, right)
        case .ipAddress, .notIpAddress:
            return IPAddressRange(value)?.contains(request) ?? false
        case .stringLike, .stringNotLike, .arnLike, .arnNotLike, .null:
            return false
        }
    }

    private static func order(_ base: IAMConditionOperator.Base, _ left: Double, _ right: Double) -> Bool {
        switch base {
        case .numericLessThan, .dateLessThan: left < right
        case .numericLessThanEquals, .dateLessThanEquals: left <= right
        case .numericGreaterThan, .dateGreaterThan: left > right
        case .numericGreaterThanEquals, .dateGreaterThanEquals: left >= right
        default: left == right
        }
    }
}
