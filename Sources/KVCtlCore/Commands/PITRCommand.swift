import ArgumentParser
import Foundation
import KVServer

/// `kvctl pitr enable|disable|status|restore`: point-in-time recovery through the API.
struct PITRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pitr", abstract: "Point-in-time recovery: turn it on or off, show it, restore a past second.",
        subcommands: [PITREnableCommand.self, PITRDisableCommand.self, PITRStatusCommand.self, PITRRestoreCommand.self])
}

/// `kvctl pitr enable TABLE [--days N]` (UpdateContinuousBackups).
struct PITREnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Turn point-in-time recovery on (UpdateContinuousBackups).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Recovery period, 1-35 days (default: 35).", valueName: "days"))
    var days: Int?

    func validate() throws {
        if let days, !(1...35).contains(days) { throw ValidationError("--days must be between 1 and 35") }
    }

    func run() async throws {
        var specification: [String: JSONValue] = ["PointInTimeRecoveryEnabled": .bool(true)]
        if let days { specification["RecoveryPeriodInDays"] = .number(String(days)) }
        let response = try await global.client().call(
            "UpdateContinuousBackups",
            .object(["TableName": .string(table), "PointInTimeRecoverySpecification": .object(specification)]))
        PITRText.print(response, global.printer)
    }
}

/// `kvctl pitr disable TABLE`.
struct PITRDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Turn point-in-time recovery off, dropping its history.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    func run() async throws {
        let response = try await global.client().call(
            "UpdateContinuousBackups",
            .object([
                "TableName": .string(table),
                "PointInTimeRecoverySpecification": .object(["PointInTimeRecoveryEnabled": .bool(false)]),
            ]))
        PITRText.print(response, global.printer)
    }
}

/// `kvctl pitr status TABLE` (DescribeContinuousBackups).
struct PITRStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show point-in-time recovery and the restorable window.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    func run() async throws {
        let response = try await global.client().call("DescribeContinuousBackups", .object(["TableName": .string(table)]))
        PITRText.print(response, global.printer)
    }
}

/// `kvctl pitr restore TABLE --to NEW [--at TIME]` (RestoreTableToPointInTime).
struct PITRRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a table as it was at a past second into a new table.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Source table name.")
    var table: String

    @Option(help: ArgumentHelp("Name of the new table.", valueName: "table"))
    var to: String

    @Option(
        help: ArgumentHelp(
            "The moment: epoch seconds or ISO 8601 (2026-01-31T12:00:00Z). Default: the latest restorable time.",
            valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, PITRText.epochSeconds(at) == nil {
            throw ValidationError("--at must be epoch seconds or an ISO 8601 time, got '\(at)'")
        }
    }

    func run() async throws {
        var request: [String: JSONValue] = ["SourceTableName": .string(table), "TargetTableName": .string(to)]
        if let at, let seconds = PITRText.epochSeconds(at) {
            request["RestoreDateTime"] = .number(String(seconds))
        } else {
            request["UseLatestRestorableTime"] = .bool(true)
        }
        let client = try global.client()
        _ = try await client.call("RestoreTableToPointInTime", .object(request))
        let description = try await AsyncCompletion.table(client, name: .string(to))
        global.printer.document(description, table: BackupText.restored(description))
    }
}

enum PITRText {
    static func print(_ response: JSONValue, _ printer: Printer) {
        let recovery = response["ContinuousBackupsDescription"]?["PointInTimeRecoveryDescription"] ?? .object([:])
        var pairs = [("Status", recovery["PointInTimeRecoveryStatus"]?.stringValue ?? "?")]
        for (label, key) in [("Days", "RecoveryPeriodInDays"), ("Earliest", "EarliestRestorableDateTime"),
                             ("Latest", "LatestRestorableDateTime")] {
            if let value = recovery[key] { pairs.append((label, TableText.cell(value))) }
        }
        printer.document(recovery, table: TableText.pairs(pairs))
    }

    /// Epoch seconds, from epoch seconds or an ISO 8601 time.
    static func epochSeconds(_ text: String) -> Double? {
        if let seconds = Double(text), seconds.isFinite { return seconds }
        return ISO8601DateFormatter().date(from: text)?.timeIntervalSince1970
    }
}
