import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTPS POST that trusts the certificate authorities of a PEM file (`--ca-bundle`,
/// `AWS_CA_BUNDLE`), for servers with a private or self-signed certificate. URLSession on
/// Linux offers no way to name a CA file, so this goes through SwiftNIO and swift-nio-ssl
/// (already linked for the server). One connection per request: kvctl's calls are few.
struct TrustedHTTPSTransport: Sendable {
    var caBundle: String

    /// Sends the request and returns the status and body.
    func post(url: URL, headers: [(String, String)], body: [UInt8], timeout: TimeAmount = .seconds(60)) async throws
        -> (status: Int, body: [UInt8])
    {
        guard let host = url.host else { throw CLIError("endpoint '\(url.absoluteString)' has no host") }
        let port = url.port ?? 443
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caBundle)
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: (status: Int, body: [UInt8]).self)
        // An IP address is checked against the certificate's IP SANs; a name is sent as SNI.
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host))
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: port)
            .get()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.path.isEmpty ? "/" : url.path)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(CLIError("no answer from \(url.absoluteString) within the timeout"))
        }
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }
}

/// Collects one response; fails the promise if the connection ends first.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<(status: Int, body: [UInt8])>
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<(status: Int, body: [UInt8])>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            promise.succeed((status: status, body: body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(CLIError("the connection closed before a complete answer"))
        context.fireChannelInactive()
    }
}
