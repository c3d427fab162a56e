/// A position in a shard, handed to clients as an opaque string.
///
/// Format (base64 of UTF-8): `v1|<stream id>|<shard>|<after seq>|<issued ms>`; the records
/// after `after seq` come next. It carries its issue time so it can expire.
struct ShardIterator: Sendable, Equatable {
    var streamID: Int64
    var shard: Int64
    var afterSequence: Int64
    var issuedMillis: Int64

    var encoded: String {
        let text = "v1|\(streamID)|\(shard)|\(afterSequence)|\(issuedMillis)"
        return Base64.encode(Array(text.utf8))
    }

    init(streamID: Int64, shard: Int64, afterSequence: Int64, issuedMillis: Int64) {
        self.streamID = streamID
        self.shard = shard
        self.afterSequence = afterSequence
        self.issuedMillis = issuedMillis
    }

    init?(encoded: String) {
        guard encoded.utf8.count <= 2048, let bytes = try? Base64.decode(encoded) else { return nil }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "v1",
            let streamID = Int64(parts[1]), let shard = Int64(parts[2]),
            let after = Int64(parts[3]), let issued = Int64(parts[4])
        else { return nil }
        self.init(streamID: streamID, shard: shard, afterSequence: after, issuedMillis: issued)
    }
}

/// Shard ids and sequence numbers in DynamoDB's shapes.
enum StreamCodec {
    /// `shardId-<20-digit opening time in ms>-<8 hex digits of the shard number>` (28 characters and more, like DynamoDB's).
    static func shardID(shard: Int64, openedMillis: Int64) -> String {
        "shardId-\(padded(openedMillis, 20))-\(hex8(shard))"
    }

    static func shardNumber(from shardID: String) -> Int64? {
        guard shardID.hasPrefix("shardId-"), let last = shardID.split(separator: "-").last, last.count == 8 else { return nil }
        return Int64(last, radix: 16)
    }

    /// Sequence numbers are decimal strings of 21 digits, so they compare the same as text and as numbers.
    static func sequenceNumber(_ seq: Int64) -> String { padded(seq, 21) }

    static func sequence(from text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 40, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let trimmed = text.drop { $0 == "0" }
        return trimmed.isEmpty ? 0 : Int64(trimmed)
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let text = String(max(value, 0))
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func hex8(_ value: Int64) -> String {
        let text = String(UInt32(truncatingIfNeeded: value), radix: 16)
        return String(repeating: "0", count: max(0, 8 - text.count)) + text
    }
}
