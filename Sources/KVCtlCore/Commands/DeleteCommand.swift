import ArgumentParser
import KVServer

/// `kvctl delete TABLE KEY`: DeleteItem.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete one item by its key.",
        discussion: "Deleting an item that does not exist succeeds, as in DynamoDB.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Argument(help: "The key as a JSON object, e.g. '{\"pk\": \"u1\"}'.")
    var key: String

    func run() async throws {
        let parsed = try items.codec.item(from: try jsonArgument(key, what: "key"), what: "key")
        _ = try await global.client().call(
            "DeleteItem", .object(["TableName": .string(table), "Key": ItemJSON.wire(parsed)]))
    }
}
