/// How the engine stores its data.
public struct EngineConfiguration: Sendable {
    /// A directory holding the SQLite file, or nil to keep everything in memory.
    public var dataDirectory: String?
    /// SQLite `synchronous` level: `.normal` survives a process crash, `.full` also power loss.
    public var durability: Durability

    public enum Durability: String, Sendable, CaseIterable {
        case normal
        case full
    }

    public init(dataDirectory: String?, durability: Durability = .normal) {
        self.dataDirectory = dataDirectory
        self.durability = durability
    }
}
