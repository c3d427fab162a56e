/// Failures of the PostgreSQL backend that are neither conflicts nor bad settings. Messages
/// name what went wrong and never carry item values.
public enum PostgresStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection broke while COMMIT was under way: the transaction may or may not have
    /// committed. The engine must answer a 500 (as DynamoDB's InternalServerError), never assume.
    case commitOutcomeUnknown
    /// The database holds a schema version newer than this kvserver knows.
    case schemaTooNew(found: Int, known: Int)
    /// A statement returned what the schema rules out (a missing shard row, an unparsable tag).
    case unexpected(String)

    public var description: String {
        switch self {
        case .commitOutcomeUnknown:
            "The connection to PostgreSQL was lost during COMMIT; the write may or may not have been applied."
        case .schemaTooNew(let found, let known):
            "The PostgreSQL database has kvstore schema version \(found), newer than this kvserver knows "
                + "(\(known)): it was written by a newer kvserver. Upgrade this kvserver; never run an older one against it."
        case .unexpected(let what):
            "Unexpected PostgreSQL result: \(what)"
        }
    }
}
