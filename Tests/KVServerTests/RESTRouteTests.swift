import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

/// REST routes (Lambda's control plane) beside the DynamoDB protocol's `POST /`.
@Suite struct RESTRouteTests {
    static func processor() -> APIRequestProcessor {
        var router = Router(operations: ["ListTables": { _, _ in .object(["TableNames": .array([])]) }])
        router.restRoutes.append(
            RESTRoute(
                prefix: "/2015-03-31/event-source-mappings", service: "lambda",
                authorization: LambdaControlPlane.authorization
            ) { request in
                let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                let text = "\(request.method.rawValue) \(request.path) \(query) \(request.body.count) \(request.context.region)"
                return APIResponse(status: 202, contentType: "application/json", body: Array(text.utf8))
            })
        return APIRequestProcessor(router: router, authenticator: AcceptAnyCredentialsAuthenticator(), logger: Logger(label: "test"))
    }

    static let authorization =
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00"

    static func send(_ method: HTTPMethod, _ uri: String, body: String = "", signed: Bool = true, target: String? = nil) async
        -> APIResponse
    {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        if signed { head.headers.add(name: "Authorization", value: authorization) }
        if let target {
            head.headers.add(name: "X-Amz-Target", value: target)
            head.headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
        }
        return await processor().process(
            head: head, body: ByteBuffer(string: body), localAddress: "127.0.0.1:8000", requestID: "r")
    }

    @Test func restPathsReachTheirRouteWithDecodedQuery() async {
        let response = await Self.send(.GET, "/2015-03-31/event-source-mappings/?FunctionName=a%20b&MaxItems=2")
        #expect(response.status == 202)
        #expect(String(decoding: response.body, as: UTF8.self) == "GET /2015-03-31/event-source-mappings/ FunctionName=a b&MaxItems=2 0 eu-west-1")
        let put = await Self.send(.PUT, "/2015-03-31/event-source-mappings/u-1", body: "{}")
        #expect(String(decoding: put.body, as: UTF8.self) == "PUT /2015-03-31/event-source-mappings/u-1  2 eu-west-1")
    }

    @Test func restPathsAreAuthenticatedLikeEveryRequest() async {
        let response = await Self.send(.GET, "/2015-03-31/event-source-mappings/", signed: false)
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("MissingAuthenticationToken"))
    }

    @Test func dynamoDBRequestsAndOtherPathsAreUnchanged() async {
        let listed = await Self.send(.POST, "/", body: "{}", target: "DynamoDB_20120810.ListTables")
        #expect(listed.status == 200)
        let other = await Self.send(.POST, "/2015-03-31/functions/f/invocations", body: "{}")
        #expect(other.status != 202)
    }

    @Test(arguments: [("a%20b", "a b"), ("%E2%82%AC", "€"), ("plain", "plain"), ("a+b", "a+b")])
    func percentDecoding(text: String, decoded: String) {
        #expect(RESTRoute.percentDecoded(text) == decoded)
    }

    @Test(arguments: ["%", "%4", "%zz", "%FF"])
    func malformedEscapes(text: String) {
        #expect(RESTRoute.percentDecoded(text) == nil)
    }
}
