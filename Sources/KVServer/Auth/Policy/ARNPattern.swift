/// Matching of ARNs against `Resource` entries and `ArnLike` values: each of the six
/// colon-separated parts (`arn:partition:service:region:account:resource`) is matched on its
/// own, so `*` in the region never swallows the account; within the last part `*` spans `/`,
/// so `table/Orders*` also covers `table/Orders/index/ByDate` and `table/Orders/stream/...`.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
/// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
enum ARNPattern {
    static func matches(_ pattern: WildcardPattern, _ arn: String) -> Bool {
        if pattern.tokens == [.anyRun] { return true }
        let patternParts = split(pattern)
        let arnParts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard patternParts.count == 6, arnParts.count == 6 else {
            // Not ARN-shaped (`*` alone is handled above): compare the whole text.
            return pattern.matches(arn)
        }
        for (part, text) in zip(patternParts, arnParts) where !part.matches(String(text)) { return false }
        return true
    }

    /// The pattern cut at its first five `:`.
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
