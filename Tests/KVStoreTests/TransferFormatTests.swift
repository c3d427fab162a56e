import Testing

@testable import KVStore

/// The pure parts of exports and imports: manifest times and CSV records.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html
@Suite struct TransferFormatTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_604_474_914.028, "2020-11-04T07:28:34.028Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (4_102_444_799.999, "2099-12-31T23:59:59.999Z"),
    ])
    func isoTimes(seconds: Double, text: String) {
        #expect(ExportLayout.isoTime(seconds) == text)
    }

    @Test func exportKeys() {
        #expect(ExportLayout.exportKey(prefix: nil, id: "1-a") == "AWSDynamoDB/1-a")
        #expect(ExportLayout.exportKey(prefix: "daily", id: "1-a") == "daily/AWSDynamoDB/1-a")
        #expect(ExportLayout.exportKey(prefix: "daily/", id: "1-a") == "daily/AWSDynamoDB/1-a")
    }

    @Test(arguments: [
        ("a,b\n1,2\n", [["a", "b"], ["1", "2"]]),
        ("a,b\r\n1,2", [["a", "b"], ["1", "2"]]),
        ("\"x,y\",\"say \"\"hi\"\"\"\n", [["x,y", "say \"hi\""]]),
        ("\"two\nlines\",z\n\n", [["two\nlines", "z"]]),
        ("a,,c\n", [["a", "", "c"]]),
    ])
    func csvRecords(text: String, records: [[String]]) {
        #expect(CSVInput.records(Array(text.utf8), delimiter: UInt8(ascii: ",")) == records)
    }

    @Test func csvItemsTypeKeysAndKeepOthersAsStrings() {
        let schema = KeySchema(partitionKey: KeyAttribute(name: "id", type: .number))
        let definitions = [KeyAttribute(name: "id", type: .number)]
        let item = CSVInput.item(["7", "x", ""], header: ["id", "name", "empty"], definitions: definitions, keySchema: schema)
        #expect(item == ["id": .number(Number(7)), "name": .string("x")])
        #expect(CSVInput.item(["seven"], header: ["id"], definitions: definitions, keySchema: schema) == nil)
    }
}
