/// An IAM wildcard pattern: `*` matches any run of characters (also none, also `/` and `:`),
/// `?` matches exactly one character; everything else matches itself.
///
/// Used for `Action` (case-insensitive), for each segment of an ARN in `Resource` and for
/// `StringLike` / `ArnLike` values (case-sensitive). A policy variable's value is inserted as
/// literal text (`literal:`), so a user name can never widen a pattern.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
/// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
struct WildcardPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case scalar(Unicode.Scalar)
        case anyRun
        case anyOne
    }

    private(set) var tokens: [Token]
    let caseInsensitive: Bool

    /// `*` and `?` in `text` are wildcards.
    init(_ text: String, caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
        self.tokens = []
        append(pattern: text)
    }

    init(caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
        self.tokens = []
    }

    mutating func append(pattern text: String) {
        for scalar in (caseInsensitive ? text.lowercased() : text).unicodeScalars {
            switch scalar {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.anyOne)
            default: tokens.append(.scalar(scalar))
            }
        }
    }

    mutating func append(_ token: Token) { tokens.append(token) }

    /// Text that matches only itself, `*` and `?` included.
    mutating func append(literal text: String) {
        for scalar in (caseInsensitive ? text.lowercased() : text).unicodeScalars { tokens.append(.scalar(scalar)) }
    }

    /// Whether `text` matches the whole pattern. Greedy with one backtrack point (the last `*`),
    /// so a hostile value cannot make it exponential: O(pattern x text) at worst.
    func matches(_ text: String) -> Bool {
        let subject = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        var p = 0
        var s = 0
        var starToken = -1
        var starSubject = 0
        while s < subject.count {
            if p < tokens.count, Self.matchesOne(tokens[p], subject[s]) {
                p += 1
                s += 1
            } else if p < tokens.count, tokens[p] == .anyRun {
                starToken = p
                starSubject = s
                p += 1
            } else if starToken >= 0 {
                p = starToken + 1
                starSubject += 1
                s = starSubject
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == .anyRun { p += 1 }
        return p == tokens.count
    }

    private static func matchesOne(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
        switch token {
        case .scalar(let expected): expected == scalar
        case .anyOne: true
        case .anyRun: false
        }
    }
}
