/// What the request processor knows about the connection a request came on.
public struct ConnectionInfo: Sendable, Equatable {
    /// The peer's address without the port (`aws:SourceIp`, audit `sourceIPAddress`).
    public var remoteIP: String?
    /// The connection is TLS (`aws:SecureTransport`).
    public var isSecure: Bool

    public init(remoteIP: String? = nil, isSecure: Bool = false) {
        self.remoteIP = remoteIP
        self.isSecure = isSecure
    }
}
