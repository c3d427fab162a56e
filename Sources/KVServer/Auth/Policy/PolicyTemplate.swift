/// A string from a policy that may hold policy variables: `${aws:username}`,
/// `${aws:username, 'default'}`, and the escapes `${*}`, `${?}`, `${$}` for the literal characters.
///
/// Variables are only recognised in documents with `"Version": "2012-10-17"`; in older ones the
/// text is taken as written. A variable whose key the request lacks (and that has no default)
/// leaves the string unresolved: a `Resource` entry then matches nothing, a condition value
/// compares unequal to everything.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
struct PolicyTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        /// Inserted literally (`${*}` and friends, and variable values).
        case literal(String)
        case variable(key: String, defaultValue: String?)
    }

    let parts: [Part]
    let raw: String
    /// The ARN pattern of a template without variables, compiled once (a `Resource` entry is
    /// matched against every request).
    let constantARN: ARNPattern?

    init(parts: [Part], raw: String) {
        self.parts = parts
        self.raw = raw
        let constant = !parts.contains { if case .variable = $0 { true } else { false } }
        constantARN = constant ? Self.pattern(of: parts, in: IAMContext(), caseInsensitive: false).map(ARNPattern.init) : nil
    }

    var isConstant: Bool { !parts.contains { if case .variable = $0 { true } else { false } } }

    /// Whether a variable's key starts with `prefix` (case-insensitive).
    func mentionsVariable(prefix: String) -> Bool {
        parts.contains { part in
            if case .variable(let key, _) = part { return key.lowercased().hasPrefix(prefix) }
            return false
        }
    }

    static func parse(_ text: String, variables variablesEnabled: Bool) throws(IAMPolicyError) -> PolicyTemplate {
        guard variablesEnabled, text.contains("${") else { return PolicyTemplate(parts: [.text(text)], raw: text) }
        var parts: [Part] = []
        var rest = text[...]
        while let open = rest.indices.first(where: { rest[$0] == "$" && rest.index(after: $0) < rest.endIndex && rest[rest.index(after: $0)] == "{" }) {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            let bodyStart = rest.index(open, offsetBy: 2)
            guard let close = rest[bodyStart...].firstIndex(of: "}") else {
                throw IAMPolicyError(message: "unterminated policy variable in '\(text)'")
            }
            let body = rest[bodyStart..<close].trimmingSpaces
            switch body {
            case "*", "?", "$": parts.append(.literal(String(body)))
            default: parts.append(try variable(body, in: text))
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return PolicyTemplate(parts: parts, raw: text)
    }

    private static func variable(_ body: Substring, in text: String) throws(IAMPolicyError) -> Part {
        var key = body
        var defaultValue: String?
        if let comma = body.firstIndex(of: ",") {
            key = body[..<comma].trimmingSpaces
            let fallback = body[body.index(after: comma)...].trimmingSpaces
            guard fallback.count >= 2, fallback.first == "'", fallback.last == "'" else {
                throw IAMPolicyError(message: "the default value of a policy variable must be quoted with ' in '\(text)'")
            }
            defaultValue = String(fallback.dropFirst().dropLast())
        }
        guard !key.isEmpty, key.contains(":"), !key.contains(where: { $0 == " " || $0 == "$" || $0 == "{" }) else {
            throw IAMPolicyError(message: "invalid policy variable '${\(body)}' in '\(text)'")
        }
        return .variable(key: String(key), defaultValue: defaultValue)
    }

    /// The text with every variable replaced; nil when a variable has no value.
    func resolve(in context: IAMContext) -> String? {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text), .literal(let text): result += text
            case .variable(let key, let defaultValue):
                guard let value = context.variableValue(key) ?? defaultValue else { return nil }
                result += value
            }
        }
        return result
    }

    /// A wildcard pattern of the text, with variable values (and `${*}` escapes) as literal text;
    /// nil when a variable has no value.
    func pattern(in context: IAMContext, caseInsensitive: Bool = false) -> WildcardPattern? {
        Self.pattern(of: parts, in: context, caseInsensitive: caseInsensitive)
    }

    private static func pattern(of parts: [Part], in context: IAMContext, caseInsensitive: Bool) -> WildcardPattern? {
        var pattern = WildcardPattern(caseInsensitive: caseInsensitive)
        for part in parts {
            switch part {
            case .text(let text): pattern.append(pattern: text)
            case .literal(let text): pattern.append(literal: text)
            case .variable(let key, let defaultValue):
                guard let value = context.variableValue(key) ?? defaultValue else { return nil }
                pattern.append(literal: value)
            }
        }
        return pattern
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
