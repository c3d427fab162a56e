import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import KVServer

/// Faults applied by the request processor: the one place they take effect (`FaultEffect`).
@Suite struct FaultProcessingTests {
    final class Seen: Sendable {
        let calls = Mutex<[String?]>([])
    }

    static func processor(_ rules: [FaultRule], seen: Seen) -> APIRequestProcessor {
        let router = Router(operations: [
            "PutItem": { _, context in
                seen.calls.withLock { $0.append(context.injectedFault) }
                return .object([:])
            }
        ])
        var processor = APIRequestProcessor(
            router: router, authenticator: AcceptAnyCredentialsAuthenticator(), logger: Logger(label: "test"))
        processor.faults = FaultInjector(rules: rules)
        return processor
    }

    static func put(_ processor: APIRequestProcessor, table: String = "T") async -> APIResponse {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        head.headers.add(name: "X-Amz-Target", value: "DynamoDB_20120810.PutItem")
        head.headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
        head.headers.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
        return await processor.process(
            head: head, body: ByteBuffer(string: #"{"TableName": "\#(table)", "Item": {}}"#), localAddress: "127.0.0.1:8000",
            requestID: "r")
    }

    static func rule(table: String = "*", error: InjectedError? = nil, drop: FaultRule.Drop? = nil) -> FaultRule {
        var rule = FaultRule()
        rule.table = table
        rule.error = error
        rule.drop = drop
        return rule
    }

    @Test func anErrorFaultAnswersWithoutRunningTheHandler() async {
        let seen = Seen()
        let processor = Self.processor([Self.rule(table: "T", error: .provisionedThroughputExceeded)], seen: seen)
        let response = await Self.put(processor)
        #expect(response.status == 400)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("ProvisionedThroughputExceededException"))
        #expect(body.contains("arn:aws:dynamodb:eu-west-1:000000000000:table/T"))
        #expect(seen.calls.withLock { $0 }.isEmpty)
        // Another table is not matched: the handler runs, unmarked.
        let other = await Self.put(processor, table: "U")
        #expect(other.status == 200)
        #expect(seen.calls.withLock { $0 } == [nil])
    }

    @Test func dropsCloseTheConnectionBeforeOrAfterTheHandler() async {
        let before = Seen()
        let dropped = await Self.put(Self.processor([Self.rule(drop: .beforeCommit)], seen: before))
        #expect(dropped.dropsConnection)
        #expect(before.calls.withLock { $0 }.isEmpty)

        let after = Seen()
        let answered = await Self.put(Self.processor([Self.rule(drop: .afterCommit)], seen: after))
        #expect(answered.dropsConnection)
        #expect(answered.status == 200)
        #expect(after.calls.withLock { $0 } == ["drop:afterCommit"])  // the label the metrics can read
    }

    @Test func withoutRulesNothingChanges() async {
        let seen = Seen()
        let response = await Self.put(Self.processor([], seen: seen))
        #expect(response.status == 200)
        #expect(!response.dropsConnection)
        #expect(seen.calls.withLock { $0 } == [nil])
    }

    @Test func anInjectedErrorLeavesAnAuditRecord() async {
        let seen = Seen()
        var processor = Self.processor([Self.rule(error: .internalServerError)], seen: seen)
        let log = AuditLog()
        processor.auditLog = log
        let response = await Self.put(processor)
        #expect(response.status == 500)
        log.finish()
        var codes: [String?] = []
        for await event in log.stream { codes.append(event.errorCode) }
        #expect(codes == ["InternalServerError"])
    }
}

