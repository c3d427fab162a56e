import Testing

@testable import KVServer

/// A policy from JSON text; the test fails (and gets an empty policy) when it does not parse.
func policy(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> IAMPolicy {
    do {
        return try IAMPolicy.parse(try JSONParser.parse(text))
    } catch {
        Issue.record("policy did not parse: \(error)", sourceLocation: sourceLocation)
        return IAMPolicy(version: .current, id: nil, statements: [], document: .null)
    }
}

/// The parse error of a policy that must be rejected.
func policyError(_ text: String) -> String? {
    guard let json = try? JSONParser.parse(text) else { return "invalid JSON" }
    do {
        _ = try IAMPolicy.parse(json)
        return nil
    } catch {
        return error.message
    }
}

/// `{"Version": "2012-10-17", "Statement": [STATEMENT]}`.
func statementPolicy(_ statement: String) -> IAMPolicy {
    policy(#"{"Version": "2012-10-17", "Statement": ["# + statement + "]}")
}

let testAccount = "111122223333"
let userARN = "arn:aws:iam::111122223333:user/alice"

func tableARN(_ name: String, region: String = "us-east-1") -> String {
    "arn:aws:dynamodb:\(region):\(testAccount):table/\(name)"
}
