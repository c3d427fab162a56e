import Testing

@testable import KVServer

struct HTTPDateTests {
    /// RFC 9110 section 5.6.7's own example, and the epoch.
    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1_796_572_800, "Sun, 06 Dec 2026 16:00:00 GMT"),
    ])
    func formats(seconds: Int, expected: String) {
        #expect(HTTPDate.format(seconds) == expected)
    }

    @Test func nowIsCachedPerSecond() {
        var date = HTTPDate()
        let first = date.now()
        #expect(first.hasSuffix(" GMT"))
        #expect(first.count == 29)
    }
}
