public import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The kvctl root command: every subcommand lives in its own file under `Commands/`.
public struct KVCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kvctl",
        abstract: "Administer a DynamoDB-compatible server (kvserver or DynamoDB itself).",
        discussion: """
            Items are plain JSON ({"pk": "a", "n": 1}); --raw switches to DynamoDB JSON.
            --endpoint, --region and --output may also come before the subcommand.
            Exit status: 0 success, 1 error answered by the endpoint or a failed check, 2 usage error.
            """,
        version: "0.1.0",
        subcommands: [
            TableCommand.self, PutCommand.self, GetCommand.self, DeleteCommand.self, QueryCommand.self,
            ScanCommand.self, SQLCommand.self, ExportCommand.self, ImportCommand.self, StreamCommand.self,
            TriggerCommand.self, TTLCommand.self, FaultsCommand.self,
            BackupCommand.self, PITRCommand.self, RestoreCommand.self, CheckCommand.self, AuthCommand.self,
            MetricsCommand.self, TopCommand.self,
        ]
    )

    public init() {}

    /// Parses the command line, runs the command and exits with kvctl's exit codes.
    public static func runAsMain() async -> Never {
        let code = await run(arguments: Array(CommandLine.arguments.dropFirst()))
        Glibc.exit(code)
    }

    /// Runs one command line and returns the exit status (0 ok, 1 error, 2 usage).
    public static func run(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(arguments))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as ServiceError {
            Terminal.error("\(error)\n")
            return 1
        } catch let error as CLIError {
            Terminal.error("kvctl: \(error.message)\n")
            return error.exitCode
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Terminal.write(message + "\n") }
                return 0
            }
            if !message.isEmpty { Terminal.error(message + "\n") }
            return code == .validationFailure ? 2 : code.rawValue
        }
    }

    /// Options every endpoint command takes; accepted before the subcommand name too.
    static let globalOptions: Set<String> = ["--endpoint", "--region", "--output"]

    /// Moves global options given before the subcommand (`kvctl --endpoint URL table list`) to
    /// the end, where the subcommand's `GlobalOptions` parses them.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard globalOptions.contains(name) else { break }
            leading.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.count
        rest.insert(contentsOf: leading, at: end)
        return rest
    }
}
