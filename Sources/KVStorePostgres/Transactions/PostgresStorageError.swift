/// Failures of the PostgreSQL backend that are neither conflicts nor bad settings. Messages
/// name what went wrong and never carry item values.
public enum PostgresStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection broke while COMMIT was under way: the transaction may or may not have
    /// committed. The engine must answer a 500 (as DynamoDB's InternalServerError), never assume.
    case commitOutcomeUnknown
    /// The database holds a schema version newer than this kvserver knows.
    case schemaTooNew(found: Int, known: Int)
    /// A stream record was appended to a shard that does not exist or was closed (rotated)
    /// meanwhile: the write is to be run again, into the open shard.
    case shardNotOpen(streamID: Int64, shard: Int32)
    /// A statement returned what the schema rules out (a missing shard row, an unparsable tag).
    case unexpected(String)

    public var description: String {
        switch self {
        case .commitOutcomeUnknown:
            "The connection to PostgreSQL was lost during COMMIT; the write may or may not have been applied."
        case .schemaTooNew(let found, let known):
            "The PostgreSQL database has kvstore schema version \(found), newer than this kvserver knows "
                + "(\(known)): it was written by a newer kvserver. Upgrade this kvserver; never run an older one against it."
        case .shardNotOpen(let streamID, let shard):
            "Stream \(streamID) has no open shard \(shard)."
        case .unexpected(let what):
            "Unexpected PostgreSQL result: \(what)"
        }
    }
}
