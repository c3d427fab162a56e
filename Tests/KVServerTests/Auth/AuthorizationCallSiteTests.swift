import KVStore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import KVServer

/// The front end's authorization call: after a verified signature, the authorizer sees the
/// identity, operation, region, peer address and transport; without an authorizer a verified
/// request is denied (fail closed).
@Suite("Authorization call site")
struct AuthorizationCallSiteTests {
    static let keyID = "AKIACALLSITE00000001"
    static let secret = "call-site-secret"
    static let now: Int64 = 1_440_938_160

    final class Recorder: RequestAuthorizer {
        let inputs = Mutex<[AuthorizationInput]>([])
        let deny: Bool

        init(deny: Bool) { self.deny = deny }

        func authorize(_ input: AuthorizationInput) throws(WireError) {
            inputs.withLock { $0.append(input) }
            if deny {
                throw WireError(type: "com.amazon.coral.service#AccessDeniedException", message: "denied")
            }
        }
    }

    static func processor(authorizer: (any RequestAuthorizer)?) throws -> APIRequestProcessor {
        let configuration = try AuthConfiguration.parse(
            Array(
                """
                {"identities": [{"arn": "arn:aws:iam::111122223333:user/app",
                  "keys": [{"accessKeyId": "\(keyID)", "secretAccessKey": "\(secret)"}],
                  "policies": [{"Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"}]}]}]}
                """.utf8))
        return APIRequestProcessor(
            router: Router(operations: ["ListTables": { _, _ in .object([:]) }, "ListStreams": { _, _ in .object([:]) }]),
            authenticator: SigV4Authenticator(store: AuthConfigurationStore(configuration), clock: { Double(now) }),
            authorizer: authorizer, logger: Logger(label: "test"), clock: { Double(now) })
    }

    /// A request signed for `target` (the helper signs x-amz-target, so sign it here).
    static func signedHead(target: String) -> HTTPRequestHead {
        let amzDate = UTCTimestamp.basic(now)
        let pairs: [(String, String)] = [
            ("content-type", "application/x-amz-json-1.0"), ("host", "localhost:8000"), ("x-amz-date", amzDate),
            ("x-amz-target", target),
        ]
        let canonical = SigV4.canonicalRequest(
            method: "POST", path: "/", query: "", headers: pairs.map { (name: $0.0, value: $0.1) },
            payloadHash: SigV4.sha256Hex(Array("{}".utf8)))
        let scope = SigV4.scope(day: String(amzDate.prefix(8)), region: "eu-central-1", service: "dynamodb")
        let signature = SigV4.signature(
            signingKey: SigV4.signingKey(
                secret: secret, day: String(amzDate.prefix(8)), region: "eu-central-1", service: "dynamodb"),
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        for (name, value) in pairs { head.headers.add(name: name, value: value) }
        head.headers.add(
            name: "authorization",
            value: SigV4.authorization(
                accessKeyID: keyID, scope: scope, signedHeaders: SigV4.signedHeaders(pairs.map(\.0)),
                signature: signature))
        return head
    }

    @Test("the authorizer sees identity, operation, region, peer and transport")
    func inputs() throws {
        let recorder = Recorder(deny: false)
        let processor = try Self.processor(authorizer: recorder)
        let decision = processor.decide(
            head: Self.signedHead(target: "DynamoDBStreams_20120810.ListStreams"), body: ByteBuffer(string: "{}"),
            localAddress: "127.0.0.1:8000", connection: ConnectionInfo(remoteIP: "192.0.2.7", isSecure: true))
        guard case .call(let call) = decision else {
            Issue.record("expected a call, got \(decision)")
            return
        }
        #expect(call.context.region == "eu-central-1")
        let input = try #require(recorder.inputs.withLock { $0.first })
        #expect(input.identity.arn == "arn:aws:iam::111122223333:user/app")
        #expect(input.identity.accessKeyID == Self.keyID)
        #expect(input.operation == "ListStreams")
        #expect(input.isStreamsAPI)
        #expect(input.region == "eu-central-1")
        #expect(input.sourceIP == "192.0.2.7")
        #expect(input.secureTransport)
        #expect(input.currentTime == Double(Self.now))
    }

    @Test("a denial is the answer; no authorizer denies too")
    func denied() throws {
        for authorizer in [Recorder(deny: true) as (any RequestAuthorizer)?, nil] {
            let processor = try Self.processor(authorizer: authorizer)
            let decision = processor.decide(
                head: Self.signedHead(target: "DynamoDB_20120810.ListTables"), body: ByteBuffer(string: "{}"),
                localAddress: "127.0.0.1:8000")
            guard case .respond(let response) = decision else {
                Issue.record("expected an answer, got a call")
                continue
            }
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("AccessDeniedException"))
        }
    }
}
