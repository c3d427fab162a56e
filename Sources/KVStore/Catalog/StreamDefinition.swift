/// What a stream record carries besides the keys (`StreamViewType`).
public enum StreamViewType: String, Sendable, Hashable, Codable, CaseIterable {
    case keysOnly = "KEYS_ONLY"
    case newImage = "NEW_IMAGE"
    case oldImage = "OLD_IMAGE"
    case newAndOldImages = "NEW_AND_OLD_IMAGES"

    var keepsNewImage: Bool { self == .newImage || self == .newAndOldImages }
    var keepsOldImage: Bool { self == .oldImage || self == .newAndOldImages }
}

/// One change stream of a table. Disabling a stream keeps it (readable until its records
/// age out); enabling again starts a new one with a new label.
public struct StreamDefinition: Sendable, Hashable, Codable {
    /// Key of the stream's shards and records in `kv_shards` / `kv_stream_records`; never reused.
    public var id: Int64
    public var viewType: StreamViewType
    /// `LatestStreamLabel`: the creation time as `yyyy-MM-ddTHH:mm:ss.SSS`.
    public var label: String
    public var created: Double
    public var enabled: Bool

    public init(id: Int64, viewType: StreamViewType, label: String, created: Double, enabled: Bool) {
        self.id = id
        self.viewType = viewType
        self.label = label
        self.created = created
        self.enabled = enabled
    }

    public func arn(table: String, region: String, account: String) -> String {
        "arn:aws:dynamodb:\(region):\(account):table/\(table)/stream/\(label)"
    }
}

/// A table's time-to-live setting.
public struct TimeToLiveDefinition: Sendable, Hashable, Codable {
    public var attributeName: String
    public var enabled: Bool
    /// False until the expiry index holds every item that existed when TTL was enabled.
    public var indexed: Bool

    public init(attributeName: String, enabled: Bool, indexed: Bool) {
        self.attributeName = attributeName
        self.enabled = enabled
        self.indexed = indexed
    }
}
