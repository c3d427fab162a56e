import Foundation
import KVServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Speaks Lambda's REST API for event source mappings (`/2015-03-31/event-source-mappings/`),
/// signed with SigV4 for service `lambda`. kvserver serves it on its DynamoDB port.
/// See https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
struct LambdaClient: Sendable {
    var endpoint: URL
    var signer: SigV4Signer

    static let mappingsPath = "/2015-03-31/event-source-mappings/"

    /// Sends one request; returns the decoded body of a 2xx answer.
    func send(_ method: String, path: String, query: [(String, String)] = [], body: JSONValue? = nil) async throws -> JSONValue {
        let payload = body.map(JSONWriter.encode) ?? []
        let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        let encodedQuery = query.sorted { $0.0 < $1.0 }.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }
            .joined(separator: "&")
        guard let url = URL(string: base + path + (encodedQuery.isEmpty ? "" : "?" + encodedQuery)) else {
            throw CLIError.usage("endpoint '\(base)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 60
        var headers = ["host": DynamoDBClient.hostHeader(url)]
        if body != nil {
            headers["content-type"] = "application/json"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in signer.sign(method: method, path: path, query: encodedQuery, headers: headers, body: payload, date: Date()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if body != nil { request.httpBody = Data(payload) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError("cannot reach \(url.absoluteString): \(error.localizedDescription)")
        }
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        let bytes = [UInt8](data)
        let json: JSONValue? = bytes.isEmpty ? .object([:]) : try? JSONParser.parse(bytes)
        if (200..<300).contains(status), let json { return json }
        let type = http?.value(forHTTPHeaderField: "x-amzn-ErrorType")?.split(separator: ":").first.map(String.init)
            ?? "HTTP\(status)"
        let message = json?["message"]?.stringValue ?? json?["Message"]?.stringValue ?? ""
        throw ServiceError(type: type, message: message, httpStatus: status)
    }

    /// RFC 3986 unreserved characters stay, everything else is %-encoded (as SigV4 wants).
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            if unreserved {
                result.append(Character(UnicodeScalar(byte)))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}

extension GlobalOptions {
    func lambdaClient() throws -> LambdaClient {
        let text = resolvedEndpoint
        guard let url = URL(string: text), url.host != nil else {
            throw CLIError.usage("endpoint '\(text)' is not a URL")
        }
        let credentials = SigV4Signer.Credentials.fromEnvironment(ProcessInfo.processInfo.environment)
        return LambdaClient(endpoint: url, signer: SigV4Signer(credentials: credentials, region: resolvedRegion, service: "lambda"))
    }
}
