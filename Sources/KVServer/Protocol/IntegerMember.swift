public import KVStore

/// The one reading of the API model's `Integer` and `Long` members (every `Limit`, `Segment`,
/// `TotalSegments`, capacity unit...).
///
/// A value is taken only when it is a JSON integer token that fits the member's Java type; it
/// is never coerced. A fraction or exponent (`2.9`, `3e400`, `1e999999`, even `2.0`) is a
/// `SerializationException` "DECIMAL_VALUE cannot be converted to Integer", and an integer
/// outside the type's range (`2147483648` for an Integer, a 42-digit value for a Long) is
/// "NUMBER_VALUE cannot be converted to Integer": the texts DynamoDB's deserializer gives for a
/// JSON token it cannot turn into the member's type (the token names are the ones recorded in
/// dynalite's serialization tests; AWS's Smithy protocol tests require a SerializationException
/// for float truncation and for integer overflow and underflow alike,
/// smithy-lang/smithy `malformedRequests/malformed-integer.smithy`).
/// Ranges narrower than the type (`Limit` >= 1, `Segment` < 1,000,000) are checked afterwards as
/// ValidationExceptions by `ConstraintViolations`.
public enum IntegerMember: Sendable {
    /// Java `Integer`: -2,147,483,648 ... 2,147,483,647.
    case integer
    /// Java `Long`: the 64-bit range.
    case long

    /// The Java class name DynamoDB's messages use.
    var javaName: String {
        switch self {
        case .integer: "Integer"
        case .long: "Long"
        }
    }

    /// The value of `json` as this member type, or the SerializationException DynamoDB answers.
    public func read(_ json: JSONValue) throws(KVError) -> Int64 {
        guard case .number(let text) = json else { throw WireObject.mismatch(json, expected: javaName) }
        guard Self.isIntegerToken(text) else {
            throw .serialization("DECIMAL_VALUE cannot be converted to \(javaName)")
        }
        // Int64(String) parses digit by digit and answers nil on overflow: a 42-digit value
        // never traps and never saturates.
        guard let value = Int64(text), contains(value) else {
            throw .serialization("NUMBER_VALUE cannot be converted to \(javaName)")
        }
        return value
    }

    func contains(_ value: Int64) -> Bool {
        switch self {
        case .integer: Int64(Int32.min) <= value && value <= Int64(Int32.max)
        case .long: true
        }
    }

    /// A JSON number without a fraction or exponent part (the JSON parser already checked the
    /// grammar, so only `.`, `e` and `E` can make it a decimal token).
    static func isIntegerToken(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }
}
