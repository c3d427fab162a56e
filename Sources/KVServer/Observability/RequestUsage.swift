public import KVStore
import Synchronization

/// What one request consumed and returned, filled in by its operation while it runs and read
/// by the metrics once it has been answered. Present in `RequestContext.usage` only when the
/// server records metrics or an access log; operations then also measure capacity exactly (as
/// with `ReturnConsumedCapacity`), whatever the client asked for.
public final class RequestUsage: Sendable {
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

    private let state = Mutex(State())

    public init() {}

    func consumed(_ capacity: ConsumedCapacity) {
        state.withLock { $0.capacity.append(capacity) }
    }

    func consumed(_ list: [ConsumedCapacity]) {
        guard !list.isEmpty else { return }
        state.withLock { $0.capacity.append(contentsOf: list) }
    }

    func returned(items: Int) {
        state.withLock { $0.returnedItems = items }
    }

    func readStream(table: String, label: String, behindNewestMillis: Int64) {
        state.withLock {
            $0.stream = StreamRead(table: table, label: label, behindNewestMillis: behindNewestMillis)
        }
    }

    var snapshot: State { state.withLock { $0 } }
}
