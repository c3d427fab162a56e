import ArgumentParser
import Foundation
import KVServer
import KVStore

/// `kvctl backup ...`: on-demand backups through the API (create, list, restore, delete), and
/// `kvctl backup --data-dir DIR --to FILE` (the default subcommand, `copy`), the offline copy
/// of a server's database file.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Create, list, restore and delete table backups; copy a data directory.",
        discussion: """
            create/list/restore/delete use DynamoDB's backup API (CreateBackup, ListBackups,
            RestoreTableFromBackup, DeleteBackup). Without a subcommand, copies a data directory's
            database file (kvctl backup --data-dir DIR --to FILE).
            """,
        subcommands: [
            BackupCopyCommand.self, BackupCreateCommand.self, BackupListCommand.self, BackupRestoreCommand.self,
            BackupDeleteCommand.self,
        ],
        defaultSubcommand: BackupCopyCommand.self)
}

/// `kvctl backup [copy] --data-dir DIR --to FILE`: a consistent copy of a server's database file,
/// safe while the server runs.
struct BackupCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy", abstract: "Copy a data directory's database to one file, even while the server runs.",
        discussion: """
            Uses SQLite's online backup API, so the copy is a consistent snapshot of committed
            data. The result is a single self-contained SQLite file; restore it with kvctl restore.
            """)

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The server's data directory (holding kvstore.sqlite).", valueName: "dir"))
    var dataDir: String

    @Option(help: ArgumentHelp("The backup file to write.", valueName: "file"))
    var to: String

    @Flag(help: "Replace the backup file if it exists.")
    var force = false

    func run() async throws {
        let source = DataFiles.databasePath(dataDir)
        if FileManager.default.fileExists(atPath: to) && !force {
            throw CLIError("\(to) exists; use --force to replace it")
        }
        let temporary = "\(to).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let from = try DataFiles.openExisting(source)
            try DataFiles.onDatabase {
                let copy = try OfflineDatabase(path: temporary, mode: .create)
                try from.backup(into: copy)
                from.close()
                // A single file: no WAL to carry around.
                try copy.useRollbackJournal()
                copy.close()
            }
            if FileManager.default.fileExists(atPath: to) { try FileManager.default.removeItem(atPath: to) }
            try FileManager.default.moveItem(atPath: temporary, toPath: to)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if error is CLIError { throw error }
            throw CLIError("backup failed: \(error.localizedDescription)")
        }
        let report: JSONValue = .object([
            "source": .string(source), "backup": .string(to), "bytes": .number(String(DataFiles.fileSize(to))),
        ])
        output.printer.document(report, table: TableText.pairs([("Backup", to), ("Bytes", String(DataFiles.fileSize(to)))]))
    }
}

/// Just `--output`, for commands that do not talk to an endpoint.
struct OutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output format: table, json or jsonl (default: table on a terminal, jsonl otherwise).",
            valueName: "format"))
    var output: OutputFormat?

    var printer: Printer { Printer(format: output ?? (Terminal.stdoutIsTTY ? .table : .jsonl)) }
}
