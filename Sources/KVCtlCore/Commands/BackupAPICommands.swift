import ArgumentParser
import KVServer

/// `kvctl backup create TABLE --name NAME` (CreateBackup).
struct BackupCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Take an on-demand backup of a table (CreateBackup).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Backup name (3-255 characters of a-z A-Z 0-9 _ . -).", valueName: "name"))
    var name: String

    func run() async throws {
        let client = try global.client()
        let response = try await client.call(
            "CreateBackup", .object(["TableName": .string(table), "BackupName": .string(name)]))
        var details = response["BackupDetails"] ?? .object([:])
        if let arn = details["BackupArn"] { details = try await AsyncCompletion.backup(client, arn: arn) }
        global.printer.document(details, table: BackupText.details(details))
    }
}

/// `kvctl backup list [TABLE]` (ListBackups, every page).
struct BackupListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List on-demand backups, of one table or all (ListBackups).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only the backups of this table.")
    var table: String?

    func run() async throws {
        let client = try global.client()
        var summaries: [JSONValue] = []
        var start: JSONValue?
        repeat {
            var request: [String: JSONValue] = [:]
            if let table { request["TableName"] = .string(table) }
            if let start { request["ExclusiveStartBackupArn"] = start }
            let page = try await client.call("ListBackups", .object(request))
            summaries += page["BackupSummaries"]?.arrayValue ?? []
            start = page["LastEvaluatedBackupArn"]
        } while start != nil
        let rows = summaries.map { summary in
            ["BackupName", "TableName", "BackupStatus", "BackupSizeBytes", "BackupArn"].map {
                summary[$0].map(TableText.cell) ?? ""
            }
        }
        let sink = global.printer.itemSink()
        if global.printer.format == .table {
            print(TableText.render(header: ["Name", "Table", "Status", "Bytes", "ARN"], rows: rows), terminator: "")
        } else {
            for summary in summaries { sink.add(summary) }
            sink.finish()
        }
    }
}

/// `kvctl backup restore ARN --to TABLE` (RestoreTableFromBackup).
struct BackupRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup into a new table (RestoreTableFromBackup).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The backup's ARN (see kvctl backup list).")
    var backupArn: String

    @Option(help: ArgumentHelp("Name of the new table.", valueName: "table"))
    var to: String

    func run() async throws {
        let client = try global.client()
        _ = try await client.call(
            "RestoreTableFromBackup", .object(["BackupArn": .string(backupArn), "TargetTableName": .string(to)]))
        let description = try await AsyncCompletion.table(client, name: .string(to))
        global.printer.document(description, table: BackupText.restored(description))
    }
}

/// `kvctl backup delete ARN` (DeleteBackup).
struct BackupDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete an on-demand backup (DeleteBackup).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The backup's ARN.")
    var backupArn: String

    func run() async throws {
        let response = try await global.client().call("DeleteBackup", .object(["BackupArn": .string(backupArn)]))
        let details = response["BackupDescription"]?["BackupDetails"] ?? .object([:])
        global.printer.document(details, table: BackupText.details(details))
    }
}

/// Table-format summaries of backup answers.
enum BackupText {
    static func details(_ details: JSONValue) -> String {
        TableText.pairs(
            [("Name", "BackupName"), ("Status", "BackupStatus"), ("Bytes", "BackupSizeBytes"), ("ARN", "BackupArn")].map {
                ($0.0, details[$0.1].map(TableText.cell) ?? "")
            })
    }

    static func restored(_ description: JSONValue) -> String {
        TableText.pairs([
            ("Table", description["TableName"]?.stringValue ?? ""),
            ("Status", description["TableStatus"]?.stringValue ?? ""),
            ("Items", description["ItemCount"].map(TableText.cell) ?? ""),
        ])
    }
}
