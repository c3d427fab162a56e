import ArgumentParser
import KVServer

/// `kvctl trigger ...`: stream triggers (Lambda event source mappings) on kvserver.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Manage stream triggers (event source mappings).",
        discussion: "Uses Lambda's event source mapping API, which kvserver serves on its own port.",
        subcommands: [
            TriggerCreateCommand.self, TriggerListCommand.self, TriggerDeleteCommand.self, TriggerStatusCommand.self,
        ])

    /// One line per mapping for people.
    static func rows(_ mappings: [JSONValue]) -> String {
        let header = ["UUID", "State", "Stream", "Function", "Last result"]
        let rows = mappings.map { mapping in
            [
                mapping["UUID"]?.stringValue ?? "", mapping["State"]?.stringValue ?? "",
                mapping["EventSourceArn"]?.stringValue ?? "", mapping["FunctionArn"]?.stringValue ?? "",
                mapping["LastProcessingResult"]?.stringValue ?? "",
            ]
        }
        return TableText.render(header: header, rows: rows)
    }
}

/// `kvctl trigger list [--table T] [--function F]`.
struct TriggerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stream triggers.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only the triggers of this table's latest stream.")
    var table: String?

    @Option(help: "Only the triggers of this function (name, ARN or URL).")
    var function: String?

    func run() async throws {
        let lambda = try global.lambdaClient()
        var query: [(String, String)] = []
        if let table {
            query.append(("EventSourceArn", try await TriggerCreateCommand.streamArn(table: table, global: global)))
        }
        if let function { query.append(("FunctionName", function)) }
        var mappings: [JSONValue] = []
        var marker: String?
        repeat {
            var page = query
            if let marker { page.append(("Marker", marker)) }
            let answer = try await lambda.send("GET", path: LambdaClient.mappingsPath, query: page)
            mappings += answer["EventSourceMappings"]?.arrayValue ?? []
            marker = answer["NextMarker"]?.stringValue
        } while marker != nil
        global.printer.document(.array(mappings), table: TriggerCommand.rows(mappings))
    }
}

/// `kvctl trigger delete UUID`.
struct TriggerDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stream trigger.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The trigger's UUID.")
    var uuid: String

    func run() async throws {
        let answer = try await global.lambdaClient().send("DELETE", path: LambdaClient.mappingsPath + LambdaClient.encode(uuid))
        global.printer.document(answer, table: TriggerCommand.rows([answer]))
    }
}

/// `kvctl trigger status UUID`.
struct TriggerStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a trigger's state, last result, iterator age and failure counts.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The trigger's UUID.")
    var uuid: String

    func run() async throws {
        let answer = try await global.lambdaClient().send("GET", path: LambdaClient.mappingsPath + LambdaClient.encode(uuid))
        func text(_ name: String) -> String {
            guard let value = answer[name] else { return "" }
            return value.stringValue ?? JSONRender.compact(value)
        }
        let pairs = [
            ("UUID", text("UUID")), ("State", text("State")), ("Stream", text("EventSourceArn")),
            ("Function", text("FunctionArn")), ("Last result", text("LastProcessingResult")),
            ("Iterator age (s)", text("IteratorAgeSeconds")), ("Delivered records", text("DeliveredRecordCount")),
            ("Failed invocations", text("FailedInvocationCount")), ("Discarded records", text("DiscardedRecordCount")),
        ]
        global.printer.document(answer, table: TableText.pairs(pairs))
    }
}
