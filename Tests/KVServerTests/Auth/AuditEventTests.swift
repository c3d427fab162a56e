import KVStore
import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

@Suite("Audit records")
struct AuditEventTests {
    static func event(_ target: String, _ body: String) throws -> AuditEvent {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        head.headers.add(name: "user-agent", value: "test-agent")
        let input = try JSONParser.parse(body)
        return AuditEvent.start(
            target: target, head: head, input: input, body: ByteBuffer(string: body),
            context: RequestContext(
                authorization:
                    "AWS4-HMAC-SHA256 Credential=AKIACLAIMED000000001/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
            ),
            connection: ConnectionInfo(remoteIP: "10.1.2.3", isSecure: true), requestID: "RID", time: 1_798_761_600)
    }

    static func field(_ value: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let fields) = value else { return nil }
        return fields[name]
    }

    @Test("only names and options are kept: no values, keys or expressions")
    func allowlist() throws {
        let secret = "SECRET-VALUE-42"
        let event = try Self.event(
            "DynamoDB_20120810.PutItem",
            ##"{"TableName":"Orders","Item":{"pk":{"S":"\##(secret)"}},"ConditionExpression":"#a <> :v","ExpressionAttributeNames":{"#a":"x"},"ExpressionAttributeValues":{":v":{"S":"\##(secret)"}},"ReturnValues":"ALL_OLD"}"##
        )
        let line = String(decoding: event.jsonLine(), as: UTF8.self)
        #expect(!line.contains(secret))
        #expect(!line.contains("ConditionExpression"))
        let record = try JSONParser.parse(line)
        #expect(Self.field(record, "eventName") == .string("PutItem"))
        #expect(Self.field(record, "eventTime") == .string("2027-01-01T00:00:00Z"))
        #expect(Self.field(record, "awsRegion") == .string("eu-west-1"))
        #expect(Self.field(record, "sourceIPAddress") == .string("10.1.2.3"))
        #expect(Self.field(record, "userAgent") == .string("test-agent"))
        #expect(Self.field(record, "readOnly") == .bool(false))
        #expect(Self.field(record, "requestParameters") == .object(["tableName": .string("Orders"), "returnValues": .string("ALL_OLD")]))
        #expect(Self.field(record, "userIdentity") == .object(["type": .string("Unknown"), "accessKeyId": .string("AKIACLAIMED000000001")]))
    }

    @Test("batch and transaction table names; resources")
    func tables() throws {
        let batch = try Self.event(
            "DynamoDB_20120810.BatchGetItem", #"{"RequestItems":{"B":{"Keys":[{"pk":{"S":"v"}}]},"A":{"Keys":[]}}}"#)
        #expect(batch.tableNames == ["A", "B"])
        #expect(batch.requestParameters["requestItems"] == .array([.object(["tableName": .string("A")]), .object(["tableName": .string("B")])]))
        let transaction = try Self.event(
            "DynamoDB_20120810.TransactWriteItems",
            #"{"TransactItems":[{"Put":{"TableName":"T","Item":{"pk":{"S":"v"}}}},{"ConditionCheck":{"TableName":"U","Key":{}}}]}"#)
        #expect(transaction.tableNames == ["T", "U"])
        let line = String(decoding: transaction.jsonLine(), as: UTF8.self)
        #expect(line.contains(#""ARN":"arn:aws:dynamodb:eu-west-1:000000000000:table/T""#))
    }

    @Test("error messages only for errors that cannot carry request data")
    func errorMessages() throws {
        let event = try Self.event("DynamoDB_20120810.GetItem", #"{"TableName":"T"}"#)
        let denied = event.finished(error: .unrecognizedClient())
        #expect(denied.errorCode == "UnrecognizedClientException")
        #expect(denied.errorMessage == "The security token included in the request is invalid.")
        let validation = event.finished(
            response: APIResponse(
                error: WireError(type: "com.amazon.coral.validate#ValidationException", message: "value 'x' bad"),
                contentType: "application/x-amz-json-1.0"))
        #expect(validation.errorCode == "ValidationException")
        #expect(validation.errorMessage == nil)
    }

    @Test("a full queue drops and counts, never blocks")
    func bounded() throws {
        let log = AuditLog(capacity: 2)
        let event = try Self.event("DynamoDB_20120810.GetItem", #"{"TableName":"T"}"#)
        for _ in 0..<5 { log.record(event) }
        #expect(log.dropped == 3)
    }
}
