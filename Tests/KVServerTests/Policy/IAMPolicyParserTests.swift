import Testing

@testable import KVServer

/// Policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
@Suite("IAM policy parser")
struct IAMPolicyParserTests {
    @Test("accepted documents")
    func accepted() {
        let single = policy(
            #"{"Version": "2012-10-17", "Id": "p1", "Statement": {"Sid": "A", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}}"#)
        #expect(single.statements.count == 1)
        #expect(single.statements[0].sid == "A")
        #expect(single.id == "p1")
        #expect(single.version == .current)
        let many = policy(
            #"""
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"], "Resource": ["arn:aws:dynamodb:*:*:table/T", "arn:aws:dynamodb:*:*:table/T/index/*"]},
              {"Effect": "Deny", "NotAction": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*:*:table/T",
               "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a", "b"]},
                             "Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"x:n": 3},
                             "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                             "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                             "StringLikeIfExists": {"dynamodb:Select": "SPECIFIC_*"},
                             "Null": {"dynamodb:LeadingKeys": "false"}}}
            ]}
            """#)
        #expect(many.statements.count == 2)
        #expect(many.statements[1].conditions.count == 7)
        let noVersion = policy(#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#)
        #expect(noVersion.version == .legacy)
    }

    @Test("statements as written, for printing the deciding one")
    func statementDocuments() {
        let many = policy(#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "x:y", "Resource": "*"}, {"Sid": "B", "Effect": "Deny", "Action": "x:y", "Resource": "*"}]}"#)
        guard case .object(let second)? = many.statementDocument(at: 1) else {
            Issue.record("no statement 1")
            return
        }
        #expect(second["Sid"] == .string("B"))
        #expect(many.statementDocument(at: 2) == nil)
        #expect(many.statementDocument(at: -1) == nil)
        let single = policy(#"{"Statement": {"Sid": "Only", "Effect": "Allow", "Action": "x:y", "Resource": "*"}}"#)
        #expect(single.statementDocument(at: 0) != nil)
        #expect(single.statementDocument(at: 1) == nil)
    }

    @Test(
        "rejected documents name the problem and where",
        arguments: [
            (#"[]"#, "policy document must be a JSON object"),
            (#"{"Version": "2012-10-17"}"#, "policy document has no Statement"),
            (#"{"Version": "2012-10-18", "Statement": []}"#, "Version: must be \"2012-10-17\" or \"2008-10-17\""),
            (#"{"Statement": [], "Version": "2012-10-17"}"#, "Statement: must be an object or a non-empty array of objects"),
            (#"{"Statment": []}"#, "unknown policy element 'Statment' (expected Version, Id, Statement)"),
            (
                #"{"Statement": [{"Action": "dynamodb:GetItem", "Resource": "*"}]}"#,
                "Statement[0].Effect: required, and must be \"Allow\" or \"Deny\""
            ),
            (
                #"{"Statement": [{"Effect": "allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}"#,
                "Statement[0].Effect: must be \"Allow\" or \"Deny\", not 'allow'"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "NotAction": "x:y", "Resource": "*"}]}"#,
                "Statement[0]: a statement has either Action or NotAction, not both"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Resource": "*"}]}"#,
                "Statement[0]: a statement needs Action or NotAction"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem"}]}"#,
                "Statement[0]: a statement needs Resource or NotResource"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": "GetItem", "Resource": "*"}]}"#,
                "Statement[0].Action: 'GetItem' is not of the form service:Action"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#,
                "Statement[0].Action: must be a string or a non-empty array of strings"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "table/T"}]}"#,
                "Statement[0].Resource: 'table/T' is not an ARN (arn:partition:service:region:account:resource) or *"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}]}"#,
                "Statement[0].Principal: an identity-based policy cannot name a principal"
            ),
            (
                #"{"Statement": [{"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condtion": {}}]}"#,
                "Statement[0]: unknown statement element 'Condtion'"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"StringEqual": {"a:b": "c"}}}}"#,
                "Statement[0].Condition: unknown condition operator 'StringEqual'"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"StringEquals": {"nocolon": "c"}}}}"#,
                "Statement[0].Condition.StringEquals: 'nocolon' is not a condition key of the form prefix:name"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"NumericLessThan": {"a:b": "ten"}}}}"#,
                "Statement[0].Condition.NumericLessThan.a:b: 'ten' is not a number"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}}"#,
                "Statement[0].Condition.DateLessThan.aws:CurrentTime: 'tomorrow' is not a date (ISO 8601 or epoch seconds)"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}"#,
                "Statement[0].Condition.IpAddress.aws:SourceIp: '10.0.0.0/33' is not an IP address or CIDR block"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}}"#,
                "Statement[0].Condition.Bool.aws:SecureTransport: 'yes' is not true or false"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"StringEquals": {"a:b": []}}}}"#,
                "Statement[0].Condition.StringEquals.a:b: expected a value or a non-empty array of values"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"StringEquals": []}}}"#,
                "Statement[0].Condition.StringEquals: must be an object of condition keys and values"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": []}}"#,
                "Statement[0].Condition: must be an object of condition operators"
            ),
            (
                #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "arn:aws:dynamodb:*:*:table/${aws:username"}}"#,
                "Statement[0].Resource: unterminated policy variable in 'arn:aws:dynamodb:*:*:table/${aws:username'"
            ),
            (
                #"{"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Condition": {"ForAllValues:Null": {"a:b": "true"}}}}"#,
                "Statement[0].Condition: unknown condition operator 'ForAllValues:Null'"
            ),
        ])
    func rejected(document: String, message: String) {
        #expect(policyError(document) == message)
    }

    @Test(
        "condition operators",
        arguments: [
            ("StringEquals", IAMConditionOperator.Base.stringEquals, nil as IAMConditionOperator.SetQualifier?, false),
            ("StringNotLikeIfExists", .stringNotLike, nil, true),
            ("ForAllValues:StringEquals", .stringEquals, .forAllValues, false),
            ("ForAnyValue:StringLikeIfExists", .stringLike, .forAnyValue, true),
            ("NumericGreaterThanEquals", .numericGreaterThanEquals, nil, false),
            ("DateLessThanEquals", .dateLessThanEquals, nil, false),
            ("NotIpAddress", .notIpAddress, nil, false),
            ("ArnLike", .arnLike, nil, false),
            ("Null", .null, nil, false),
        ])
    func operators(text: String, base: IAMConditionOperator.Base, qualifier: IAMConditionOperator.SetQualifier?, ifExists: Bool) {
        let parsed = IAMConditionOperator(text)
        #expect(parsed?.base == base)
        #expect(parsed?.qualifier == qualifier)
        #expect(parsed?.ifExists == ifExists)
    }

    @Test("unknown operators", arguments: ["stringequals", "StringEqual", "ForAll:StringEquals", "NullIfExists", "StringEqualsIfExistsIfExists", ""])
    func unknownOperators(text: String) {
        #expect(IAMConditionOperator(text) == nil)
    }
}
