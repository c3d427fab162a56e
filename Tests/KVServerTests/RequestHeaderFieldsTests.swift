import NIOHTTP1
import Testing

@testable import KVServer

/// `RequestHeaderFields` finds in one walk what `HTTPHeaders.first(name:)` finds one name at a
/// time: any letter case, the first of repeated names, and nothing for look-alike names.
@Suite struct RequestHeaderFieldsTests {
    @Test func sameAnswersAsFirstName() {
        let headers = HTTPHeaders([
            ("HOST", "127.0.0.1:8000"), ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
            ("content-TYPE", "application/x-amz-json-1.0"), ("Authorization", "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request"),
            ("Content-Encoding", "gzip"), ("x-amz-target", "DynamoDB_20120810.PutItem"), ("Content_Type", "text/plain"),
            ("x-amz-targes", "no"), ("authorisation", "no"),
        ])
        // Walked directly, or by the walk that fills the verifier's headers (a verified request's).
        var scanned = SigV4RequestHeaders()
        for fields in [RequestHeaderFields(headers), RequestHeaderFields(verifying: headers, into: &scanned)] {
            #expect(fields.host == headers.first(name: "host"))
            #expect(fields.target == "DynamoDB_20120810.GetItem")
            #expect(fields.target == headers.first(name: "x-amz-target"))
            #expect(fields.contentType == headers.first(name: "content-type"))
            #expect(fields.authorization == headers.first(name: "authorization"))
            #expect(fields.contentEncoding == "gzip")
        }
        #expect(scanned.isRead && scanned.target == "DynamoDB_20120810.GetItem" && scanned.host == "127.0.0.1:8000")
    }

    @Test func absentHeadersAreNil() {
        let fields = RequestHeaderFields(HTTPHeaders([("Content_Type", "x"), ("Hos", "y"), ("Hosts", "z")]))
        #expect(fields.host == nil)
        #expect(fields.contentType == nil)
        #expect(fields.target == nil)
        #expect(fields.authorization == nil)
        #expect(fields.contentEncoding == nil)
    }
}
