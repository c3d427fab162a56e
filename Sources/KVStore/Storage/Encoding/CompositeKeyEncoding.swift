/// The byte form of a multi-attribute key (a global secondary index whose partition or sort key
/// has several attributes) in the index's `pk` / `sk` BLOB column.
///
/// On-disk format, never to change silently. A key part of one attribute keeps its plain
/// `KeyEncoding` bytes (so every index written before multi-attribute keys reads unchanged); a
/// part of two or more attributes is the concatenation of one component per attribute, in key
/// schema order:
///
/// ```
///  component = escape(KeyEncoding.encode(value))  00 00
///  escape    : every 00 byte becomes 00 FF; every other byte is itself
/// ```
///
/// The terminator `00 00` sorts below every escaped byte pair (`00 FF`, or a byte >= 01), and no
/// component is a prefix of another, so SQLite's memcmp order of the concatenation is the order of
/// the value tuples, attribute by attribute: the order DynamoDB gives a multi-attribute sort key.
/// It also makes "the first k attributes equal these values" a byte prefix, which is how a Query
/// with equality on a prefix of the sort attributes becomes one B-tree range.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.DesignPattern.MultiAttributeKeys.html
enum CompositeKeyEncoding {
    /// Appends the component of one attribute's encoded value.
    static func appendComponent(_ encoded: [UInt8], to bytes: inout [UInt8]) {
        appendEscaped(encoded, to: &bytes)
        bytes.append(0)
        bytes.append(0)
    }

    /// Appends `encoded` escaped but unterminated: the prefix shared by every component whose
    /// value starts with `encoded` (begins_with on the last sort attribute of a Query).
    static func appendEscaped(_ encoded: [UInt8], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + encoded.count + 2)
        for byte in encoded {
            bytes.append(byte)
            if byte == 0 { bytes.append(0xFF) }
        }
    }

    /// The concatenated components of `encodedValues`.
    static func encode(_ encodedValues: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in encodedValues { appendComponent(value, to: &bytes) }
        return bytes
    }

    /// The encoded values of the components of `bytes`; nil when the bytes are not a valid encoding.
    static func decode(_ bytes: [UInt8]) -> [[UInt8]]? {
        var components: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0 else {
                current.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            switch bytes[index + 1] {
            case 0xFF: current.append(0)
            case 0:
                components.append(current)
                current = []
            default: return nil
            }
            index += 2
        }
        return current.isEmpty ? components : nil
    }
}
