import Testing

@testable import KVStore

/// The Ion text of ION exports and imports: DynamoDB's type mapping both ways.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
@Suite struct IonTextTests {
    static func number(_ text: String) throws -> AttributeValue { .number(try Number(parsing: text)) }

    static func written(_ item: Item) -> String {
        var out: [UInt8] = []
        IonTextWriter.line(item, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func writesTheDocumentedMapping() throws {
        let item: Item = [
            "Id": try Self.number("103"), "Price": try Self.number("-2.5"), "Title": .string("Book \"103\""),
            "InPublication": .bool(false), "Authors": .stringSet(["Author1"]), "Cover": .binary([0, 1]),
            "Nothing": .null, "Ratings": .numberSet([try Number(parsing: "5")]), "Blobs": .binarySet([[0xFF]]),
            "Details": .map(["pages": .list([try Self.number("600"), .string("a\nb")])]), "two words": .string(""),
        ]
        #expect(Self.written(item) == """
            $ion_1_0 {Item:{Authors:$dynamodb_SS::["Author1"],Blobs:$dynamodb_BS::[{{/w==}}],Cover:{{AAE=}},\
            Details:{pages:[600.,"a\\nb"]},Id:103.,InPublication:false,Nothing:null,Price:-2.5,\
            Ratings:$dynamodb_NS::[5.],Title:"Book \\"103\\"",'two words':""}}

            """)
    }

    @Test func roundTrips() throws {
        let item: Item = [
            "k": .string("é ☃ \u{7} ' \\"), "n": try Self.number("1E+30"), "m": .map(["null": .bool(true), "$1": .null]),
            "l": .list([.stringSet(["x", "y"]), .numberSet([try Number(parsing: "0.001")]), .binarySet([[1], [2]])]),
        ]
        var reader = IonTextReader(Array(Self.written(item).utf8))
        #expect(try reader.nextItem() == item)
        #expect(try reader.nextItem() == nil)
    }

    @Test(arguments: [
        ("1", "1"), ("1.", "1"), ("1.50", "1.5"), ("1d3", "1000"), ("1.5D-2", "0.015"), ("2e3", "2000"),
        ("-0.5e1", "-5"), ("1_000", "1000"),
    ])
    func readsNumbers(_ text: String, _ expected: String) throws {
        var reader = IonTextReader(Array("{Item:{n:\(text)}}".utf8))
        #expect(try reader.nextItem() == ["n": try Self.number(expected)])
    }

    @Test(arguments: ["{Item:{n:0x10}}", "{Item:{n:nan}}", "{Item:{s:(a b)}}", "{Item:{s:\"open}}", "{Item:1}", "[1]",
                      "{Item:{b:{{!!}}}}", "{Item:{s:$dynamodb_SS::[1]}}", "{Item:{t:2007-01-01T}}"])
    func refusesWhatDynamoDBCannotHold(_ text: String) {
        var reader = IonTextReader(Array(text.utf8))
        #expect(throws: IonTextReader.Malformed.self) { _ = try reader.nextItem() }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        var reader = IonTextReader(Array("{Item:{l:\(deep)}}".utf8))
        #expect(throws: IonTextReader.Malformed.self) { _ = try reader.nextItem() }
    }
}
