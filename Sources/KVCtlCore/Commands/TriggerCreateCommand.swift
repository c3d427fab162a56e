import ArgumentParser
import Foundation
import KVServer

/// `kvctl trigger create TABLE --function F [settings]` or `kvctl trigger create --from template.yaml`.
struct TriggerCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a stream trigger, or every trigger of a SAM/CloudFormation template.",
        discussion: """
            The function is a Lambda function name or ARN (kvserver invokes it through --lambda-endpoint) \
            or an http:// URL that receives each batch as a POST of Lambda's DynamoDB event. \
            With --from, the DynamoDB events of AWS::Serverless::Function resources and the \
            AWS::Lambda::EventSourceMapping resources of the template are created; their tables must exist.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table whose latest stream feeds the trigger.")
    var table: String?

    @Option(help: "Function name, ARN or http:// URL.")
    var function: String?

    @Option(help: "TRIM_HORIZON (every record still in the stream) or LATEST (only new ones).")
    var startingPosition = "LATEST"

    @Option(help: "Records per batch (1-10000; default 100).")
    var batchSize: Int?

    @Option(help: "Seconds to gather records before sending a partial batch (0-300).")
    var batchingWindow: Int?

    @Option(help: "Retries of a failed batch before it is skipped (-1: until the records expire).")
    var maxRetries: Int?

    @Option(help: "Seconds after which records are skipped (-1 or 60-604800).")
    var maxRecordAge: Int?

    @Flag(help: "Split a failing batch in two and retry the halves.")
    var bisect = false

    @Flag(help: "Let the function answer {\"batchItemFailures\": [...]} (ReportBatchItemFailures).")
    var reportBatchItemFailures = false

    @Option(help: "JSON-lines file or http:// URL receiving a record of each skipped batch.")
    var onFailure: String?

    @Option(help: "Lambda event filter pattern (JSON); repeat for several (any may match).")
    var filter: [String] = []

    @Flag(help: "Create the trigger disabled.")
    var disabled = false

    @Option(help: ArgumentHelp("Create the triggers of a SAM or CloudFormation template.", valueName: "template"))
    var from: String?

    func validate() throws {
        if from != nil {
            if table != nil || function != nil { throw ValidationError("--from cannot be combined with TABLE or --function") }
            return
        }
        guard table != nil else { throw ValidationError("give a TABLE (or --from TEMPLATE)") }
        guard function != nil else { throw ValidationError("--function is required") }
        guard ["TRIM_HORIZON", "LATEST"].contains(startingPosition) else {
            throw ValidationError("--starting-position must be TRIM_HORIZON or LATEST")
        }
    }

    func run() async throws {
        let lambda = try global.lambdaClient()
        var created: [JSONValue] = []
        if let from {
            guard let data = FileManager.default.contents(atPath: from) else { throw CLIError("cannot read \(from)") }
            let triggers = try TemplateTriggers.parse(String(decoding: data, as: UTF8.self))
            if triggers.isEmpty { throw CLIError("\(from) declares no DynamoDB stream triggers") }
            for trigger in triggers {
                var body = trigger.settings
                switch trigger.source {
                case .table(let name): body["EventSourceArn"] = .string(try await Self.streamArn(table: name, global: global))
                case .streamArn(let arn): body["EventSourceArn"] = .string(arn)
                }
                body["FunctionName"] = .string(trigger.functionName)
                if body["StartingPosition"] == nil { body["StartingPosition"] = .string("LATEST") }
                created.append(try await lambda.send("POST", path: LambdaClient.mappingsPath, body: .object(body)))
            }
        } else if let table, let function {
            var body: [String: JSONValue] = [
                "EventSourceArn": .string(try await Self.streamArn(table: table, global: global)),
                "FunctionName": .string(function), "StartingPosition": .string(startingPosition),
            ]
            if let batchSize { body["BatchSize"] = .number(String(batchSize)) }
            if let batchingWindow { body["MaximumBatchingWindowInSeconds"] = .number(String(batchingWindow)) }
            if let maxRetries { body["MaximumRetryAttempts"] = .number(String(maxRetries)) }
            if let maxRecordAge { body["MaximumRecordAgeInSeconds"] = .number(String(maxRecordAge)) }
            if bisect { body["BisectBatchOnFunctionError"] = .bool(true) }
            if reportBatchItemFailures { body["FunctionResponseTypes"] = .array([.string("ReportBatchItemFailures")]) }
            if let onFailure { body["DestinationConfig"] = .object(["OnFailure": .object(["Destination": .string(onFailure)])]) }
            if !filter.isEmpty {
                body["FilterCriteria"] = .object(["Filters": .array(filter.map { .object(["Pattern": .string($0)]) })])
            }
            if disabled { body["Enabled"] = .bool(false) }
            created.append(try await lambda.send("POST", path: LambdaClient.mappingsPath, body: .object(body)))
        }
        global.printer.document(created.count == 1 ? created[0] : .array(created), table: TriggerCommand.rows(created))
    }

    /// The ARN of a table's latest stream (DescribeTable's `LatestStreamArn`).
    static func streamArn(table: String, global: GlobalOptions) async throws -> String {
        let answer = try await global.client().call("DescribeTable", .object(["TableName": .string(table)]))
        guard let arn = answer["Table"]?["LatestStreamArn"]?.stringValue else {
            throw CLIError("table \(table) has no stream; enable one first (StreamSpecification)")
        }
        return arn
    }
}
