#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A minimal HTTP/1.1 client for trigger deliveries: one POST per connection, a deadline for
/// the whole exchange; http:// and https:// (the server's swift-nio-ssl, certificates verified
/// against the system's roots, or `AWS_CA_BUNDLE`'s when set).
///
/// Why not async-http-client: it would pull swift-nio-http2, swift-nio-extras and more into the
/// server's build for what is, here, one POST per batch; the server already links NIOHTTP1
/// and NIOSSL, which is all this needs.
struct TriggerHTTPClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// `http[s]://host[:port]/path?query` split up.
    struct Endpoint: Sendable, Equatable {
        var host: String
        var port: Int
        var path: String
        var tls: Bool

        init?(_ url: String) {
            let lower = url.lowercased()
            if lower.hasPrefix("http://") {
                tls = false
            } else if lower.hasPrefix("https://") {
                tls = true
            } else {
                return nil
            }
            let rest = url.dropFirst(tls ? "https://".count : "http://".count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            var path = String(rest.dropFirst(authority.count))
            if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
            var host = String(authority)
            var port = tls ? 443 : 80
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                let after = host[host.index(after: close)...]
                if after.hasPrefix(":") {
                    guard let parsed = Int(after.dropFirst()), (1...65535).contains(parsed) else { return nil }
                    port = parsed
                }
                host = String(host[host.index(after: host.startIndex)..<close])
            } else if let colon = host.lastIndex(of: ":") {
                guard let parsed = Int(host[host.index(after: colon)...]), (1...65535).contains(parsed) else { return nil }
                port = parsed
                host = String(host[..<colon])
            }
            guard !host.isEmpty else { return nil }
            self.host = host
            self.port = port
            self.path = path
        }

        var hostHeader: String {
            let shown = host.contains(":") ? "[\(host)]" : host
            return port == (tls ? 443 : 80) ? shown : "\(shown):\(port)"
        }
    }

    let group: any EventLoopGroup
    /// Seconds for connect + request + response.
    var timeout: Double = 60
    /// For https:// targets, made on first use: loading the trusted roots parses every
    /// certificate of the system store (measured: a sixth of the server's start-up time).
    let tls: LazyTLSContext

    /// - Parameter caBundle: a PEM file of trusted roots (`AWS_CA_BUNDLE`) instead of the system's.
    init(group: any EventLoopGroup, timeout: Double = 60, caBundle: String? = nil) {
        self.group = group
        self.timeout = timeout
        self.tls = LazyTLSContext(caBundle: caBundle)
    }

    /// POSTs `body` as JSON; with `signer`, the request is SigV4-signed (the Lambda Invoke API).
    func post(_ url: String, headers extra: [(String, String)] = [], body: [UInt8], signer: SigV4Signer? = nil)
        async throws -> Response
    {
        guard let endpoint = Endpoint(url) else { throw Failure(description: "not an http:// or https:// URL") }
        let tls = endpoint.tls ? try self.tls.context() : nil
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Response.self)
        let channel: any Channel
        do {
            channel = try await Self.connect(endpoint, tls: tls, on: eventLoop, timeout: timeout, promise: promise)
        } catch {
            // NIO traps on a promise dropped unfulfilled (debug builds): settle it first.
            promise.fail(error)
            throw Failure(description: "cannot connect to \(endpoint.hostHeader)")
        }
        let deadline = eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(Failure(description: "timed out after \(timeout) seconds"))
            channel.close(promise: nil)
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in extra { head.headers.add(name: name, value: value) }
        if let signer {
            var signed = ["host": endpoint.hostHeader, "content-type": "application/json"]
            for (name, value) in extra { signed[name.lowercased()] = value }
            let (path, query) = Self.splitQuery(endpoint.path)
            let added = signer.sign(
                method: "POST", path: String(path), query: SigV4.canonicalQuery(query), headers: signed, body: body,
                date: Date())
            for (name, value) in added.sorted(by: { $0.key < $1.key }) { head.headers.add(name: name, value: value) }
        }
        var buffer = channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }

    /// `/path?query` -> (`/path`, `query`).
    static func splitQuery(_ target: String) -> (Substring, Substring) {
        guard let question = target.firstIndex(of: "?") else { return (target[...], "") }
        return (target[..<question], target[target.index(after: question)...])
    }

    private static func connect(
        _ endpoint: Endpoint, tls: NIOSSLContext?, on eventLoop: any EventLoop, timeout: Double,
        promise: EventLoopPromise<Response>
    ) async throws -> any Channel {
        try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(Int64(min(timeout, 10) * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // SNI only for names; an IP address is checked against the certificate's IP SANs.
                        let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : endpoint.host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
    }
}

/// The client TLS context, made once on first use (certificates verified: fails closed).
final class LazyTLSContext: Sendable {
    private let caBundle: String?
    private let made = Mutex<Result<NIOSSLContext, TriggerHTTPClient.Failure>?>(nil)

    init(caBundle: String?) {
        self.caBundle = caBundle
    }

    func context() throws(TriggerHTTPClient.Failure) -> NIOSSLContext {
        let result = made.withLock { made in
            if let made { return made }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caBundle { configuration.trustRoots = .file(caBundle) }
            let result: Result<NIOSSLContext, TriggerHTTPClient.Failure>
            do {
                result = .success(try NIOSSLContext(configuration: configuration))
            } catch {
                result = .failure(
                    TriggerHTTPClient.Failure(
                        description: "cannot set up TLS for https:// targets (\(caBundle.map { "CA bundle \($0)" } ?? "system roots"))"))
            }
            made = result
            return result
        }
        return try result.get()
    }
}

/// Collects one response and completes the promise (once).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<TriggerHTTPClient.Response>
    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var completed = false
    /// Answers larger than this are cut (an answer is a small JSON document).
    static let maxBody = 6 * 1024 * 1024

    init(promise: EventLoopPromise<TriggerHTTPClient.Response>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            headers = head.headers
        case .body(var buffer):
            if body.count < Self.maxBody, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            complete(.success(TriggerHTTPClient.Response(status: status, headers: headers, body: body)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(TriggerHTTPClient.Failure(description: "connection error: \(type(of: error))")))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(TriggerHTTPClient.Failure(description: "connection closed before a complete answer")))
    }

    private func complete(_ result: Result<TriggerHTTPClient.Response, TriggerHTTPClient.Failure>) {
        guard !completed else { return }
        completed = true
        switch result {
        case .success(let response): promise.succeed(response)
        case .failure(let error): promise.fail(error)
        }
    }
}
