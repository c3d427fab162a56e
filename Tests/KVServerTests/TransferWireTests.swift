import Testing

@testable import KVServer

/// Bucket names and key prefixes name directories under `--export-dir`: nothing may climb out.
/// See https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
@Suite struct TransferWireTests {
    @Test(arguments: [
        ("my-bucket", true), ("a.b.c", true), ("ab", false), ("..", false), ("a..b", false), ("../x", false),
        ("Upper", false), ("-start", false), ("end-", false), ("a/b", false), (String(repeating: "a", count: 64), false),
    ])
    func bucketNames(name: String, valid: Bool) {
        #expect(TransferWire.isBucketName(name) == valid)
    }

    @Test(arguments: [
        ("exports/daily", true), ("x/", true), ("", true), ("../etc", false), ("a/../../b", false), ("/abs", false),
        ("a/./b", false),
    ])
    func prefixes(prefix: String, safe: Bool) {
        #expect(TransferWire.isSafePrefix(prefix) == safe)
    }

    @Test func idsFromARNs() {
        let table = "arn:aws:dynamodb:us-east-1:000000000000:table/t"
        #expect(TransferWire.id(fromARN: table + "/export/0123-ab", kind: "export") == "0123-ab")
        #expect(TransferWire.id(fromARN: table + "/import/0123-ab", kind: "import") == "0123-ab")
        #expect(BackupWire.id(fromARN: table + "/backup/0123-ab") == "0123-ab")
    }
}
