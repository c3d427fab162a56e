import Testing

@testable import KVServer

/// Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
/// Action and Resource matching: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
@Suite("IAM policy evaluator")
struct IAMPolicyEvaluatorTests {
    static func allows(_ statement: String, action: String, resource: String, context: [String: [String]] = [:]) -> Bool {
        let request = IAMRequest(action: action, resource: resource, context: IAMContext(context))
        return IAMPolicyEvaluator.evaluate(policies: [statementPolicy(statement)], request: request).isAllowed
    }

    @Test(
        "Action patterns (case-insensitive, * and ?)",
        arguments: [
            ("dynamodb:GetItem", "dynamodb:GetItem", true),
            ("dynamodb:getitem", "dynamodb:GetItem", true),
            ("DynamoDB:GETITEM", "dynamodb:GetItem", true),
            ("dynamodb:Get*", "dynamodb:GetItem", true),
            ("dynamodb:Get*", "dynamodb:GetRecords", true),
            ("dynamodb:Get*", "dynamodb:BatchGetItem", false),
            ("dynamodb:*Item", "dynamodb:BatchGetItem", true),
            ("dynamodb:?etItem", "dynamodb:GetItem", true),
            ("dynamodb:?etItem", "dynamodb:PutItem", false),
            ("dynamodb:*", "dynamodb:Query", true),
            ("*", "dynamodb:Query", true),
            ("s3:*", "dynamodb:Query", false),
            ("dynamodb:Query", "dynamodb:QueryX", false),
        ])
    func actions(pattern: String, action: String, expected: Bool) {
        let statement = #"{"Effect": "Allow", "Action": "\#(pattern)", "Resource": "*"}"#
        #expect(Self.allows(statement, action: action, resource: tableARN("T")) == expected)
    }

    @Test(
        "Resource patterns (per ARN segment, case-sensitive)",
        arguments: [
            ("*", tableARN("Orders"), true),
            ("arn:aws:dynamodb:us-east-1:111122223333:table/Orders", tableARN("Orders"), true),
            ("arn:aws:dynamodb:us-east-1:111122223333:table/orders", tableARN("Orders"), false),
            ("arn:aws:dynamodb:*:*:table/Orders", tableARN("Orders"), true),
            ("arn:aws:dynamodb:*:*:table/Orders", tableARN("Orders", region: "eu-west-1"), true),
            ("arn:aws:dynamodb:eu-*:*:table/Orders", tableARN("Orders"), false),
            ("arn:aws:dynamodb:*:444455556666:table/Orders", tableARN("Orders"), false),
            ("arn:aws:dynamodb:*:*:table/Order?", tableARN("Orders"), true),
            ("arn:aws:dynamodb:*:*:table/Orders", tableARN("Orders2"), false),
            ("arn:aws:dynamodb:*:*:table/Orders", tableARN("Orders/index/ByDate"), false),
            ("arn:aws:dynamodb:*:*:table/Orders/index/*", tableARN("Orders/index/ByDate"), true),
            ("arn:aws:dynamodb:*:*:table/Orders/index/*", tableARN("Orders"), false),
            ("arn:aws:dynamodb:*:*:table/Orders*", tableARN("Orders/index/ByDate"), true),
            ("arn:aws:dynamodb:*:*:table/*", tableARN("Orders/stream/2026-12-06T15:00:00.000"), true),
            ("arn:aws:dynamodb:*:*:table/Orders/stream/*", tableARN("Orders/stream/2026-12-06T15:00:00.000"), true),
            ("arn:aws:dynamodb:*:*:table/Orders/backup/*", tableARN("Orders/backup/01234"), true),
            ("arn:aws:dynamodb:*:*:table/Orders/stream/*", tableARN("Other/stream/2026-12-06T15:00:00.000"), false),
            ("arn:aws:dynamodb:*:*:*", tableARN("Orders"), true),
            ("arn:aws:s3:::bucket", tableARN("Orders"), false),
            ("arn:aws:dynamodb:*:*:table/*", "*", false),
        ])
    func resources(pattern: String, resource: String, expected: Bool) {
        let statement = #"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "\#(pattern)"}"#
        #expect(Self.allows(statement, action: "dynamodb:GetItem", resource: resource) == expected)
    }

    @Test("NotAction and NotResource")
    func negations() {
        let notAction = #"{"Effect": "Allow", "NotAction": ["dynamodb:Delete*", "dynamodb:Update*"], "Resource": "*"}"#
        #expect(Self.allows(notAction, action: "dynamodb:GetItem", resource: tableARN("T")))
        #expect(!Self.allows(notAction, action: "dynamodb:DeleteItem", resource: tableARN("T")))
        let notResource = #"{"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*:*:table/Secrets*"}"#
        #expect(Self.allows(notResource, action: "dynamodb:GetItem", resource: tableARN("T")))
        #expect(!Self.allows(notResource, action: "dynamodb:GetItem", resource: tableARN("Secrets")))
        #expect(!Self.allows(notResource, action: "dynamodb:Query", resource: tableARN("Secrets/index/I")))
    }

    @Test("policy variables in Resource")
    func resourceVariables() {
        let statement = #"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/${aws:username}-*"}"#
        #expect(Self.allows(statement, action: "dynamodb:GetItem", resource: tableARN("alice-notes"), context: ["aws:username": ["alice"]]))
        #expect(!Self.allows(statement, action: "dynamodb:GetItem", resource: tableARN("bob-notes"), context: ["aws:username": ["alice"]]))
        // No value for the variable: the entry matches nothing.
        #expect(!Self.allows(statement, action: "dynamodb:GetItem", resource: tableARN("-notes")))
        // A value is literal: a user called "*" gets no wildcard.
        #expect(!Self.allows(statement, action: "dynamodb:GetItem", resource: tableARN("x-notes"), context: ["aws:username": ["*"]]))
        // Version 2008-10-17 knows no variables: the text is literal.
        let legacy = policy(
            #"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/${aws:username}"}}"#)
        let request = IAMRequest(
            action: "dynamodb:GetItem", resource: tableARN("alice"), context: IAMContext(["aws:username": ["alice"]]))
        #expect(!IAMPolicyEvaluator.evaluate(policies: [legacy], request: request).isAllowed)
        let literal = IAMRequest(action: "dynamodb:GetItem", resource: tableARN("${aws:username}"))
        #expect(IAMPolicyEvaluator.evaluate(policies: [legacy], request: literal).isAllowed)
    }

    @Test("explicit deny wins over any allow; implicit deny otherwise; the deciding statement is named")
    func decisions() {
        let allowAll = policy(
            #"{"Version": "2012-10-17", "Statement": [{"Sid": "Everything", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}"#)
        let denyDeletes = policy(
            #"""
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "ReadOnly", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
              {"Sid": "NoDeletes", "Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "arn:aws:dynamodb:*:*:table/T"}
            ]}
            """#)
        let delete = IAMRequest(action: "dynamodb:DeleteItem", resource: tableARN("T"))
        #expect(
            IAMPolicyEvaluator.evaluate(policies: [allowAll, denyDeletes], request: delete)
                == IAMDecision(outcome: .explicitDeny, statement: IAMStatementReference(policyIndex: 1, statementIndex: 1, sid: "NoDeletes")))
        let get = IAMRequest(action: "dynamodb:GetItem", resource: tableARN("T"))
        #expect(
            IAMPolicyEvaluator.evaluate(policies: [denyDeletes, allowAll], request: get)
                == IAMDecision(outcome: .allowed, statement: IAMStatementReference(policyIndex: 0, statementIndex: 0, sid: "ReadOnly")))
        let put = IAMRequest(action: "dynamodb:PutItem", resource: tableARN("T"))
        #expect(IAMPolicyEvaluator.evaluate(policies: [denyDeletes], request: put) == IAMDecision(outcome: .implicitDeny, statement: nil))
        #expect(IAMPolicyEvaluator.evaluate(policies: [], request: put).outcome == .implicitDeny)
        // A Deny whose condition does not hold does not apply.
        let conditionalDeny = statementPolicy(
            #"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#)
        let overTLS = IAMRequest(action: "dynamodb:GetItem", resource: tableARN("T"), context: IAMContext(["aws:SecureTransport": ["true"]]))
        #expect(IAMPolicyEvaluator.evaluate(policies: [conditionalDeny, allowAll], request: overTLS).isAllowed)
        let plain = IAMRequest(action: "dynamodb:GetItem", resource: tableARN("T"), context: IAMContext(["aws:SecureTransport": ["false"]]))
        #expect(IAMPolicyEvaluator.evaluate(policies: [conditionalDeny, allowAll], request: plain).outcome == .explicitDeny)
        #expect(
            IAMDecision(outcome: .allowed, statement: IAMStatementReference(policyIndex: 0, statementIndex: 2, sid: "S")).description
                == #"allowed by policy 0, statement 2 (Sid "S")"#)
    }

    @Test("several requests: the first one not allowed decides; none at all is denied")
    func severalRequests() {
        let onlyA = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:BatchGetItem", "Resource": "arn:aws:dynamodb:*:*:table/A"}"#)
        let requests = [
            IAMRequest(action: "dynamodb:BatchGetItem", resource: tableARN("A")),
            IAMRequest(action: "dynamodb:BatchGetItem", resource: tableARN("B")),
        ]
        let (decision, request) = IAMPolicyEvaluator.evaluate(policies: [onlyA], requests: requests)
        #expect(decision.outcome == .implicitDeny)
        #expect(request?.resource == tableARN("B"))
        #expect(!IAMPolicyEvaluator.evaluate(policies: [onlyA], requests: []).decision.isAllowed)
    }

    @Test("wildcard matching stays linear on hostile input")
    func wildcardWorstCase() {
        let pattern = WildcardPattern(String(repeating: "*a", count: 40) + "b")
        #expect(!pattern.matches(String(repeating: "a", count: 2_000)))
        #expect(WildcardPattern("a*b*c").matches("aXXbYYc"))
        #expect(WildcardPattern("*").matches(""))
        #expect(!WildcardPattern("?").matches(""))
    }
}

@Suite("IAM simulator")
struct IAMSimulatorTests {
    @Test("decision, deciding statement and derived principal keys")
    func simulate() {
        let policies = [
            policy(
                #"""
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "OwnTable", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/${aws:username}"},
                  {"Sid": "NotFromOutside", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
                ]}
                """#)
        ]
        let inside = IAMSimulator.simulate(
            policies: policies, principalARN: userARN, action: "PutItem", resource: tableARN("alice"),
            context: IAMContext(["aws:SourceIp": ["10.1.1.1"]]), now: 0)
        #expect(inside.decision == IAMDecision(outcome: .allowed, statement: IAMStatementReference(policyIndex: 0, statementIndex: 0, sid: "OwnTable")))
        #expect(inside.request.action == "dynamodb:PutItem")
        #expect(inside.request.context["aws:username"] == ["alice"])
        #expect(inside.request.context["aws:PrincipalAccount"] == [testAccount])
        let outside = IAMSimulator.simulate(
            policies: policies, principalARN: userARN, action: "dynamodb:PutItem", resource: tableARN("alice"),
            context: IAMContext(["aws:SourceIp": ["192.0.2.1"]]), now: 0)
        #expect(outside.decision.outcome == .explicitDeny)
        #expect(outside.decision.statement?.sid == "NotFromOutside")
        #expect(IAMSimulator.contextEntry("dynamodb:LeadingKeys=a,b")! == (key: "dynamodb:LeadingKeys", values: ["a", "b"]))
        #expect(IAMSimulator.contextEntry("novalue") == nil)
    }
}
