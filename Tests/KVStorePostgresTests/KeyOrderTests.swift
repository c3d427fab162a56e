import KVStore
import KVStorePostgres
import NIOCore
import PostgresNIO
import Testing

/// PostgreSQL's order of stored keys is DynamoDB's order: `bytea` compares bytes as unsigned,
/// then the shorter first, and KVStore's `KeyEncoding` is built for exactly that comparison.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
/// (numbers by value; strings by UTF-8 bytes; binary as unsigned bytes).
@Suite(.timeLimit(.minutes(2))) struct KeyOrderTests {
    @Test func numbersComeBackInNumericOrder() async throws {
        let texts = [
            "10.5", "-1e10", "0", "1e-130", "-0.001", "99999999999999999999999999999999999999", "2", "-100",
            "1e125", "0.001", "-2.5", "1", "10", "-9.9999999999999999999999999999999999999e125", "100",
        ]
        var numbers: [Number] = []
        for text in texts { numbers.append(try Number(parsing: text)) }
        let expected = numbers.sorted()
        let stored = try await storedOrder(numbers.map(AttributeValue.number))
        #expect(stored == expected.map(AttributeValue.number))
    }

    @Test func stringsComeBackInUTF8ByteOrder() async throws {
        let strings = ["b", "", "a", "aa", "B", "é", "日本", "\u{10000}", "\u{FFFD}", "z", "a\u{0}", "Z"]
        // UTF-8 byte order (which is code point order, not UTF-16's: U+10000 sorts after U+FFFD).
        let expected = strings.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let stored = try await storedOrder(strings.map(AttributeValue.string))
        #expect(stored == expected.map(AttributeValue.string))
    }

    @Test func binaryComesBackInUnsignedByteOrder() async throws {
        let values: [[UInt8]] = [[0xFF], [0x00], [0x7F, 0x01], [0x80], [], [0x00, 0x00], [0x7F]]
        let expected = values.sorted { $0.lexicographicallyPrecedes($1) }
        let stored = try await storedOrder(values.map(AttributeValue.binary))
        #expect(stored == expected.map(AttributeValue.binary))
    }

    /// Stores each value as the sort key of one partition and reads them back in primary-key order.
    private func storedOrder(_ values: [AttributeValue]) async throws -> [AttributeValue] {
        var byBytes: [[UInt8]: AttributeValue] = [:]
        for value in values {
            let bytes = try #require(KeyEncoding.encode(value))
            byBytes[bytes] = value
        }
        let valueOf = byBytes
        return try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            for bytes in valueOf.keys {
                let key = RowKey(storageID: 1, hash: 7, pk: Array("p".utf8), sk: bytes)
                try await items.conditionalWrite(key) { _ in (.put(ItemRow(item: [1], size: 1)), ()) }
            }
            var order: [AttributeValue] = []
            let rows = try await pool.client.query(
                "SELECT sk FROM kv_items WHERE storage_id = 1 AND h = 7 ORDER BY storage_id, h, pk, sk",
                logger: TestPostgres.logger)
            for try await sk in rows.decode(ByteBuffer.self) {
                order.append(try #require(valueOf[Array(sk.readableBytesView)]))
            }
            return order
        }
    }
}
