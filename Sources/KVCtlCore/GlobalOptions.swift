import ArgumentParser
import Foundation
import KVServer

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Aligned columns for people.
    case table
    /// One indented JSON document.
    case json
    /// One compact JSON value per line.
    case jsonl
}

/// Flags every command that talks to an endpoint accepts.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "DynamoDB endpoint URL.",
            discussion: "Default: $AWS_ENDPOINT_URL_DYNAMODB, else http://127.0.0.1:8000.",
            valueName: "url"))
    var endpoint: String?

    @Option(
        help: ArgumentHelp(
            "Region to sign requests for.",
            discussion: "Default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1.",
            valueName: "region"))
    var region: String?

    @Option(
        help: ArgumentHelp(
            "PEM file of certificate authorities to trust for an https:// endpoint.",
            discussion: "Default: $AWS_CA_BUNDLE, else the system's.",
            valueName: "file"))
    var caBundle: String?

    @Option(
        help: ArgumentHelp(
            "Output format: table, json or jsonl (default: table on a terminal, jsonl otherwise).",
            valueName: "format"))
    var output: OutputFormat?

    init() {}

    func validate() throws {
        if let endpoint {
            guard let url = URL(string: endpoint), let scheme = url.scheme, scheme == "http" || scheme == "https",
                url.host != nil
            else {
                throw ValidationError("--endpoint must be an http:// or https:// URL, got '\(endpoint)'")
            }
        }
    }

    var format: OutputFormat { output ?? (Terminal.stdoutIsTTY ? .table : .jsonl) }

    var resolvedRegion: String {
        let environment = ProcessInfo.processInfo.environment
        for candidate in [region, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return "us-east-1"
    }

    var resolvedEndpoint: String {
        if let endpoint { return endpoint }
        if let fromEnvironment = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL_DYNAMODB"],
            !fromEnvironment.isEmpty
        {
            return fromEnvironment
        }
        return "http://127.0.0.1:8000"
    }

    func client() throws -> DynamoDBClient {
        let text = resolvedEndpoint
        guard let url = URL(string: text), url.host != nil else {
            throw CLIError.usage("endpoint '\(text)' is not a URL")
        }
        let environment = ProcessInfo.processInfo.environment
        let credentials = SigV4Signer.Credentials.fromEnvironment(environment)
        var client = DynamoDBClient(
            endpoint: url, signer: SigV4Signer(credentials: credentials, region: resolvedRegion, service: "dynamodb"))
        client.caBundle = caBundle ?? environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
        return client
    }

    var printer: Printer { Printer(format: format) }
}

/// `--raw`: DynamoDB JSON instead of plain JSON for items.
struct ItemFormatOptions: ParsableArguments {
    @Flag(help: "Read and print items as DynamoDB JSON ({\"pk\": {\"S\": \"a\"}}) instead of plain JSON.")
    var raw = false

    init() {}

    var codec: ItemCodecChoice { ItemCodecChoice(raw: raw) }
}
