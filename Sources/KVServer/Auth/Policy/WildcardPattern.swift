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
    ///
    /// ASCII text (every action name and ARN in practice) is matched on its bytes in place;
    /// other text as Unicode scalars.
    func matches<S: StringProtocol>(_ text: S) -> Bool {
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let fold = caseInsensitive
            return match(bytes) { byte in
                Unicode.Scalar(fold && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
            }
        }
        if let ascii, let result = ascii { return result }
        let subject = Array((caseInsensitive ? text.lowercased() : String(text)).unicodeScalars)
        return match(subject) { $0 }
    }

    private func match<C: RandomAccessCollection>(_ subject: C, _ scalar: (C.Element) -> Unicode.Scalar) -> Bool
    where C.Index == Int {
        var p = 0
        var s = subject.startIndex
        var starToken = -1
        var starSubject = 0
        while s < subject.endIndex {
            if p < tokens.count, Self.matchesOne(tokens[p], scalar(subject[s])) {
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
