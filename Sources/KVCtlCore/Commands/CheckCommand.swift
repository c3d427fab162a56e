import ArgumentParser
import Foundation
import KVServer
import KVStore

/// `kvctl check --data-dir DIR`: verifies a database file, with the server running or not.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify a data directory's database: integrity, schema version, index counts.",
        discussion: """
            Runs SQLite's integrity check, compares the file's schema version with the one this
            kvctl knows, decodes every item and checks that each secondary index holds exactly one
            row per item carrying the index's key attributes. Reads one consistent snapshot, so the
            server may keep running. Exits 1 when a problem is found.
            """)

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The server's data directory (holding kvstore.sqlite).", valueName: "dir"))
    var dataDir: String

    func run() async throws {
        let path = DataFiles.databasePath(dataDir)
        let database = try DataFiles.openExisting(path)
        let report = try DataFiles.onDatabase { try DatabaseCheck.run(database) }
        output.printer.document(report.json, table: report.text)
        if !report.problems.isEmpty {
            throw CLIError("check found \(report.problems.count) problem(s) in \(path)")
        }
    }
}

/// The checks, over an open database file.
struct DatabaseCheck {
    struct IndexCount {
        var name: String
        var rows: Int64
        var expected: Int64
    }

    struct TableCount {
        var name: String
        var items: Int64
        var indexes: [IndexCount]
    }

    var integrity: [String] = []
    var schemaVersion: Int64 = 0
    var tables: [TableCount] = []
    var problems: [String] = []
    var notes: [String] = []

    static func run(_ database: OfflineDatabase) throws -> DatabaseCheck {
        // One read transaction: every count comes from the same snapshot.
        try database.inSnapshot { try check(database) }
    }

    private static func check(_ database: OfflineDatabase) throws -> DatabaseCheck {
        var check = DatabaseCheck()
        check.integrity = try database.integrityCheck()
        if check.integrity != ["ok"] {
            check.problems += check.integrity.map { "integrity: \($0)" }
        }
        check.schemaVersion = Int64(try database.schemaVersion())
        let known = Int64(StorageInspection.schemaVersion)
        if check.schemaVersion > known || check.schemaVersion < 1 {
            check.problems.append("schema version is \(check.schemaVersion); this kvctl knows 1 to \(known)")
            return check
        }
        if check.schemaVersion < known {
            // Older files share the catalog/item/index layout; the server migrates them on start.
            check.notes.append("schema version \(check.schemaVersion) is older than \(known); kvserver upgrades it when it opens the file")
        }
        let decoder = JSONDecoder()
        for (name, text) in try database.catalogEntries() {
            guard let definition = try? decoder.decode(TableDefinition.self, from: Data(text.utf8)) else {
                check.problems.append("table \(name): the catalog definition cannot be decoded")
                continue
            }
            check.tables.append(try check.count(definition, in: database))
        }
        return check
    }

    private mutating func count(_ table: TableDefinition, in database: OfflineDatabase) throws -> TableCount {
        let itemTable = StorageInspection.itemTableName(storageID: table.storageID)
        var result = TableCount(name: table.name, items: 0, indexes: [])
        var expected = [Int64](repeating: 0, count: table.indexes.count)
        var undecodable = 0
        do {
            try database.forEachStoredItem(of: table) { bytes in
                result.items += 1
                guard let bytes, let item = try? StorageInspection.decodeItem(bytes) else {
                    undecodable += 1
                    return
                }
                for (position, index) in table.indexes.enumerated()
                where StorageInspection.belongsInIndex(item, index: index) {
                    expected[position] += 1
                }
            }
        } catch {
            problems.append("table \(table.name): cannot read \(itemTable)")
            return result
        }
        if undecodable > 0 { problems.append("table \(table.name): \(undecodable) item(s) cannot be decoded") }
        for (position, index) in table.indexes.enumerated() {
            let indexTable = StorageInspection.indexTableName(storageID: table.storageID, indexNumber: index.number)
            guard let rows = database.indexRowCount(of: index, in: table) else {
                problems.append("table \(table.name): index \(index.name) has no \(indexTable)")
                continue
            }
            result.indexes.append(IndexCount(name: index.name, rows: rows, expected: expected[position]))
            if index.backfilling { continue }
            if rows != expected[position] {
                problems.append(
                    "table \(table.name): index \(index.name) has \(rows) rows, \(expected[position]) items carry its key")
            }
        }
        return result
    }

    var json: JSONValue {
        .object([
            "ok": .bool(problems.isEmpty),
            "integrity": .array(integrity.map { .string($0) }),
            "schemaVersion": .number(String(schemaVersion)),
            "tables": .array(
                tables.map { table in
                    .object([
                        "name": .string(table.name), "items": .number(String(table.items)),
                        "indexes": .array(
                            table.indexes.map {
                                .object([
                                    "name": .string($0.name), "rows": .number(String($0.rows)),
                                    "expected": .number(String($0.expected)),
                                ])
                            }),
                    ])
                }),
            "problems": .array(problems.map { .string($0) }),
            "notes": .array(notes.map { .string($0) }),
        ])
    }

    var text: String {
        var out = TableText.pairs([
            ("Integrity", integrity.joined(separator: "; ")), ("Schema version", String(schemaVersion)),
            ("Tables", String(tables.count)),
        ])
        var rows: [[String]] = []
        for table in tables {
            rows.append([table.name, "", String(table.items), ""])
            for index in table.indexes {
                rows.append([table.name, index.name, String(index.rows), String(index.expected)])
            }
        }
        if !rows.isEmpty { out += "\n" + TableText.render(header: ["TABLE", "INDEX", "ROWS", "EXPECTED"], rows: rows) }
        out += notes.map { "NOTE: \($0)\n" }.joined()
        out += problems.isEmpty ? "\nOK\n" : "\n" + problems.map { "PROBLEM: \($0)\n" }.joined()
        return out
    }
}
