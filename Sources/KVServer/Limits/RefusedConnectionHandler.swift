import NIOCore

/// The whole pipeline of a connection over `ServerLimits.maxConnections`: answers `503` with a
/// ServiceUnavailable body (SDKs retry it) and `Connection: close`, then closes, without
/// reading a request. The answer is fixed bytes, so a refused connection costs next to nothing.
final class RefusedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let body = #"{"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable","message":"Too many connections: the server is at its connection limit; retry later"}"#

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256 + Self.body.utf8.count)
        buffer.writeString(
            "HTTP/1.1 503 Service Unavailable\r\nServer: kvserver\r\nContent-Type: application/x-amz-json-1.0\r\n"
                + "x-amz-crc32: \(CRC32.checksum(Array(Self.body.utf8)))\r\n"
                + "Content-Length: \(Self.body.utf8.count)\r\nConnection: close\r\n\r\n" + Self.body)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever the client sends is dropped: the answer is already on its way.
    }
}
