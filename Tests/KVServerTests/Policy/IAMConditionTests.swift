import Testing

@testable import KVServer

/// Condition operators and IAM's rules for absent keys, multivalued keys and `IfExists`:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
@Suite("IAM conditions")
struct IAMConditionTests {
    /// Whether `{"Condition": {operator: {key: values}}}` holds for a request with `context`.
    static func holds(_ condition: String, _ context: [String: [String]]) -> Bool {
        let document = statementPolicy(
            #"{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*", "Condition": "# + condition + "}")
        let request = IAMRequest(action: "dynamodb:GetItem", resource: "*", context: IAMContext(context))
        return IAMPolicyEvaluator.evaluate(policies: [document], request: request).isAllowed
    }

    @Test(
        "single-valued operators",
        arguments: [
            // String
            (#"{"StringEquals": {"aws:username": "alice"}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringEquals": {"aws:username": "alice"}}"#, ["aws:username": ["Alice"]], false),
            (#"{"StringEquals": {"aws:username": ["bob", "alice"]}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringEquals": {"AWS:UserName": "alice"}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringEquals": {"aws:username": "alice"}}"#, [:], false),
            (#"{"StringNotEquals": {"aws:username": "alice"}}"#, ["aws:username": ["bob"]], true),
            (#"{"StringNotEquals": {"aws:username": "alice"}}"#, ["aws:username": ["alice"]], false),
            (#"{"StringNotEquals": {"aws:username": "alice"}}"#, [:], true),
            (#"{"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}"#, ["aws:username": ["alice"]], false),
            (#"{"StringLike": {"aws:username": "al*"}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringLike": {"aws:username": "al?ce"}}"#, ["aws:username": ["alice"]], true),
            (#"{"StringLike": {"aws:username": "al?ce"}}"#, ["aws:username": ["allice"]], false),
            (#"{"StringLike": {"aws:username": "AL*"}}"#, ["aws:username": ["alice"]], false),
            (#"{"StringNotLike": {"aws:username": "al*"}}"#, ["aws:username": ["bob"]], true),
            (#"{"StringNotLike": {"aws:username": "al*"}}"#, ["aws:username": ["alice"]], false),
            // Numeric
            (#"{"NumericEquals": {"s:n": "10"}}"#, ["s:n": ["10.0"]], true),
            (#"{"NumericNotEquals": {"s:n": 10}}"#, ["s:n": ["11"]], true),
            (#"{"NumericLessThan": {"s:n": 10}}"#, ["s:n": ["9"]], true),
            (#"{"NumericLessThan": {"s:n": 10}}"#, ["s:n": ["10"]], false),
            (#"{"NumericLessThanEquals": {"s:n": 10}}"#, ["s:n": ["10"]], true),
            (#"{"NumericGreaterThan": {"s:n": 10}}"#, ["s:n": ["10.5"]], true),
            (#"{"NumericGreaterThanEquals": {"s:n": 10}}"#, ["s:n": ["9"]], false),
            (#"{"NumericLessThan": {"s:n": 10}}"#, ["s:n": ["abc"]], false),
            // Date (ISO 8601 and epoch seconds on either side)
            (#"{"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}"#, ["aws:CurrentTime": ["2026-12-06T15:00:00Z"]], true),
            (#"{"DateLessThan": {"aws:CurrentTime": "2026-12-01"}}"#, ["aws:CurrentTime": ["2026-12-06T15:00:00Z"]], false),
            (#"{"DateGreaterThan": {"aws:CurrentTime": "2026-12-06T14:00:00-02:00"}}"#, ["aws:CurrentTime": ["2026-12-06T15:00:00Z"]], false),
            (#"{"DateGreaterThan": {"aws:CurrentTime": "2026-12-06T14:00:00+02:00"}}"#, ["aws:CurrentTime": ["2026-12-06T15:00:00Z"]], true),
            (#"{"DateEquals": {"aws:CurrentTime": "1798070400"}}"#, ["aws:CurrentTime": ["2026-12-24T00:00:00Z"]], true),
            (#"{"DateNotEquals": {"aws:CurrentTime": "1798070400"}}"#, ["aws:CurrentTime": ["2026-12-24T00:00:01Z"]], true),
            (#"{"DateLessThanEquals": {"aws:CurrentTime": "2026-12-24T00:00:00.000Z"}}"#, ["aws:CurrentTime": ["2026-12-24T00:00:00Z"]], true),
            (#"{"DateGreaterThanEquals": {"aws:EpochTime": "2026-12-24T00:00:00Z"}}"#, ["aws:EpochTime": ["1798070399"]], false),
            // Bool, Binary
            (#"{"Bool": {"aws:SecureTransport": true}}"#, ["aws:SecureTransport": ["true"]], true),
            (#"{"Bool": {"aws:SecureTransport": "true"}}"#, ["aws:SecureTransport": ["false"]], false),
            (#"{"Bool": {"aws:SecureTransport": "false"}}"#, [:], false),
            (#"{"BinaryEquals": {"s:b": "QUJD"}}"#, ["s:b": ["QUJD"]], true),
            // IP addresses
            (#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, ["aws:SourceIp": ["203.0.113.77"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, ["aws:SourceIp": ["203.0.114.1"]], false),
            (#"{"IpAddress": {"aws:SourceIp": "127.0.0.1"}}"#, ["aws:SourceIp": ["127.0.0.1"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, ["aws:SourceIp": ["8.8.8.8"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, ["aws:SourceIp": ["::ffff:10.1.2.3"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#, ["aws:SourceIp": ["2001:db8:1::5"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#, ["aws:SourceIp": ["2001:db9::5"]], false),
            (#"{"IpAddress": {"aws:SourceIp": "::1"}}"#, ["aws:SourceIp": ["0:0:0:0:0:0:0:1"]], true),
            (#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#, ["aws:SourceIp": ["10.0.0.1"]], false),
            (#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}"#, ["aws:SourceIp": ["192.168.1.1"]], false),
            (#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}"#, ["aws:SourceIp": ["172.16.0.1"]], true),
            // ARN
            (#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice"}}"#, ["aws:PrincipalArn": [userARN]], true),
            (#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, ["aws:PrincipalArn": [userARN]], true),
            (#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#, ["aws:PrincipalArn": [userARN]], false),
            (#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#, ["aws:PrincipalArn": [userARN]], true),
            // Null
            (#"{"Null": {"dynamodb:Attributes": "true"}}"#, [:], true),
            (#"{"Null": {"dynamodb:Attributes": "true"}}"#, ["dynamodb:Attributes": ["a"]], false),
            (#"{"Null": {"dynamodb:Attributes": false}}"#, ["dynamodb:Attributes": ["a"]], true),
            (#"{"Null": {"dynamodb:Attributes": "false"}}"#, [:], false),
            // IfExists
            (#"{"StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}"#, [:], true),
            (#"{"StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}"#, ["dynamodb:Select": ["ALL_ATTRIBUTES"]], false),
            (#"{"NumericLessThanIfExists": {"s:n": 3}}"#, [:], true),
            // Several keys are ANDed, several operators too
            (#"{"StringEquals": {"aws:username": "alice", "aws:userid": "AID1"}}"#, ["aws:username": ["alice"], "aws:userid": ["AID1"]], true),
            (#"{"StringEquals": {"aws:username": "alice", "aws:userid": "AID1"}}"#, ["aws:username": ["alice"], "aws:userid": ["AID2"]], false),
            (#"{"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}}"#, ["aws:username": ["alice"], "aws:SecureTransport": ["false"]], false),
        ] as [(String, [String: [String]], Bool)])
    func singleValued(condition: String, context: [String: [String]], expected: Bool) {
        #expect(Self.holds(condition, context) == expected)
    }

    @Test(
        "set operators over multivalued keys",
        arguments: [
            (#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a", "b"]}}"#, ["dynamodb:Attributes": ["a"]], true),
            (#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a", "b"]}}"#, ["dynamodb:Attributes": ["a", "b"]], true),
            (#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a", "b"]}}"#, ["dynamodb:Attributes": ["a", "c"]], false),
            // ForAllValues is true for an absent or empty key (why policies pair it with Null/Select)
            (#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}}"#, [:], true),
            (#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}}"#, ["dynamodb:Attributes": []], true),
            (#"{"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["a"]}}"#, ["dynamodb:Attributes": ["c", "a"]], true),
            (#"{"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["a"]}}"#, ["dynamodb:Attributes": ["c"]], false),
            (#"{"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["a"]}}"#, [:], false),
            (#"{"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["user-*"]}}"#, ["dynamodb:LeadingKeys": ["user-1", "user-2"]], true),
            (#"{"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["user-*"]}}"#, ["dynamodb:LeadingKeys": ["user-1", "admin"]], false),
            (#"{"ForAllValues:StringNotEquals": {"dynamodb:Attributes": ["secret"]}}"#, ["dynamodb:Attributes": ["a", "b"]], true),
            (#"{"ForAllValues:StringNotEquals": {"dynamodb:Attributes": ["secret"]}}"#, ["dynamodb:Attributes": ["a", "secret"]], false),
            (#"{"ForAnyValue:StringNotEquals": {"dynamodb:Attributes": ["a"]}}"#, ["dynamodb:Attributes": ["a", "b"]], true),
            (#"{"ForAnyValue:StringNotEquals": {"dynamodb:Attributes": ["a"]}}"#, ["dynamodb:Attributes": ["a"]], false),
            (#"{"ForAnyValue:StringEqualsIfExists": {"dynamodb:Attributes": ["a"]}}"#, [:], true),
            // A single-valued operator on a multivalued key: any value matching suffices; a Not operator needs none to match.
            (#"{"StringEquals": {"dynamodb:LeadingKeys": "u1"}}"#, ["dynamodb:LeadingKeys": ["u2", "u1"]], true),
            (#"{"StringNotEquals": {"dynamodb:LeadingKeys": "u1"}}"#, ["dynamodb:LeadingKeys": ["u2", "u1"]], false),
        ] as [(String, [String: [String]], Bool)])
    func setOperators(condition: String, context: [String: [String]], expected: Bool) {
        #expect(Self.holds(condition, context) == expected)
    }

    @Test(
        "policy variables in condition values",
        arguments: [
            (#"{"StringEquals": {"dynamodb:LeadingKeys": "${aws:username}"}}"#, ["aws:username": ["alice"], "dynamodb:LeadingKeys": ["alice"]], true),
            (#"{"StringEquals": {"dynamodb:LeadingKeys": "${aws:username}"}}"#, ["aws:username": ["alice"], "dynamodb:LeadingKeys": ["bob"]], false),
            (#"{"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}"#, ["aws:userid": ["AID1"], "dynamodb:LeadingKeys": ["AID1"]], true),
            (#"{"StringLike": {"dynamodb:LeadingKeys": "${aws:username}-*"}}"#, ["aws:username": ["alice"], "dynamodb:LeadingKeys": ["alice-7"]], true),
            // The variable's value is literal text, never a wildcard
            (#"{"StringLike": {"dynamodb:LeadingKeys": "${aws:username}"}}"#, ["aws:username": ["*"], "dynamodb:LeadingKeys": ["anything"]], false),
            // Unresolved variable: matches nothing; with a default, the default
            (#"{"StringEquals": {"dynamodb:LeadingKeys": "${aws:username}"}}"#, ["dynamodb:LeadingKeys": ["alice"]], false),
            (#"{"StringEquals": {"dynamodb:LeadingKeys": "${aws:username, 'guest'}"}}"#, ["dynamodb:LeadingKeys": ["guest"]], true),
            (#"{"StringEquals": {"s:k": "a${*}b${?}${$}"}}"#, ["s:k": ["a*b?$"]], true),
        ] as [(String, [String: [String]], Bool)])
    func variables(condition: String, context: [String: [String]], expected: Bool) {
        #expect(Self.holds(condition, context) == expected)
    }

    @Test("dates", arguments: [
        ("2026-12-24T00:00:00Z", 1_798_070_400.0),
        ("2026-12-24", 1_798_070_400.0),
        ("2026-12-24T01:00:00+01:00", 1_798_070_400.0),
        ("1970-01-01T00:00:00.5Z", 0.5),
        ("1798070400", 1_798_070_400.0),
    ] as [(String, Double)])
    func dates(text: String, seconds: Double) {
        #expect(IAMValueParsing.date(text) == seconds)
    }

    @Test("current time as IAM writes it", arguments: [
        (0.0, "1970-01-01T00:00:00Z"), (1_798_070_400.9, "2026-12-24T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"),
    ] as [(Double, String)])
    func iso8601(seconds: Double, text: String) {
        #expect(IAMValueParsing.iso8601(seconds) == text)
        #expect(IAMValueParsing.date(text) == seconds.rounded(.down))
    }

    @Test("malformed addresses", arguments: ["1.2.3", "1.2.3.256", "1::2::3", "12345::", "a.b.c.d", "1.2.3.4/", "::/129", ""])
    func malformedAddresses(text: String) {
        #expect(IPAddressRange(text) == nil)
    }
}

@Suite("IAM time values")
struct IAMTimeValueTests {
    @Test("a clock value that is not finite never traps", arguments: [Double.nan, .infinity, -.infinity, 1e300])
    func hostileClock(seconds: Double) {
        #expect(!IAMValueParsing.iso8601(seconds).isEmpty)
        #expect(!IAMValueParsing.epochText(seconds).isEmpty)
    }
}
