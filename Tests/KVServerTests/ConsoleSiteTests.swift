import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

/// The web console's static files under `/console` (see `ConsoleSite`).
@Suite struct ConsoleSiteTests {
    static func processor(console: ConsoleSite? = ConsoleSite(authEnabled: false)) -> APIRequestProcessor {
        var router = Router(operations: ["ListTables": { _, _ in .object(["TableNames": .array([])]) }])
        router.console = console
        return APIRequestProcessor(router: router, authenticator: RejectingAuthenticator(), logger: Logger(label: "test"))
    }

    /// Verifies nothing: every request it sees is refused, so a page that answers was not authenticated.
    struct RejectingAuthenticator: Authenticator {
        func authenticate(_ request: AuthenticationRequest) throws(WireError) -> Authentication? {
            throw WireError.expiredToken
        }
    }

    static func get(_ uri: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], console: ConsoleSite? = ConsoleSite(authEnabled: false))
        async -> APIResponse
    {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        return await processor(console: console).process(
            head: head, body: ByteBuffer(), localAddress: "127.0.0.1:8000", requestID: "r")
    }

    static func header(_ response: APIResponse, _ name: String) -> String? {
        response.extraHeaders.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    @Test(arguments: [
        ("/console", "text/html; charset=utf-8"), ("/console/", "text/html; charset=utf-8"),
        ("/console/index.html", "text/html; charset=utf-8"), ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"), ("/console/icon.svg", "image/svg+xml"),
        ("/console/app.js?v=1", "text/javascript; charset=utf-8"),
    ])
    func filesAnswerWithTheirContentTypeWithoutAuthentication(uri: String, contentType: String) async {
        let response = await Self.get(uri)
        #expect(response.status == 200)
        #expect(response.contentType == contentType)
        #expect(!response.body.isEmpty)
        #expect(Self.header(response, "ETag")?.hasPrefix("\"") == true)
        #expect(Self.header(response, "Cache-Control") == "no-cache")
        #expect(Self.header(response, "X-Content-Type-Options") == "nosniff")
        #expect(Self.header(response, "Content-Security-Policy")?.contains("default-src 'self'") == true)
    }

    @Test func theIndexLoadsTheAppModule() async {
        let text = String(decoding: await Self.get("/console").body, as: UTF8.self)
        #expect(text.hasPrefix("<!doctype html>"))
        #expect(text.contains("<script type=\"module\" src=\"/console/app.js\"></script>"))
    }

    @Test(arguments: ["/console/nothing.js", "/console/../Package.swift", "/console/app.js/x", "/console/%2e%2e/x"])
    func unknownFilesAre404(uri: String) async {
        let response = await Self.get(uri)
        #expect(response.status == 404)
        #expect(response.contentType == "text/plain; charset=utf-8")
    }

    @Test func otherPathsAreNotTheConsoles() async {
        // `/consoles` is not under `/console/`: the DynamoDB front end answers it (unknown operation).
        let response = await Self.get("/consoles")
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self) == "<UnknownOperationException/>\n")
        #expect(ConsoleSite.claims("/console"))
        #expect(ConsoleSite.claims("/console?x"))
        #expect(!ConsoleSite.claims("/consolex"))
    }

    @Test func aMatchingETagAnswers304() async {
        let first = await Self.get("/console/app.js")
        let etag = Self.header(first, "ETag") ?? ""
        let again = await Self.get("/console/app.js", headers: [("If-None-Match", "\"other\", \(etag)")])
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        let stale = await Self.get("/console/app.js", headers: [("If-None-Match", "\"other\"")])
        #expect(stale.status == 200)
    }

    @Test func headAnswersLikeGet() async {
        let response = await Self.get("/console/app.js", method: .HEAD)
        #expect(response.status == 200)
        #expect(response.contentType == "text/javascript; charset=utf-8")
    }

    @Test func configSaysWhetherToSign() async {
        let off = await Self.get("/console/config.json")
        #expect(off.contentType == "application/json")
        #expect(String(decoding: off.body, as: UTF8.self) == #"{"auth":false,"region":"us-east-1"}"#)
        let on = await Self.get("/console/config.json", console: ConsoleSite(authEnabled: true, region: "eu-west-1\"x"))
        #expect(String(decoding: on.body, as: UTF8.self) == #"{"auth":true,"region":"eu-west-1x"}"#)
    }

    @Test func withoutAConsoleThePathIsAnUnknownOperation() async {
        let response = await Self.get("/console", console: nil)
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self) == "<UnknownOperationException/>\n")
    }

    @Test func postsAreNotServedPages() async {
        // A POST is the DynamoDB protocol's on any path: without a target, an unknown operation.
        let response = await Self.get("/console", method: .POST)
        #expect(response.status == 400)
        #expect(response.contentType == APIRequestProcessor.amzJSON10)
        #expect(String(decoding: response.body, as: UTF8.self).contains("UnknownOperationException"))
    }
}
