/// Reads a policy document into an `IAMPolicy`, rejecting what IAM would reject (unknown
/// elements, a missing `Effect`, both `Action` and `NotAction`, an unknown condition operator,
/// a `Numeric*` value that is no number, ...). Every message names where the problem is.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
extension IAMPolicy {
    /// Parses and validates a policy document (as it appears in the auth file).
    public static func parse(_ json: JSONValue) throws(IAMPolicyError) -> IAMPolicy {
        guard case .object(let fields) = json else {
            throw IAMPolicyError(message: "policy document must be a JSON object")
        }
        for key in fields.keys.sorted() where !["Version", "Id", "Statement"].contains(key) {
            throw IAMPolicyError(message: "unknown policy element '\(key)' (expected Version, Id, Statement)")
        }
        var version = Version.legacy
        if let value = fields["Version"] {
            guard case .string(let text) = value, let parsed = Version(rawValue: text) else {
                throw IAMPolicyError(at: ["Version"], "must be \"2012-10-17\" or \"2008-10-17\"")
            }
            version = parsed
        }
        var id: String?
        if let value = fields["Id"] {
            guard case .string(let text) = value else { throw IAMPolicyError(at: ["Id"], "must be a string") }
            id = text
        }
        let statementValues: [JSONValue]
        switch fields["Statement"] {
        case .object?: statementValues = [fields["Statement"] ?? .null]
        case .array(let list)? where !list.isEmpty: statementValues = list
        case nil: throw IAMPolicyError(message: "policy document has no Statement")
        default: throw IAMPolicyError(at: ["Statement"], "must be an object or a non-empty array of objects")
        }
        var statements: [IAMStatement] = []
        for (index, value) in statementValues.enumerated() {
            do {
                statements.append(try IAMStatementParser.parse(value, variables: version == .current))
            } catch {
                throw error.inside("Statement[\(index)]")
            }
        }
        return IAMPolicy(version: version, id: id, statements: statements, document: json)
    }
}

/// One statement of a policy document.
enum IAMStatementParser {
    static let knownElements: Set<String> = [
        "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition",
    ]

    static func parse(_ json: JSONValue, variables: Bool) throws(IAMPolicyError) -> IAMStatement {
        guard case .object(let fields) = json else { throw IAMPolicyError(message: "statement must be a JSON object") }
        for key in fields.keys.sorted() where !knownElements.contains(key) {
            if key == "Principal" || key == "NotPrincipal" {
                throw IAMPolicyError(at: [key], "an identity-based policy cannot name a principal")
            }
            throw IAMPolicyError(message: "unknown statement element '\(key)'")
        }
        var sid: String?
        if let value = fields["Sid"] {
            guard case .string(let text) = value else { throw IAMPolicyError(at: ["Sid"], "must be a string") }
            sid = text
        }
        guard case .string(let effectText)? = fields["Effect"] else {
            throw IAMPolicyError(at: ["Effect"], "required, and must be \"Allow\" or \"Deny\"")
        }
        guard let effect = IAMStatement.Effect(rawValue: effectText) else {
            throw IAMPolicyError(at: ["Effect"], "must be \"Allow\" or \"Deny\", not '\(effectText)'")
        }
        let (actionNames, actionsNegated) = try exactlyOne("Action", "NotAction", in: fields)
        var actions: [WildcardPattern] = []
        for name in actionNames {
            guard name == "*" || isActionName(name) else {
                throw IAMPolicyError(at: [actionsNegated ? "NotAction" : "Action"], "'\(name)' is not of the form service:Action")
            }
            actions.append(WildcardPattern(name, caseInsensitive: true))
        }
        let (resourceNames, resourcesNegated) = try exactlyOne("Resource", "NotResource", in: fields)
        var resources: [PolicyTemplate] = []
        let resourceElement = resourcesNegated ? "NotResource" : "Resource"
        for name in resourceNames {
            guard name == "*" || (name.hasPrefix("arn:") && name.split(separator: ":", omittingEmptySubsequences: false).count >= 6) else {
                throw IAMPolicyError(at: [resourceElement], "'\(name)' is not an ARN (arn:partition:service:region:account:resource) or *")
            }
            do {
                resources.append(try PolicyTemplate.parse(name, variables: variables))
            } catch {
                throw error.inside(resourceElement)
            }
        }
        var conditions: [IAMCondition] = []
        if let value = fields["Condition"] {
            do {
                conditions = try IAMConditionParser.parse(value, variables: variables)
            } catch {
                throw error.inside("Condition")
            }
        }
        return IAMStatement(
            sid: sid, effect: effect, actions: actions, actionsNegated: actionsNegated, resources: resources,
            resourcesNegated: resourcesNegated, conditions: conditions)
    }

    /// `service:Action` with wildcards allowed in the action part.
    private static func isActionName(_ name: String) -> Bool {
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return parts[0].allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            && parts[1].allSatisfy { $0.isLetter || $0.isNumber || $0 == "*" || $0 == "?" || $0 == "-" || $0 == "_" }
    }

    /// The strings of `positive` or of `negative`; exactly one must be present.
    private static func exactlyOne(
        _ positive: String, _ negative: String, in fields: [String: JSONValue]
    ) throws(IAMPolicyError) -> ([String], Bool) {
        switch (fields[positive], fields[negative]) {
        case (let value?, nil): return (try strings(value, element: positive), false)
        case (nil, let value?): return (try strings(value, element: negative), true)
        case (.some, .some): throw IAMPolicyError(message: "a statement has either \(positive) or \(negative), not both")
        case (nil, nil): throw IAMPolicyError(message: "a statement needs \(positive) or \(negative)")
        }
    }

    /// A string or a non-empty array of strings.
    static func strings(_ value: JSONValue, element: String) throws(IAMPolicyError) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let list) where !list.isEmpty:
            var texts: [String] = []
            for item in list {
                guard case .string(let text) = item else {
                    throw IAMPolicyError(at: [element], "must be a string or an array of strings")
                }
                texts.append(text)
            }
            return texts
        default:
            throw IAMPolicyError(at: [element], "must be a string or a non-empty array of strings")
        }
    }
}

/// The `Condition` block: `{operator: {key: value or [values]}}`.
enum IAMConditionParser {
    static func parse(_ json: JSONValue, variables: Bool) throws(IAMPolicyError) -> [IAMCondition] {
        guard case .object(let operators) = json, !operators.isEmpty else {
            throw IAMPolicyError(message: "must be an object of condition operators")
        }
        var conditions: [IAMCondition] = []
        for operatorName in operators.keys.sorted() {
            guard let conditionOperator = IAMConditionOperator(operatorName) else {
                throw IAMPolicyError(message: "unknown condition operator '\(operatorName)'")
            }
            guard case .object(let keys)? = operators[operatorName], !keys.isEmpty else {
                throw IAMPolicyError(at: [operatorName], "must be an object of condition keys and values")
            }
            for key in keys.keys.sorted() {
                let location = [operatorName, key]
                let keyParts = key.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                guard keyParts.count == 2, !keyParts[0].isEmpty, !keyParts[1].isEmpty else {
                    throw IAMPolicyError(at: [operatorName], "'\(key)' is not a condition key of the form prefix:name")
                }
                let texts = try values(keys[key] ?? .null, at: location)
                var templates: [PolicyTemplate] = []
                for text in texts {
                    let template: PolicyTemplate
                    do {
                        template = try PolicyTemplate.parse(text, variables: variables)
                    } catch {
                        throw IAMPolicyError(at: location, error.message)
                    }
                    if template.isConstant {
                        try check(text, for: conditionOperator.base, at: location)
                    }
                    templates.append(template)
                }
                conditions.append(IAMCondition(conditionOperator: conditionOperator, key: key, values: templates))
            }
        }
        return conditions
    }

    /// Condition values: a string, number or boolean, or a non-empty array of them.
    private static func values(_ value: JSONValue, at location: [String]) throws(IAMPolicyError) -> [String] {
        func scalar(_ value: JSONValue) -> String? {
            switch value {
            case .string(let text): text
            case .number(let text): text
            case .bool(let flag): flag ? "true" : "false"
            default: nil
            }
        }
        if let single = scalar(value) { return [single] }
        if case .array(let list) = value, !list.isEmpty {
            var texts: [String] = []
            for item in list {
                guard let text = scalar(item) else {
                    throw IAMPolicyError(at: location, "condition values must be strings, numbers or booleans")
                }
                texts.append(text)
            }
            return texts
        }
        throw IAMPolicyError(at: location, "expected a value or a non-empty array of values")
    }

    /// Values the operator could never compare are a typo IAM rejects: say so at load time.
    private static func check(_ text: String, for base: IAMConditionOperator.Base, at location: [String]) throws(IAMPolicyError) {
        switch base.family {
        case .numeric where IAMValueParsing.number(text) == nil:
            throw IAMPolicyError(at: location, "'\(text)' is not a number")
        case .date where IAMValueParsing.date(text) == nil:
            throw IAMPolicyError(at: location, "'\(text)' is not a date (ISO 8601 or epoch seconds)")
        case .ip where IPAddressRange(text) == nil:
            throw IAMPolicyError(at: location, "'\(text)' is not an IP address or CIDR block")
        case .bool, .null:
            guard text.lowercased() == "true" || text.lowercased() == "false" else {
                throw IAMPolicyError(at: location, "'\(text)' is not true or false")
            }
        default:
            break
        }
    }
}
