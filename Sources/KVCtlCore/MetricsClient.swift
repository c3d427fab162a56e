import Foundation
import KVServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads kvserver's `GET /metrics` (on the API endpoint, or the `--metrics-port` listener),
/// signed with SigV4 for service `dynamodb` like every request, so it works under `--auth`
/// (the identity needs `dynamodb:GetMetrics`).
struct MetricsClient: Sendable {
    var url: URL
    var signer: SigV4Signer

    func scrape() async throws -> [MetricSample] {
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.timeoutInterval = 30
        let path = url.path.isEmpty ? "/metrics" : url.path
        let headers = ["host": DynamoDBClient.hostHeader(url)]
        for (name, value) in signer.sign(method: "GET", path: path, query: "", headers: headers, body: [], date: Date()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError("cannot reach \(url.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: data, as: UTF8.self)
        guard status == 200 else {
            let bytes = [UInt8](data)
            let json = try? JSONParser.parse(bytes)
            if let json, json["__type"] != nil { throw DynamoDBClient.serviceError(status: status, json: json, bytes: bytes) }
            throw CLIError("GET \(url.absoluteString) answered HTTP \(status)" + (status == 404 ? " (metrics off, or on --metrics-port?)" : ""))
        }
        return PrometheusText.parse(text)
    }
}

extension GlobalOptions {
    /// `--metrics-url`, else the endpoint's `/metrics`.
    func metricsClient(url override: String?) throws -> MetricsClient {
        let text = override ?? (resolvedEndpoint.hasSuffix("/") ? String(resolvedEndpoint.dropLast()) : resolvedEndpoint) + "/metrics"
        guard let url = URL(string: text), url.host != nil else {
            throw CLIError.usage("metrics URL '\(text)' is not a URL")
        }
        let credentials = SigV4Signer.Credentials.fromEnvironment(ProcessInfo.processInfo.environment)
        return MetricsClient(url: url, signer: SigV4Signer(credentials: credentials, region: resolvedRegion, service: "dynamodb"))
    }
}
