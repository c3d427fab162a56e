import ArgumentParser
import Foundation
import Testing

@testable import KVCtlCore

/// `--help` of every command, compared with `Golden/<command path>.txt`.
/// Regenerate after an intended change: `KVCTL_UPDATE_GOLDEN=1 swift test --filter HelpGolden`.
@Suite struct HelpGoldenTests {
    static let commands: [(String, any ParsableCommand.Type)] = [
        ("kvctl", KVCtl.self),
        ("kvctl-table", TableCommand.self),
        ("kvctl-table-list", TableListCommand.self),
        ("kvctl-table-describe", TableDescribeCommand.self),
        ("kvctl-table-create", TableCreateCommand.self),
        ("kvctl-table-delete", TableDeleteCommand.self),
        ("kvctl-put", PutCommand.self),
        ("kvctl-get", GetCommand.self),
        ("kvctl-delete", DeleteCommand.self),
        ("kvctl-query", QueryCommand.self),
        ("kvctl-scan", ScanCommand.self),
        ("kvctl-sql", SQLCommand.self),
        ("kvctl-export", ExportCommand.self),
        ("kvctl-import", ImportCommand.self),
        ("kvctl-stream", StreamCommand.self),
        ("kvctl-stream-tail", StreamTailCommand.self),
        ("kvctl-trigger", TriggerCommand.self),
        ("kvctl-trigger-create", TriggerCreateCommand.self),
        ("kvctl-trigger-list", TriggerListCommand.self),
        ("kvctl-trigger-delete", TriggerDeleteCommand.self),
        ("kvctl-trigger-status", TriggerStatusCommand.self),
        ("kvctl-ttl", TTLCommand.self),
        ("kvctl-backup", BackupCommand.self),
        ("kvctl-backup-copy", BackupCopyCommand.self),
        ("kvctl-backup-create", BackupCreateCommand.self),
        ("kvctl-backup-list", BackupListCommand.self),
        ("kvctl-backup-restore", BackupRestoreCommand.self),
        ("kvctl-backup-delete", BackupDeleteCommand.self),
        ("kvctl-pitr", PITRCommand.self),
        ("kvctl-pitr-enable", PITREnableCommand.self),
        ("kvctl-pitr-disable", PITRDisableCommand.self),
        ("kvctl-pitr-status", PITRStatusCommand.self),
        ("kvctl-pitr-restore", PITRRestoreCommand.self),
        ("kvctl-restore", RestoreCommand.self),
        ("kvctl-check", CheckCommand.self),
        ("kvctl-auth", AuthCommand.self),
        ("kvctl-auth-check", AuthCheckCommand.self),
        ("kvctl-auth-simulate", AuthSimulateCommand.self),
        ("kvctl-faults", FaultsCommand.self),
        ("kvctl-faults-set", FaultsSetCommand.self),
        ("kvctl-faults-list", FaultsListCommand.self),
        ("kvctl-faults-clear", FaultsClearCommand.self),
        ("kvctl-metrics", MetricsCommand.self),
        ("kvctl-top", TopCommand.self),
    ]

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    @Test(arguments: commands.map(\.0))
    func helpMatchesGolden(name: String) throws {
        let command = try #require(Self.commands.first { $0.0 == name }?.1)
        let help = KVCtl.helpMessage(for: command, columns: 100) + "\n"
        let file = Self.goldenDirectory.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["KVCTL_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try help.write(to: file, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(help == golden, "help of \(name) changed; regenerate with KVCTL_UPDATE_GOLDEN=1 if intended")
    }

    @Test func everySubcommandHasAGoldenFile() {
        func paths(_ command: any ParsableCommand.Type, prefix: String) -> [String] {
            let name = prefix.isEmpty ? "kvctl" : prefix
            return [name]
                + command.configuration.subcommands.flatMap {
                    paths($0, prefix: name + "-" + ($0.configuration.commandName ?? ""))
                }
        }
        #expect(Set(paths(KVCtl.self, prefix: "")) == Set(Self.commands.map(\.0)))
    }
}
