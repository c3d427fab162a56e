/// The byte form of key attribute values stored in the `pk`/`sk` BLOB columns.
///
/// On-disk format, never to change silently: SQLite compares BLOBs with memcmp (then shorter
/// first), so the bytes are chosen so that this order is DynamoDB's order for the type:
///
/// | Type | Bytes | Order (DynamoDB) |
/// |------|-------|------------------|
/// | S    | the UTF-8 bytes, unprefixed | UTF-8 byte order, which is code point order |
/// | B    | the raw bytes, unprefixed   | unsigned byte order |
/// | N    | `Number.orderedBytes`       | numeric order |
///
/// No type tag is stored: a table's key schema fixes each key attribute's type.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
/// Public only for the engine micro-benchmarks (`Benchmarks/Micro`).
public enum KeyEncoding {
    /// Order-preserving bytes of a key attribute value.
    ///
    /// - Returns: nil when the value is not S, N or B.
    public static func encode(_ value: AttributeValue) -> [UInt8]? {
        switch value {
        case .string(let string): Array(string.utf8)
        case .binary(let bytes): bytes
        case .number(let number): number.orderedBytes
        default: nil
        }
    }

    /// The value of `type` whose `encode` is `bytes`.
    ///
    /// - Returns: nil when the bytes are not a valid encoding (invalid UTF-8, bad number bytes).
    public static func decode(_ bytes: [UInt8], as type: ScalarType) -> AttributeValue? {
        switch type {
        case .string:
            bytes.withUnsafeBufferPointer { validatedString($0) }.map(AttributeValue.string)
        case .binary:
            .binary(bytes)
        case .number:
            Number(orderedBytes: bytes).map(AttributeValue.number)
        }
    }
}

/// The string whose UTF-8 form is `utf8`, or nil when the bytes are not valid UTF-8.
///
/// Unlike `String(decoding:as:)`, never repairs: stored bytes that are not what was written
/// must surface as an error, not as altered data. ASCII (most names and many values) takes a
/// fast path: `String(validating:as:)` is about twice as slow as `String(decoding:as:)`.
func validatedString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
    var bits: UInt8 = 0
    for byte in utf8 { bits |= byte }
    if bits < 0x80 {
        return String(decoding: utf8, as: UTF8.self)
    }
    if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) {
        return String(validating: utf8, as: UTF8.self)
    }
    let string = String(decoding: utf8, as: UTF8.self)
    // Repair replaces each invalid sequence with U+FFFD, so a repaired string differs.
    return string.utf8.elementsEqual(utf8) ? string : nil
}
