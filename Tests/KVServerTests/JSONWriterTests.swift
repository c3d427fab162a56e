import Testing

@testable import KVServer

@Suite("JSONWriter")
struct JSONWriterTests {
    func text(_ value: JSONValue) -> String { String(decoding: JSONWriter.encode(value), as: UTF8.self) }

    @Test(
        "scalars and containers",
        arguments: [
            (JSONValue.null, "null"),
            (.bool(true), "true"),
            (.bool(false), "false"),
            (.number("1.50"), "1.50"),
            (.string(""), #""""#),
            (.array([]), "[]"),
            (.object([:]), "{}"),
            (.array([.number("1"), .string("a"), .null]), #"[1,"a",null]"#),
            (.object(["k": .array([.bool(true)])]), #"{"k":[true]}"#),
        ])
    func compact(_ value: JSONValue, _ expected: String) {
        #expect(text(value) == expected)
    }

    @Test(
        "escapes",
        arguments: [
            ("a\"b", #""a\"b""#),
            ("a\\b", #""a\\b""#),
            ("/", #""/""#),
            ("\u{8}\u{C}\n\r\t", #""\b\f\n\r\t""#),
            ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
            ("\u{7F}é😀\u{2028}", "\"\u{7F}é😀\u{2028}\""),
        ])
    func escapes(_ string: String, _ expected: String) {
        #expect(text(.string(string)) == expected)
    }

    @Test func nonContiguousStrings() {
        // A bridged/lazy string takes the fallback path.
        let substring = "xx\"yy".dropFirst()
        #expect(text(.string(String(substring))) == #""x\"yy""#)
    }
}

@Suite struct JSONWriterEscapingProperties {
    /// Strings long enough for the eight-bytes-at-a-time path, with characters that need escaping
    /// at every offset, come back unchanged and never carry a raw control character.
    @Test func randomStringsRoundTrip() throws {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "é", "✓", "🎉", "/", "~", "\u{7F}"]
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let bytes = JSONWriter.encode(.string(text))
            #expect(try JSONParser.parse(bytes) == .string(text))
            #expect(!bytes.contains { $0 < 0x20 })
        }
    }
}


@Suite struct JSONRawByteCount {
    /// What the response buffer reserves for: the raw fragments of a Query answer
    /// (`{"Items":[raw...],"Count":..}`) and of a BatchGetItem answer, one level deeper; plain
    /// members count nothing, and nesting below three levels is not walked.
    @Test func countsTheRawFragmentsOfTheFirstLevels() {
        let page = JSONValue.object(["Items": .raw(Array(repeating: 0x20, count: 700)), "Count": .number("3")])
        #expect(page.rawByteCount == 700)
        let batch = JSONValue.object([
            "Responses": .object(["T": .array([.raw([1, 2, 3]), .raw([4, 5])])]), "UnprocessedKeys": .object([:]),
        ])
        #expect(batch.rawByteCount == 5)
        #expect(JSONValue.array([.array([.array([.array([.raw([1])])])])]).rawByteCount == 0)
        #expect(JSONValue.string("x").rawByteCount == 0)
    }
}
