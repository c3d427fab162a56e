// TEMPORARY compile stub; replaced by the storage branch.
public struct SQLiteError: Error, Sendable, CustomStringConvertible { public var code: Int32; public var message: String; public var sql: String?; public var description: String { message } }
final class Connection {
    func execute(_ sql: String) throws {}
    func statement(_ sql: String) throws -> Statement { Statement() }
    var changes: Int { 0 }
    var userVersion: Int { get throws { 0 } }
    func setUserVersion(_ v: Int) throws {}
}
final class Statement {
    func bind(_ index: Int32, _ value: [UInt8]) throws {}
    func bind(_ index: Int32, _ value: Int64) throws {}
    func bind(_ index: Int32, _ value: String) throws {}
    func bindNull(_ index: Int32) throws {}
    func step() throws -> Bool { false }
    func run() throws {}
    func reset() {}
    func blob(_ column: Int32) -> [UInt8] { [] }
    func int64(_ column: Int32) -> Int64 { 0 }
    func text(_ column: Int32) -> String { "" }
    func isNull(_ column: Int32) -> Bool { true }
}
public final class Database: Sendable {
    public enum Location: Sendable { case inMemory; case file(path: String) }
    public enum Synchronous: String, Sendable { case normal = "NORMAL"; case full = "FULL" }
    public init(location: Location, synchronous: Synchronous = .normal, readers: Int = 4) throws {}
    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T { try body(Connection()) }
    func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T { try body(Connection()) }
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T { try body(Connection()) }
    public func close() {}
}
enum KeyEncoding {
    static func encode(_ value: AttributeValue) -> [UInt8]? { nil }
    static func decode(_ bytes: [UInt8], as type: ScalarType) -> AttributeValue? { nil }
}
enum ItemCodec {
    static func encode(_ item: Item) -> [UInt8] { [] }
    static func decode(_ bytes: [UInt8]) throws -> Item { [:] }
}
