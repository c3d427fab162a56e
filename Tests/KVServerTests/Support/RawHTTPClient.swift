import NIOCore
import NIOPosix

/// One parsed HTTP/1.1 response (Content-Length framed, as our server always sends).
struct RawResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately dumb client: writes raw bytes, reads raw bytes, parses responses.
/// Lets tests send pipelined, malformed or oversized requests exactly as written.
enum RawHTTPClient {
    /// Sends `request` (all at once) and reads until `count` responses arrived or the server closed.
    /// Returns the responses and whether the server closed the connection.
    static func exchange(
        port: Int,
        _ request: [UInt8],
        expecting count: Int
    ) async throws -> (responses: [RawResponse], closed: Bool) {
        try await exchange(port: port, parts: [request], expecting: count)
    }

    static func exchange(
        port: Int,
        parts: [[UInt8]],
        expecting count: Int
    ) async throws -> (responses: [RawResponse], closed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            for part in parts {
                do {
                    try await outbound.write(ByteBuffer(bytes: part))
                } catch {
                    break  // the server may close early (413); read what it said
                }
            }
            if count == 0 { return ([], false) }  // just send, then hang up
            var received: [UInt8] = []
            var responses: [RawResponse] = []
            var closed = true
            do {
                for try await chunk in inbound {
                    received.append(contentsOf: chunk.readableBytesView)
                    while let (response, used) = parse(received) {
                        responses.append(response)
                        received.removeFirst(used)
                    }
                    if responses.count >= count {
                        closed = false
                        break
                    }
                }
            } catch {
                // Connection reset: treat as closed.
            }
            return (responses, closed)
        }
    }

    static func request(
        method: String = "POST",
        path: String = "/",
        headers: [(String, String)],
        body: String = "",
        close: Bool = false
    ) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        if close { text += "Connection: close\r\n" }
        text += "\r\n" + body
        return Array(text.utf8)
    }

    static let signed: [(String, String)] = [
        ("Content-Type", "application/x-amz-json-1.0"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc"
        ),
        ("X-Amz-Date", "20250101T000000Z"),
    ]

    static func api(_ target: String?, body: String, extraHeaders: [(String, String)] = []) -> [UInt8] {
        var headers = signed + extraHeaders
        if let target { headers.append(("X-Amz-Target", target)) }
        return request(headers: headers, body: body)
    }

    /// Parses one response at the start of `bytes`; nil if incomplete.
    static func parse(_ bytes: [UInt8]) -> (RawResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let headEnd = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
        else { return nil }
        let headText = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = headText.splitting(by: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " })
            headers.append((name, value))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = headEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        let response = RawResponse(
            status: status, headers: headers.map { (name: $0.0, value: $0.1) },
            body: Array(bytes[bodyStart..<bodyStart + length]))
        // Interim 1xx responses are skipped by the caller's loop like any other response.
        return (response, bodyStart + length)
    }
}

extension String {
    func splitting(by separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
