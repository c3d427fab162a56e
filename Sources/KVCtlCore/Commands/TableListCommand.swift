import ArgumentParser
import KVServer

/// `kvctl table list`: every table name, following ListTables pages.
struct TableListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List table names.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try global.client()
        var names: [String] = []
        var start: String?
        repeat {
            var request: [String: JSONValue] = [:]
            if let start { request["ExclusiveStartTableName"] = .string(start) }
            let response = try await client.call("ListTables", .object(request))
            names += (response["TableNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            start = response["LastEvaluatedTableName"]?.stringValue
        } while start != nil
        switch global.format {
        case .table: Terminal.write(names.map { $0 + "\n" }.joined())
        case .json: Terminal.write(JSONRender.pretty(.array(names.map { .string($0) })) + "\n")
        case .jsonl: Terminal.write(names.map { JSONRender.compact(.string($0)) + "\n" }.joined())
        }
    }
}
