public import NIOCore

/// The bounds on what clients can make the server hold: connections, requests, header sizes
/// and how long a connection may sit idle or take to send a request. Each is a `kvserver` flag;
/// the README's "Limits and failure behaviour" section lists what a client sees at each.
public struct ServerLimits: Sendable, Equatable {
    /// Open client connections. One more is answered `503` with `Connection: close` and closed.
    public var maxConnections: Int
    /// Requests being handled at once over all connections (those that wait for the database;
    /// a point read answered within its event-loop tick does not count). One more is answered
    /// `503 ServiceUnavailable` at once; SDKs retry it.
    public var maxRequestsInFlight: Int
    /// Request parts (heads and body chunks) pipelined behind the one request a connection has in
    /// flight; past this the server stops reading the connection (TCP backpressure) until it
    /// catches up. Each connection handles one request at a time.
    public var maxPipelinedParts: Int
    /// Bytes of the request line and headers together. More: `400` and the connection closes.
    /// (NIO's parser refuses more than 80 KiB whatever this says.)
    public var maxHeaderBytes: Int
    /// Header fields of one request. More: `400` and the connection closes.
    public var maxHeaderCount: Int
    /// A connection with no request for this long is closed (keep-alive idle timeout).
    public var idleTimeout: TimeAmount
    /// Time from a request's first byte to its last. A slower client gets `408` and the
    /// connection closes, so a slow client holds one connection for a bounded time and never
    /// blocks others.
    public var requestTimeout: TimeAmount

    public init(
        maxConnections: Int = 4096, maxRequestsInFlight: Int = 1024, maxPipelinedParts: Int = 256,
        maxHeaderBytes: Int = 32 * 1024, maxHeaderCount: Int = 100, idleTimeout: TimeAmount = .seconds(120),
        requestTimeout: TimeAmount = .seconds(60)
    ) {
        self.maxConnections = maxConnections
        self.maxRequestsInFlight = maxRequestsInFlight
        self.maxPipelinedParts = maxPipelinedParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }
}
