#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import KVStore
public import Logging
public import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's trigger target: builds Lambda's event for a batch, drops what the filters
/// reject, and sends the rest to an http(s):// URL (plain POST), the Lambda Invoke API at
/// `--lambda-endpoint`, or a local command; records given up on go to the on-failure
/// destination (a JSON-lines file or an http(s):// URL).
public struct TriggerDelivery: TriggerTarget {
    let client: TriggerHTTPClient
    let lambdaEndpoint: String?
    /// Signs Lambda Invoke calls (service `lambda`) when the server's environment names
    /// credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), as
    /// `sam local start-lambda` and Lambda itself accept; unsigned otherwise.
    let lambdaCredentials: SigV4Signer.Credentials?
    /// The region of a function given by name (an ARN names its own): `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, else us-east-1.
    let defaultRegion: String
    let logger: Logger

    public init(
        eventLoopGroup: any EventLoopGroup, lambdaEndpoint: String?, logger: Logger, timeout: Double = 60,
        environment: [String: String]? = nil
    ) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        self.client = TriggerHTTPClient(
            group: eventLoopGroup, timeout: timeout,
            caBundle: environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 })
        self.lambdaEndpoint = lambdaEndpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.lambdaCredentials = SigV4Signer.Credentials.configured(in: environment)
        self.defaultRegion =
            [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
            ?? "us-east-1"
        self.logger = logger
    }

    public func invoke(_ batch: TriggerBatch) async -> TargetAnswer {
        let mapping = batch.mapping
        var records = batch.records.map { TriggerEvent.record($0, mapping: mapping) }
        if !mapping.filterPatterns.isEmpty {
            switch EventFilter.parse(mapping.filterPatterns) {
            case .failure(let error):
                return TargetAnswer(.failure(error.message))
            case .success(let filter):
                records = records.filter { record in
                    // The images are pre-encoded bytes; the filter needs the tree.
                    guard let tree = try? JSONParser.parse(JSONWriter.encode(record)) else { return false }
                    return filter.matches(tree)
                }
            }
            // Filtered-out records are acknowledged without a call (a window's last call still goes).
            if records.isEmpty && batch.window?.isFinal != true { return TargetAnswer(.success, state: batch.window?.state) }
        }
        let body = batch.window.map { TriggerEvent.body(records, window: $0, batch: batch) } ?? TriggerEvent.body(records)
        if let command = mapping.command {
            if let problem = await CommandRunner.run(command, input: body) { return TargetAnswer(.failure(problem)) }
            return TargetAnswer(.success)
        }
        let url: String
        var headers: [(String, String)] = []
        var signer: SigV4Signer?
        if Self.isURL(mapping.functionName) {
            url = mapping.functionName
        } else {
            signer = lambdaCredentials.map {
                SigV4Signer(
                    credentials: $0, region: Self.region(of: mapping.functionName) ?? defaultRegion, service: "lambda")
            }
            guard let endpoint = lambdaEndpoint else {
                return TargetAnswer(.failure("no --lambda-endpoint is configured to invoke function \(mapping.functionName)"))
            }
            url = "\(endpoint)/2015-03-31/functions/\(Self.functionName(mapping.functionName))/invocations"
            headers.append(("X-Amz-Invocation-Type", "RequestResponse"))
        }
        do {
            let response = try await client.post(url, headers: headers, body: body, signer: signer)
            guard (200..<300).contains(response.status) else {
                return TargetAnswer(.failure("the target answered HTTP \(response.status)"))
            }
            // The Invoke API reports a function's error with this header and status 200.
            if let error = response.headers.first(name: "X-Amz-Function-Error") {
                return TargetAnswer(.failure("function error: \(error.prefix(64))"))
            }
            let outcome = mapping.reportBatchItemFailures ? TriggerEvent.outcome(ofPartialResponse: response.body) : .success
            return TargetAnswer(outcome, state: batch.window == nil ? nil : TriggerEvent.state(ofResponse: response.body))
        } catch {
            return TargetAnswer(.failure(String(describing: error)))
        }
    }

    public func discard(_ batch: TriggerBatch, reason: DiscardReason, invocations: Int) async {
        guard let destination = batch.mapping.onFailureDestination, let first = batch.records.first,
            let last = batch.records.last
        else { return }
        let record = FailureRecord.body(
            batch: batch, first: first, last: last, reason: reason, invocations: invocations)
        if Self.isURL(destination) {
            do {
                let response = try await client.post(destination, body: record)
                if !(200..<300).contains(response.status) {
                    logger.warning("trigger.on_failure_rejected", metadata: ["trigger.uuid": "\(batch.mapping.uuid)", "http.status": "\(response.status)"])
                }
            } catch {
                logger.warning("trigger.on_failure_unreachable", metadata: ["trigger.uuid": "\(batch.mapping.uuid)"])
            }
            return
        }
        let path = destination.hasPrefix("file://") ? String(destination.dropFirst("file://".count)) : destination
        if !Self.append(record + [UInt8(ascii: "\n")], toFile: path) {
            logger.warning("trigger.on_failure_file_failed", metadata: ["trigger.uuid": "\(batch.mapping.uuid)"])
        }
    }

    static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> NAME; a name stays as is.
    static func functionName(_ text: String) -> String {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if text.hasPrefix("arn:"), parts.count >= 7 { return String(parts[6]) }
        return text
    }

    /// The region of `arn:aws:lambda:REGION:...`; nil for a plain name.
    static func region(of function: String) -> String? {
        let parts = function.split(separator: ":", omittingEmptySubsequences: false)
        guard function.hasPrefix("arn:"), parts.count >= 7, !parts[3].isEmpty else { return nil }
        return String(parts[3])
    }

    static func append(_ bytes: [UInt8], toFile path: String) -> Bool {
        let handle = fopen(path, "a")
        guard let handle else { return false }
        defer { fclose(handle) }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) } == bytes.count
    }
}
