/// The policy simulator behind `kvctl auth simulate`: one action on one resource for an
/// identity, with the context the caller gives, answered with the decision and the deciding
/// statement, as the IAM policy simulator does.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
public enum IAMSimulator {
    /// - Parameters:
    ///   - policies: the identity's parsed policies.
    ///   - principalARN: the identity's ARN; gives `aws:PrincipalArn`, `aws:PrincipalAccount`,
    ///     `aws:PrincipalType` and, for `user/...`, `aws:username`.
    ///   - userID: `aws:userid` when known (the server uses the access key id).
    ///   - action: e.g. `dynamodb:PutItem` (a bare operation name gets the `dynamodb:` prefix).
    ///   - resource: an ARN or `*`.
    ///   - context: further keys (`--context key=value`), overriding the derived ones.
    ///   - now: `aws:CurrentTime` / `aws:EpochTime`, seconds since 1970.
    public static func simulate(
        policies: [IAMPolicy], principalARN: String, userID: String? = nil, action: String, resource: String,
        context: IAMContext = IAMContext(), now: Double
    ) -> (decision: IAMDecision, request: IAMRequest) {
        var base = principalContext(arn: principalARN, userID: userID)
        base.set("aws:CurrentTime", IAMValueParsing.iso8601(now))
        base.set("aws:EpochTime", IAMValueParsing.epochText(now))
        let request = IAMRequest(
            action: action.contains(":") ? action : "dynamodb:" + action, resource: resource,
            context: base.merging(context))
        return (IAMPolicyEvaluator.evaluate(policies: policies, request: request), request)
    }

    /// The keys that describe the caller, from its ARN.
    public static func principalContext(arn: String, userID: String?) -> IAMContext {
        var context = IAMContext()
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        context.set("aws:PrincipalArn", arn)
        if parts.count == 6 {
            context.set("aws:PrincipalAccount", String(parts[4]))
            if parts[5].hasPrefix("user/"), let name = parts[5].split(separator: "/").last {
                context.set("aws:username", String(name))
            }
        }
        context.set("aws:PrincipalType", DynamoDBAuthorizationMapping.principalType(arn))
        context.set("aws:userid", userID)
        return context
    }

    /// One `--context` argument: `key=value`, or `key=v1,v2` for a multivalued key. Nil when
    /// there is no `=` or no key.
    public static func contextEntry(_ argument: String) -> (key: String, values: [String])? {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let key = String(argument[..<equals])
        guard !key.isEmpty else { return nil }
        let values = argument[argument.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
        return (key: key, values: values.map(String.init))
    }
}
