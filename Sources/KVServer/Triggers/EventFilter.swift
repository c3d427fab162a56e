/// Lambda's event filtering for stream records: a record is sent when any of the mapping's
/// patterns matches it; the others are acknowledged without a call.
/// See https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
///
/// A pattern is a JSON object mirroring the record: object keys descend into the record, and
/// each leaf is an array of matchers, any of which may match: a literal (string, number, null,
/// boolean), `{"prefix": s}`, `{"suffix": s}`, `{"anything-but": v or [v...]}`,
/// `{"numeric": [op, n, (op, n)]}`, `{"exists": bool}`, `{"equals-ignore-case": s}`.
/// Where the record holds an array, the matcher matches if any element does.
struct EventFilter: Sendable {
    let patterns: [JSONValue]

    /// Parses the mapping's patterns; nil and a message when one is not a valid pattern.
    static func parse(_ texts: [String]) -> Result<EventFilter, FilterError> {
        var patterns: [JSONValue] = []
        for text in texts {
            guard let value = try? JSONParser.parse(text), case .object = value, isValid(value) else {
                return .failure(FilterError(message: "Invalid filter pattern definition."))
            }
            patterns.append(value)
        }
        return .success(EventFilter(patterns: patterns))
    }

    struct FilterError: Error, Sendable {
        var message: String
    }

    func matches(_ record: JSONValue) -> Bool {
        patterns.isEmpty || patterns.contains { Self.match(pattern: $0, value: record) }
    }

    static func isValid(_ pattern: JSONValue) -> Bool {
        switch pattern {
        case .object(let fields): return !fields.isEmpty && fields.values.allSatisfy(isValid)
        case .array(let matchers): return !matchers.isEmpty
        default: return false
        }
    }

    /// `value` is nil when the record has no such key.
    static func match(pattern: JSONValue, value: JSONValue?) -> Bool {
        switch pattern {
        case .object(let fields):
            let object: [String: JSONValue]? = if case .object(let o) = value { o } else { nil }
            return fields.allSatisfy { key, sub in
                if case .array = sub { return leaf(sub, value: object?[key]) }
                return match(pattern: sub, value: object?[key])
            }
        case .array:
            return leaf(pattern, value: value)
        default:
            return false
        }
    }

    static func leaf(_ pattern: JSONValue, value: JSONValue?) -> Bool {
        guard case .array(let matchers) = pattern else { return false }
        return matchers.contains { matcher in
            if case .object(let rule) = matcher, rule.count == 1, let (name, argument) = rule.first,
                ["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case"].contains(name)
            {
                if name == "exists" {
                    let wanted = argument == .bool(true)
                    return (value != nil && value != .null) == wanted
                }
                guard let value else { return false }
                return anyElement(value) { rule1(name, argument, $0) }
            }
            guard let value else { return false }
            return anyElement(value) { equal(matcher, $0) }
        }
    }

    static func anyElement(_ value: JSONValue, _ test: (JSONValue) -> Bool) -> Bool {
        if case .array(let elements) = value { return elements.contains(where: test) }
        return test(value)
    }

    static func equal(_ literal: JSONValue, _ value: JSONValue) -> Bool {
        switch (literal, value) {
        case (.number(let a), .number(let b)): return Double(a) == Double(b)
        default: return literal == value
        }
    }

    static func rule1(_ name: String, _ argument: JSONValue, _ value: JSONValue) -> Bool {
        switch name {
        case "prefix":
            guard case .string(let prefix) = argument, case .string(let text) = value else { return false }
            return text.hasPrefix(prefix)
        case "suffix":
            guard case .string(let suffix) = argument, case .string(let text) = value else { return false }
            return text.hasSuffix(suffix)
        case "equals-ignore-case":
            guard case .string(let wanted) = argument, case .string(let text) = value else { return false }
            return wanted.lowercased() == text.lowercased()
        case "anything-but":
            switch argument {
            case .array(let excluded): return !excluded.contains { equal($0, value) }
            case .object(let inner):
                if case .string(let prefix) = inner["prefix"], case .string(let text) = value { return !text.hasPrefix(prefix) }
                return false
            default: return !equal(argument, value)
            }
        case "numeric":
            guard case .array(let terms) = argument, let number = numeric(value) else { return false }
            var index = 0
            while index + 1 < terms.count {
                guard case .string(let op) = terms[index], let bound = numeric(terms[index + 1]) else { return false }
                let ok: Bool
                switch op {
                case "=": ok = number == bound
                case "<": ok = number < bound
                case "<=": ok = number <= bound
                case ">": ok = number > bound
                case ">=": ok = number >= bound
                default: return false
                }
                if !ok { return false }
                index += 2
            }
            return index == terms.count && index > 0
        default:
            return false
        }
    }

    /// A JSON number, or a DynamoDB `N` string (numbers travel as strings in stream records).
    static func numeric(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let text), .string(let text): return Double(text)
        default: return nil
        }
    }
}
