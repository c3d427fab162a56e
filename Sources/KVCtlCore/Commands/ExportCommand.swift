import ArgumentParser
import KVServer

/// `kvctl export TABLE --file F`: a full Scan in DynamoDB's export format.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write every item to a file in DynamoDB's export format.",
        discussion: """
            One {"Item": {...DynamoDB JSON...}} per line, as DynamoDB's export to S3 writes
            (DYNAMODB_JSON); kvctl import reads it back. The file is replaced only once the export
            is complete. --file - writes to standard output.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Where to write the export.", valueName: "file"))
    var file: String

    @Flag(help: "Compress with gzip.")
    var gzip = false

    func run() async throws {
        let client = try global.client()
        let total = Terminal.stderrIsTTY ? (try? await TableInfo.fetch(table, client: client))?.description["ItemCount"]?.intValue : nil
        let writer = try LineWriter(path: file, gzip: gzip)
        let progress = ProgressBar(label: "export", total: total, enabled: Terminal.stderrIsTTY && file != "-")
        do {
            var request: [String: JSONValue] = ["TableName": .string(table)]
            while true {
                let response = try await client.call("Scan", .object(request))
                let items = response["Items"]?.arrayValue ?? []
                for item in items {
                    try writer.write(line: Array(JSONRender.compact(.object(["Item": item])).utf8))
                }
                progress.advance(by: items.count)
                guard let last = response["LastEvaluatedKey"], last.objectValue?.isEmpty == false else { break }
                request["ExclusiveStartKey"] = last
            }
            try writer.commit()
            progress.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
