import ArgumentParser
import Foundation
import KVServer

/// `kvctl faults set FILE` (or `-` for standard input): replaces the server's fault rules.
struct FaultsSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Replace the server's fault rules with those of a JSON file ({\"faults\": [...]}).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The rules file, or - for standard input.")
    var file: String

    func run() async throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            data = read
        }
        guard let document = try? JSONParser.parse([UInt8](data)) else { throw CLIError("\(file) is not JSON") }
        let answer = try await global.adminClient().send("PUT", path: FaultsCommand.path, body: document)
        global.printer.document(answer, table: FaultsCommand.rows(answer))
    }
}
