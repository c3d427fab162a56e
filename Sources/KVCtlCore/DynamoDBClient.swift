import Foundation
import KVServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Speaks DynamoDB's JSON protocol (1.0) over HTTP: `POST /` with `X-Amz-Target`, signed
/// with SigV4 for service `dynamodb`. Works against kvserver and DynamoDB itself.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
struct DynamoDBClient: Sendable {
    enum API: String, Sendable {
        case dynamoDB = "DynamoDB_20120810"
        case streams = "DynamoDBStreams_20120810"
    }

    var endpoint: URL
    var signer: SigV4Signer
    /// Attempts for throttling and 5xx answers, with exponential backoff.
    var maxAttempts = 4
    /// PEM file of the certificate authorities to trust for an `https://` endpoint; nil trusts
    /// the system's.
    var caBundle: String?

    init(endpoint: URL, signer: SigV4Signer) {
        self.endpoint = endpoint
        self.signer = signer
    }

    /// Sends one operation and returns the decoded response body.
    ///
    /// - Throws: `ServiceError` for an error answer, `CLIError` when the endpoint cannot be reached.
    func call(_ operation: String, _ body: JSONValue, api: API = .dynamoDB) async throws -> JSONValue {
        var attempt = 1
        while true {
            do {
                return try await send(operation, body, api: api)
            } catch let error as ServiceError where error.isRetryable && attempt < maxAttempts {
                try await Task.sleep(nanoseconds: UInt64(100_000_000) << UInt64(attempt - 1))
                attempt += 1
            }
        }
    }

    private func send(_ operation: String, _ body: JSONValue, api: API) async throws -> JSONValue {
        let url = api == .streams ? Self.streamsEndpoint(for: endpoint) : endpoint
        let payload = JSONWriter.encode(body)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        let target = "\(api.rawValue).\(operation)"
        let contentType = "application/x-amz-json-1.0"
        let headers = [
            "host": Self.hostHeader(url), "content-type": contentType, "x-amz-target": target,
        ]
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(target, forHTTPHeaderField: "X-Amz-Target")
        let path = url.path.isEmpty ? "/" : url.path
        for (name, value) in signer.sign(method: "POST", path: path, headers: headers, body: payload, date: Date()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.httpBody = Data(payload)
        let status: Int
        let bytes: [UInt8]
        if let caBundle, url.scheme == "https" {
            var all = request.allHTTPHeaderFields ?? [:]
            all["Host"] = Self.hostHeader(url)
            do {
                (status, bytes) = try await TrustedHTTPSTransport(caBundle: caBundle).post(
                    url: url, headers: all.sorted { $0.key < $1.key }, body: payload)
            } catch {
                throw CLIError("cannot reach \(url.absoluteString): \(error)")
            }
        } else {
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                throw CLIError("cannot reach \(url.absoluteString): \(error.localizedDescription)")
            }
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
            bytes = [UInt8](data)
        }
        let json: JSONValue? = bytes.isEmpty ? .object([:]) : try? JSONParser.parse(bytes)
        if status == 200, let json { return json }
        throw Self.serviceError(status: status, json: json, bytes: bytes)
    }

    static func serviceError(status: Int, json: JSONValue?, bytes: [UInt8]) -> ServiceError {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard let json, let fullType = json["__type"]?.stringValue else {
            if text.contains("UnknownOperationException") {
                return ServiceError(type: "UnknownOperationException", message: "", httpStatus: status)
            }
            return ServiceError(type: "HTTP\(status)", message: text, httpStatus: status)
        }
        let type = fullType.split(separator: "#").last.map(String.init) ?? fullType
        let message = json["message"]?.stringValue ?? json["Message"]?.stringValue ?? ""
        return ServiceError(type: type, message: message, httpStatus: status)
    }

    /// `host` or `host:port` as the HTTP client sends it.
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? "localhost"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        if (url.scheme == "http" && port == 80) || (url.scheme == "https" && port == 443) { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// DynamoDB Streams has its own hostname on AWS (`streams.dynamodb.<region>.amazonaws.com`);
    /// any other endpoint (kvserver, DynamoDB Local) serves both APIs.
    static func streamsEndpoint(for url: URL) -> URL {
        guard let host = url.host, host.hasPrefix("dynamodb."), host.hasSuffix(".amazonaws.com"),
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return url }
        components.host = "streams." + host
        return components.url ?? url
    }
}
