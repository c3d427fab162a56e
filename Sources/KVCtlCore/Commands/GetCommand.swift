import ArgumentParser
import KVServer

/// `kvctl get TABLE KEY`: GetItem (strongly consistent).
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Read one item by its key.",
        discussion: "Exits 1 with a message on stderr when there is no such item.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Argument(help: "The key as a JSON object, e.g. '{\"pk\": \"u1\"}'.")
    var key: String

    func run() async throws {
        let codec = items.codec
        let parsed = try codec.item(from: try jsonArgument(key, what: "key"), what: "key")
        let client = try global.client()
        let response = try await client.call(
            "GetItem",
            .object(["TableName": .string(table), "Key": ItemJSON.wire(parsed), "ConsistentRead": .bool(true)]))
        guard let item = response["Item"] else { throw CLIError("no item with that key") }
        let sink = global.printer.itemSink(keyOrder: Array(parsed.keys).sorted())
        sink.add(try codec.present(item))
        sink.finish()
    }
}
