import ArgumentParser
import Foundation
import KVServer

/// Reads a JSON argument; `-` reads standard input.
func jsonArgument(_ text: String, what: String) throws -> JSONValue {
    if text == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return try parseJSON(String(decoding: data, as: UTF8.self), what: what)
    }
    return try parseJSON(text, what: what)
}

/// `kvctl put TABLE ITEM`: PutItem.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Write an item (replacing any item with the same key).",
        discussion: """
            Example: kvctl put users '{"pk": "u1", "age": 42, "tags": {"$ss": ["a", "b"]}}'
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Argument(help: "The item as a JSON object, or - to read it from standard input.")
    var item: String

    func run() async throws {
        let parsed = try items.codec.item(from: try jsonArgument(item, what: "item"), what: "item")
        _ = try await global.client().call(
            "PutItem", .object(["TableName": .string(table), "Item": ItemJSON.wire(parsed)]))
    }
}
