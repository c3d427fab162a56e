import Testing

@testable import KVServer

@Suite("JSONParser")
struct JSONParserTests {
    @Test(
        "valid documents",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("0", .number("0")),
            ("-0", .number("-0")),
            ("12345678901234567890123456789012345678", .number("12345678901234567890123456789012345678")),
            ("-1.5e+10", .number("-1.5e+10")),
            ("1E-130", .number("1E-130")),
            ("0.000", .number("0.000")),
            (#""""#, .string("")),
            (#""abc""#, .string("abc")),
            (" \t\r\n[ ] \n", .array([])),
            ("{}", .object([:])),
            (#"[1,"a",null,true,{"k":[]}]"#, .array([.number("1"), .string("a"), .null, .bool(true), .object(["k": .array([])])])),
            (#"{"a":1,"b":{"c":"d"}}"#, .object(["a": .number("1"), "b": .object(["c": .string("d")])])),
            (#"{"a":1,"a":2}"#, .object(["a": .number("2")])),
            (#"{ "a" : [ 1 , 2 ] }"#, .object(["a": .array([.number("1"), .number("2")])])),
        ])
    func valid(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(
        "invalid documents",
        arguments: [
            "", " ", "nul", "tru", "True", "NULL", "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN",
            "Infinity", "-Infinity", "1 2", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
            "{'a':1}", "[", "]", "{", "}", "{\"a\":1", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"",
            "\"a\nb\"", "\"\u{0}\"", "[1]x", "{}{}", "\"\\\"", "//", "/* */ 1", "\u{FEFF}1",
        ])
    func invalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test(
        "string escapes",
        arguments: [
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
            (#""\u0041\u00e9\u4E2D""#, "A\u{E9}\u{4E2D}"),
            (#""\u0000""#, "\u{0}"),
            (#""a\u0020b""#, "a b"),
            (#""\ud83d\ude00""#, "\u{1F600}"),
            (#""\uD834\uDD1E x""#, "\u{1D11E} x"),
            (#""é—😀""#, "é—😀"),
            (#""x\ny é""#, "x\ny é"),
        ])
    func escapes(_ text: String, _ expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test(
        "invalid surrogates",
        arguments: [
            #""\ud83d""#, #""\ud83dx""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#, #""\ud83d\n""#,
        ])
    func invalidSurrogates(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.reason == .invalidSurrogate)
        }
    }

    @Test(
        "invalid UTF-8 is rejected",
        arguments: [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x5C, 0x6E, 0x80, 0x22],
            [0x22, 0xE2, 0x82],
        ] as [[UInt8]])
    func invalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func controlCharacterReason() {
        do {
            _ = try JSONParser.parse("\"a\u{1F}\"")
            Issue.record("expected an error")
        } catch {
            #expect(error == JSONParseError(.controlCharacterInString, at: 2))
        }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        _ = try JSONParser.parse(ok)
        let tooDeep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(tooDeep) }
        let objects = String(repeating: #"{"a":"#, count: 300) + "1" + String(repeating: "}", count: 300)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
        // Far beyond any stack: still just an error.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(hostile) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(ok, maxDepth: 10) }
    }

    @Test func neverTrapsOnTruncations() {
        let document = #"{"a":[1,-2.5e3,"x\u00e9\ud83d\ude00",true,false,null,{"b":{}}],"c":"\n"}"#
        let bytes = Array(document.utf8)
        _ = try? JSONParser.parse(bytes)
        for end in 0..<bytes.count {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(bytes[0..<end])) }
        }
        // Every single-byte corruption either parses or throws.
        for position in 0..<bytes.count {
            for replacement: UInt8 in [0x00, 0x22, 0x5C, 0x7B, 0x5D, 0xFF, 0x30] {
                var corrupted = bytes
                corrupted[position] = replacement
                _ = try? JSONParser.parse(corrupted)
            }
        }
    }

    @Test func roundTrip() throws {
        let value = JSONValue.object([
            "S": .string("quote \" backslash \\ slash / controls \u{0}\u{1F}\n\t é 😀"),
            "N": .number("-12.5E+3"),
            "L": .array([.null, .bool(true), .bool(false), .array([]), .object([:])]),
            "M": .object(["nested": .object(["deeper": .array([.string("")])])]),
            "": .string("empty key"),
        ])
        let encoded = JSONWriter.encode(value)
        #expect(try JSONParser.parse(encoded) == value)
    }
    /// Strings are scanned eight bytes at a time: a byte that ends the plain run (quote,
    /// backslash, control character) or needs UTF-8 validation must be found wherever it falls
    /// relative to those words.
    @Test func specialBytesAtEveryOffsetOfALongString() throws {
        for length in 0..<40 {
            for offset in 0...length {
                let prefix = String(repeating: "a", count: offset)
                let suffix = String(repeating: "b", count: length - offset)
                // An escape at `offset`.
                #expect(try JSONParser.parse("\"\(prefix)\\n\(suffix)\"") == .string(prefix + "\n" + suffix))
                // A two-byte character at `offset`.
                #expect(try JSONParser.parse("\"\(prefix)é\(suffix)\"") == .string(prefix + "é" + suffix))
                // A raw control character at `offset`: refused exactly there (after the quote).
                let control = Array("\"\(prefix)".utf8) + [0x01] + Array("\(suffix)\"".utf8)
                #expect(throws: JSONParseError(.controlCharacterInString, at: 1 + offset)) { try JSONParser.parse(control) }
                // An invalid UTF-8 byte at `offset`.
                let invalid = Array("\"\(prefix)".utf8) + [0xFF] + Array("\(suffix)\"".utf8)
                #expect(throws: JSONParseError(.invalidUTF8, at: 1 + offset)) { try JSONParser.parse(invalid) }
                // The string ends at `offset` and the document goes on.
                #expect(try JSONParser.parse("[\"\(prefix)\",\"\(suffix)\"]") == .array([.string(prefix), .string(suffix)]))
            }
            // Unterminated, with no special byte at all.
            #expect(throws: JSONParseError(.unexpectedEndOfInput, at: 1 + length)) {
                try JSONParser.parse("\"" + String(repeating: "z", count: length))
            }
        }
    }

    @Test func randomStringsRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{1}", "\u{7F}", "é", "€", "😀", "\u{0}"]
        for _ in 0..<500 {
            let length = Int(generator.next() % 48)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let encoded = JSONWriter.encode(.object([text: .string(text)]))
            #expect(try JSONParser.parse(encoded) == .object([text: .string(text)]))
        }
    }

    @Test func objectsKeepTheLastOfDuplicateKeysAtEveryNesting() throws {
        let parsed = try JSONParser.parse(#"{"a":1,"b":{"x":[{"y":1,"y":2},{}],"x2":{"z":{"w":"v"}}},"a":{"k":"second"},"c":[]}"#)
        #expect(
            parsed
                == .object([
                    "a": .object(["k": .string("second")]),
                    "b": .object([
                        "x": .array([.object(["y": .number("2")]), .object([:])]),
                        "x2": .object(["z": .object(["w": .string("v")])]),
                    ]),
                    "c": .array([]),
                ]))
    }
}

