import ArgumentParser
import Foundation
import KVServer
import KVStore

/// `kvctl restore --from FILE --data-dir DIR`: puts a backup in place of a stopped server's data.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Replace a data directory's database with a backup.",
        discussion: """
            The server must be stopped: kvctl refuses when another process has the database open.
            An existing database is replaced only with --force.
            """)

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The backup file (from kvctl backup).", valueName: "file"))
    var from: String

    @Option(help: ArgumentHelp("The server's data directory.", valueName: "dir"))
    var dataDir: String

    @Flag(help: "Replace an existing database.")
    var force = false

    func run() async throws {
        let target = DataFiles.databasePath(dataDir)
        let backup = try DataFiles.onDatabase { try OfflineDatabase(path: from, mode: .readOnly) }
        guard try DataFiles.onDatabase({ try backup.passesQuickCheck() }), backup.hasCatalog else {
            throw CLIError("\(from) is not a valid kvserver database")
        }
        if let pid = FileLockProbe.holder(of: [target] + DataFiles.sideFiles(target)) {
            throw CLIError("\(target) is open in process \(pid); stop the server before restoring")
        }
        if FileManager.default.fileExists(atPath: target) && !force {
            throw CLIError("\(target) exists; use --force to replace it")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(dataDir): \(error.localizedDescription)")
        }
        let temporary = "\(target).restore-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try DataFiles.onDatabase {
                let copy = try OfflineDatabase(path: temporary, mode: .create)
                try backup.backup(into: copy)
                try copy.useRollbackJournal()
                copy.close()
            }
            for path in DataFiles.sideFiles(target) where FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
            }
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if error is CLIError { throw error }
            throw CLIError("restore failed: \(error.localizedDescription)")
        }
        let report: JSONValue = .object(["restored": .string(target), "from": .string(from)])
        output.printer.document(report, table: TableText.pairs([("Restored", target), ("From", from)]))
    }
}
