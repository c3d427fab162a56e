import NIOCore
import PostgresNIO

/// The prepared statements of item reads and writes (each pooled connection prepares them
/// once). Keys are bound as `bytea`: a `[UInt8]` would be sent as a `"char"[]` array.
enum ItemStatements {
    struct Select: PostgresPreparedStatement {
        static let sql = "SELECT size, item FROM kv_items WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk = $4"
        typealias Row = ItemRow
        let key: RowKey

        func makeBindings() throws -> PostgresBindings { key.bindings }

        func decodeRow(_ row: PostgresRow) throws -> ItemRow { try decodeItem(row) }
    }

    /// The item and, in the same statement (one snapshot), its table's catalog row: a point
    /// read checks that the table it reads is still the one of `key.storageID` without a
    /// statement of its own. One row when the table named `table` exists (its storage id, and
    /// the item or NULLs), none when it does not.
    struct SelectInTable: PostgresPreparedStatement {
        static let sql = """
            SELECT t.storage_id, i.size, i.item FROM kv_tables t
            LEFT JOIN kv_items i ON i.storage_id = $1 AND i.h = $2 AND i.pk = $3 AND i.sk = $4
            WHERE t.name = $5
            """
        typealias Row = TableItemRow
        let key: RowKey
        let table: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = key.bindings
            bindings.append(table)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> TableItemRow {
            let (storageID, size, item) = try row.decode((Int64, Int32?, ByteBuffer?).self)
            guard let size, let item else { return TableItemRow(storageID: storageID, item: nil) }
            return TableItemRow(storageID: storageID, item: ItemRow(item: Array(item.readableBytesView), size: size))
        }
    }

    /// The item, locked until the transaction ends: a concurrent writer of the same key waits.
    struct SelectForUpdate: PostgresPreparedStatement {
        static let sql =
            "SELECT size, item FROM kv_items WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk = $4 FOR UPDATE"
        typealias Row = ItemRow
        let key: RowKey

        func makeBindings() throws -> PostgresBindings { key.bindings }

        func decodeRow(_ row: PostgresRow) throws -> ItemRow { try decodeItem(row) }
    }

    /// As `SelectForUpdate`, but failing at once (55P03) when another transaction holds the row:
    /// TransactWriteItems rejects rather than waits, as DynamoDB does.
    struct SelectForUpdateNoWait: PostgresPreparedStatement {
        static let sql =
            "SELECT size, item FROM kv_items WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk = $4 FOR UPDATE NOWAIT"
        typealias Row = ItemRow
        let key: RowKey

        func makeBindings() throws -> PostgresBindings { key.bindings }

        func decodeRow(_ row: PostgresRow) throws -> ItemRow { try decodeItem(row) }
    }

    /// Inserts the item unless the key exists (a concurrent inserter committed first): then
    /// nothing is inserted and the caller sees a conflict.
    struct InsertIfAbsent: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO kv_items (storage_id, h, pk, sk, size, item) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING RETURNING 1
            """
        typealias Row = Int32
        let key: RowKey
        let item: ItemRow

        func makeBindings() throws -> PostgresBindings {
            var bindings = key.bindings
            bindings.append(item.size)
            bindings.append(ByteBuffer(bytes: item.item))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    struct Update: PostgresPreparedStatement {
        static let sql = """
            UPDATE kv_items SET size = $5, item = $6
            WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk = $4 RETURNING 1
            """
        typealias Row = Int32
        let key: RowKey
        let item: ItemRow

        func makeBindings() throws -> PostgresBindings {
            var bindings = key.bindings
            bindings.append(item.size)
            bindings.append(ByteBuffer(bytes: item.item))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    struct Delete: PostgresPreparedStatement {
        static let sql = "DELETE FROM kv_items WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk = $4 RETURNING 1"
        typealias Row = Int32
        let key: RowKey

        func makeBindings() throws -> PostgresBindings { key.bindings }

        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    static func decodeItem(_ row: PostgresRow) throws -> ItemRow {
        let (size, item) = try row.decode((Int32, ByteBuffer).self)
        return ItemRow(item: Array(item.readableBytesView), size: size)
    }
}

extension RowKey {
    var bindings: PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(storageID)
        bindings.append(hash)
        bindings.append(ByteBuffer(bytes: pk))
        bindings.append(ByteBuffer(bytes: sk))
        return bindings
    }
}

/// `ItemStatements.SelectInTable`'s row: the storage id the table's name has now, and the item.
struct TableItemRow: Sendable {
    var storageID: Int64
    var item: ItemRow?
}
