/// Whether eventually consistent reads go to the read replica: a state machine without I/O
/// (its owner, `PostgresReplica`, logs and rechecks as told).
///
/// A replica that fails a read (down, unreachable, slower than its bound, its database
/// unusable) stops serving at once: reads go to the primary, as a DynamoDB client expects its
/// reads to keep working, while a recheck waits for the replica to answer again. Then reads
/// try it again (`trial`); the first that succeeds makes it serve again, one that fails sends
/// it back down without a second warning, so a replica that accepts connections but cannot
/// serve (its schema missing) is not announced over and over.
struct ReplicaHealth: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Eventually consistent reads go to the replica.
        case serving
        /// Reads go to the primary; a recheck runs.
        case down
        /// The recheck found the replica answering: reads try it again.
        case trial
    }

    /// What the owner does after an event.
    enum Action: Sendable, Equatable {
        case none
        /// Log that the replica stopped serving (once per outage) and start the recheck.
        case announceDownAndRecheck
        /// Start the recheck again (the outage was already announced).
        case recheck
        /// Log that the replica serves again.
        case announceServing
    }

    private(set) var state = State.serving

    /// Whether an eventually consistent read should be tried on the replica.
    var isServing: Bool { state != .down }

    /// A read on the replica failed for a reason of the replica's (not a conflict, not the
    /// request's own error).
    mutating func readFailed() -> Action {
        switch state {
        case .serving:
            state = .down
            return .announceDownAndRecheck
        case .trial:
            state = .down
            return .recheck
        case .down:
            // A read begun before the replica went down: its recheck already runs.
            return .none
        }
    }

    /// A read on the replica succeeded.
    mutating func readSucceeded() -> Action {
        switch state {
        case .trial:
            state = .serving
            return .announceServing
        case .serving, .down:
            // Down: a read begun before the outage came back late; the recheck decides.
            return .none
        }
    }

    /// The recheck connected to the replica and found it a standby.
    mutating func recheckPassed() -> Action {
        if state == .down { state = .trial }
        return .none
    }
}
