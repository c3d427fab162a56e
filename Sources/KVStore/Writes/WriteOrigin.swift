/// Who made a change: a client, or the TTL sweeper (whose deletions carry DynamoDB's service identity in the stream).
public enum WriteOrigin: Sendable {
    case client
    case timeToLive
}
