import Testing

@testable import KVServer

/// `KEYID/DAY/REGION/SERVICE/aws4_request`: exactly five `/`-separated parts, empty ones
/// counted, found within the credential's range of the `Authorization` header only
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, credential scope).
@Suite("SigV4 credential scope")
struct CredentialScopeTests {
    /// The parts of `credential` placed at `offset` in a header of other bytes with slashes.
    static func parts(_ credential: String, offset: Int = 7) -> [String]? {
        let header = Array("x/y/z/w".utf8.prefix(offset)) + Array(credential.utf8) + Array("/a/b".utf8)
        return header.withUnsafeBufferPointer { bytes in
            let range = offset..<(offset + credential.utf8.count)
            return CredentialScope(range, in: bytes).map { scope in
                [scope.accessKeyID, scope.day, scope.region, scope.service, scope.terminator].map {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)
                }
            }
        }
    }

    @Test("five parts, empty ones counted; four or six are refused")
    func parts() {
        #expect(Self.parts("AKID/20261207/us-east-1/dynamodb/aws4_request") == ["AKID", "20261207", "us-east-1", "dynamodb", "aws4_request"])
        #expect(Self.parts("AKID/20261207/us-east-1/dynamodb/aws4_request", offset: 0)?.first == "AKID")
        #expect(Self.parts("////") == ["", "", "", "", ""])
        #expect(Self.parts("a/b/c/d") == nil)
        #expect(Self.parts("a/b/c/d/e/f") == nil)
        #expect(Self.parts("a/b/c/d/") == ["a", "b", "c", "d", ""])
        #expect(Self.parts("") == nil)
        #expect(Self.parts("abcde") == nil)
    }
}
