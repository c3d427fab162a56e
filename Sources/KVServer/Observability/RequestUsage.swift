public import KVStore

/// What one request consumed and returned, filled in by its operation while it runs and read
/// by the metrics once it has been answered. Present in `RequestContext.usage` only when the
/// server records metrics or an access log; operations then also measure capacity exactly (as
/// with `ReturnConsumedCapacity`), whatever the client asked for.
///
/// Unchecked `Sendable`, without a lock (callgrind: a `Mutex` here cost about 1,000
/// instructions per request): one request's handler is its only writer, and the channel
/// handler reads it only after the handler's answer has arrived, which the event loop's
/// promise (or, inline, the same thread) orders after every write.
public final class RequestUsage: @unchecked Sendable {
    struct State: Sendable {
        var capacity: [ConsumedCapacity] = []
        /// Items returned by Query, Scan or ExecuteStatement; records returned by GetRecords.
        var returnedItems: Int?
        /// GetRecords: the stream read and how far behind its newest record the reader is.
        var stream: StreamRead?
    }

    /// A GetRecords call's stream.
    struct StreamRead: Sendable, Equatable {
        var table: String
        var label: String
        var behindNewestMillis: Int64
    }

    private(set) var state = State()

    public init() {}

    func consumed(_ capacity: ConsumedCapacity) {
        state.capacity.append(capacity)
    }

    func consumed(_ list: [ConsumedCapacity]) {
        guard !list.isEmpty else { return }
        state.capacity.append(contentsOf: list)
    }

    func returned(items: Int) {
        state.returnedItems = items
    }

    func readStream(table: String, label: String, behindNewestMillis: Int64) {
        state.stream = StreamRead(table: table, label: label, behindNewestMillis: behindNewestMillis)
    }

    var snapshot: State { state }
}
