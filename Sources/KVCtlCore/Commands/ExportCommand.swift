import ArgumentParser
import KVServer

/// `kvctl export TABLE --file F`: a full Scan in DynamoDB's export format; or
/// `kvctl export TABLE --s3-bucket B`: ExportTableToPointInTime on the server.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write every item to a file in DynamoDB's export format.",
        discussion: """
            One {"Item": {...DynamoDB JSON...}} per line, as DynamoDB's export to S3 writes
            (DYNAMODB_JSON); kvctl import reads it back. The file is replaced only once the export
            is complete. --file - writes to standard output. With --s3-bucket instead, the server
            exports the table itself (ExportTableToPointInTime; the table needs point-in-time
            recovery): to S3 on DynamoDB, under its --export-dir on kvserver.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Where to write the export.", valueName: "file"))
    var file: String?

    @Flag(help: "Compress with gzip.")
    var gzip = false

    @Option(help: ArgumentHelp("Have the server export to this S3 bucket instead (ExportTableToPointInTime).", valueName: "bucket"))
    var s3Bucket: String?

    @Option(help: ArgumentHelp("Key prefix of the server-side export.", valueName: "prefix"))
    var s3Prefix: String?

    func validate() throws {
        if (file == nil) == (s3Bucket == nil) { throw ValidationError("Give either --file or --s3-bucket") }
        if s3Bucket != nil && gzip { throw ValidationError("--gzip applies to --file; server-side exports are always gzip-compressed") }
        if s3Prefix != nil && s3Bucket == nil { throw ValidationError("--s3-prefix needs --s3-bucket") }
    }

    func run() async throws {
        let client = try global.client()
        if let s3Bucket {
            let arn = try await TableInfo.fetch(table, client: client).description["TableArn"] ?? .string(table)
            var request: [String: JSONValue] = ["TableArn": arn, "S3Bucket": .string(s3Bucket)]
            if let s3Prefix { request["S3Prefix"] = .string(s3Prefix) }
            let response = try await client.call("ExportTableToPointInTime", .object(request))
            var description = response["ExportDescription"] ?? .object([:])
            if let arn = description["ExportArn"] { description = try await AsyncCompletion.export(client, arn: arn) }
            global.printer.document(
                description,
                table: TableText.pairs(
                    [("Status", "ExportStatus"), ("Items", "ItemCount"), ("Manifest", "ExportManifest"), ("ARN", "ExportArn")].map {
                        ($0.0, description[$0.1].map(TableText.cell) ?? "")
                    }))
            return
        }
        let file = self.file ?? "-"
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
