/// Matching of ARNs against `Resource` entries and `ArnLike` values: each of the six
/// colon-separated parts (`arn:partition:service:region:account:resource`) is matched on its
/// own, so `*` in the region never swallows the account; within the last part `*` spans `/`,
/// so `table/Orders*` also covers `table/Orders/index/ByDate` and `table/Orders/stream/...`.
///
/// Compiled once per pattern (the split into parts), so that a constant `Resource` entry costs
/// only the matching on each request.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
/// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
struct ARNPattern: Sendable, Hashable {
    private let whole: WildcardPattern
    /// The pattern cut at its first five `:`; nil when it is not ARN-shaped.
    private let parts: [WildcardPattern]?
    private let matchesEverything: Bool

    init(_ pattern: WildcardPattern) {
        whole = pattern
        matchesEverything = pattern.tokens == [.anyRun]
        let cut = Self.split(pattern)
        parts = cut.count == 6 ? cut : nil
    }

    func matches(_ arn: String) -> Bool {
        if matchesEverything { return true }
        let arnParts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard let parts, arnParts.count == 6 else {
            // Not ARN-shaped (`*` alone is handled above): compare the whole text.
            return whole.matches(arn)
        }
        for (part, text) in zip(parts, arnParts) where !part.matches(text) { return false }
        return true
    }

    private static func split(_ pattern: WildcardPattern) -> [WildcardPattern] {
        var parts: [WildcardPattern] = []
        var current = WildcardPattern(caseInsensitive: pattern.caseInsensitive)
        for token in pattern.tokens {
            if token == .scalar(":"), parts.count < 5 {
                parts.append(current)
                current = WildcardPattern(caseInsensitive: pattern.caseInsensitive)
            } else {
                current.append(token)
            }
        }
        parts.append(current)
        return parts
    }
}
