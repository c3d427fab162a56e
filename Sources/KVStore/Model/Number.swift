// PLACEHOLDER: replaced by the real exact-decimal implementation.
/// An exact DynamoDB number: up to 38 significant digits, magnitude 1E-130 ..< 1E+126.
public struct Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    private var text: String

    /// Parses DynamoDB number text, throwing DynamoDB's ValidationException texts.
    public init(parsing text: String) throws(KVError) {
        self.text = text
    }

    public init(_ value: Int) { self.text = String(value) }

    /// The canonical text DynamoDB sends back ("1.50" -> "1.5", "1e3" -> "1000").
    public var description: String { text }

    public static func < (lhs: Number, rhs: Number) -> Bool { lhs.text < rhs.text }

    /// A byte string whose memcmp order is the numeric order; see `init?(orderedBytes:)`.
    public var orderedBytes: [UInt8] { Array(text.utf8) }

    public init?(orderedBytes: some Collection<UInt8>) {
        self.text = String(decoding: Array(orderedBytes), as: UTF8.self)
    }

    /// Bytes this number counts toward DynamoDB's item size.
    public var sizeInBytes: Int { text.utf8.count }

    public static func + (lhs: Number, rhs: Number) throws(KVError) -> Number { lhs }
    public static func - (lhs: Number, rhs: Number) throws(KVError) -> Number { lhs }
}
