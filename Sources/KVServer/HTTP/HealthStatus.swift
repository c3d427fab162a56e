/// What the `GET /` health answer reports.
///
/// DynamoDB answers "healthy: dynamodb.<region>.amazonaws.com " (trailing space); so do we while
/// all is well. While the storage is full the status stays 200 (reads and deletes still work, so
/// a load balancer should keep sending them) but the text says so and the header
/// `x-kvserver-storage: full` flags it for monitors (`ok` otherwise).
public struct HealthStatus: Sendable, Equatable {
    /// Writes that need disk space are refused (see `StorageSpace` in KVStore).
    public var storageFull: Bool

    public init(storageFull: Bool = false) {
        self.storageFull = storageFull
    }

    func response(localAddress: String) -> APIResponse {
        let text =
            storageFull
            ? "healthy: \(localAddress) storage full: writes refused, reads and deletes work "
            : "healthy: \(localAddress) "
        return APIResponse(
            status: 200, contentType: APIRequestProcessor.amzJSON10, body: Array(text.utf8),
            extraHeaders: [("x-kvserver-storage", storageFull ? "full" : "ok")])
    }
}
