import ArgumentParser
import KVServer

/// `kvctl ttl TABLE [--enable ATTR | --disable]`.
struct TTLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttl", abstract: "Show, enable or disable a table's time to live.",
        discussion: "Without flags, shows the current setting (DescribeTimeToLive).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Expire items when this attribute (epoch seconds) is in the past.", valueName: "attr"))
    var enable: String?

    @Flag(help: "Stop expiring items.")
    var disable = false

    func validate() throws {
        if enable != nil && disable { throw ValidationError("--enable and --disable cannot be used together") }
        if let enable, enable.isEmpty { throw ValidationError("--enable needs an attribute name") }
    }

    func run() async throws {
        let client = try global.client()
        var attribute = enable
        if disable {
            let current = try await describe(client)
            guard let name = current["AttributeName"]?.stringValue,
                current["TimeToLiveStatus"]?.stringValue != "DISABLED"
            else { throw CLIError("time to live is not enabled on \(table)") }
            attribute = name
        }
        guard let attribute else {
            let current = try await describe(client)
            global.printer.document(current, table: Self.summary(current))
            return
        }
        let response = try await client.call(
            "UpdateTimeToLive",
            .object([
                "TableName": .string(table),
                "TimeToLiveSpecification": .object(["Enabled": .bool(!disable), "AttributeName": .string(attribute)]),
            ]))
        let specification = response["TimeToLiveSpecification"] ?? .object([:])
        let status: JSONValue = .object([
            "TimeToLiveStatus": .string(disable ? "DISABLING" : "ENABLING"),
            "AttributeName": specification["AttributeName"] ?? .string(attribute),
        ])
        global.printer.document(status, table: Self.summary(status))
    }

    private func describe(_ client: DynamoDBClient) async throws -> JSONValue {
        let response = try await client.call("DescribeTimeToLive", .object(["TableName": .string(table)]))
        return response["TimeToLiveDescription"] ?? .object([:])
    }

    static func summary(_ description: JSONValue) -> String {
        var pairs = [("Status", description["TimeToLiveStatus"]?.stringValue ?? "?")]
        if let name = description["AttributeName"]?.stringValue { pairs.append(("Attribute", name)) }
        return TableText.pairs(pairs)
    }
}
