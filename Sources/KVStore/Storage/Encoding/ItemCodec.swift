/// The binary form of a whole item, stored in the `item` BLOB column.
///
/// On-disk format, never to change silently (a change needs a new format version and a
/// migration). An item is:
///
///     item    = version:u8(0x01) count:varint (name:string value){count}
///     string  = length:varint bytes{length}          (UTF-8 for S/SS/names)
///     value   = tag:u8 payload
///
/// | Tag  | Type       | Payload |
/// |------|------------|---------|
/// | 0x00 | —          | reserved, never written (zeroed storage fails to decode) |
/// | 0x01 | S          | string (UTF-8) |
/// | 0x02 | N          | string holding `Number.orderedBytes` (not the text) |
/// | 0x03 | B          | string (raw bytes) |
/// | 0x04 | BOOL false | none |
/// | 0x05 | BOOL true  | none |
/// | 0x06 | NULL       | none |
/// | 0x07 | SS         | count:varint, then count × string (UTF-8) |
/// | 0x08 | NS         | count:varint, then count × string (`orderedBytes`) |
/// | 0x09 | BS         | count:varint, then count × string (raw bytes) |
/// | 0x0A | L          | count:varint, then count × value |
/// | 0x0B | M          | count:varint, then count × (name:string value) |
///
/// `varint` is unsigned LEB128: 7 bits per byte, least significant group first, high bit set
/// on every byte but the last; at most 9 bytes (lengths and counts fit in an `Int`).
///
/// Numbers are stored as `orderedBytes`, the same bytes as key columns, so decoding a number
/// is a byte copy and one documented number format serves both. Map entries are written in
/// the dictionary's iteration order, which is unspecified: equal items may encode differently.
///
/// Decoding checks every length against the bytes left, rejects unknown tags, duplicate map
/// names, invalid UTF-8, invalid number bytes, trailing bytes and nesting deeper than
/// `maxDepth`, and throws `ItemCodec.DecodingError`; it never traps.
/// Public only for the engine micro-benchmarks (`Benchmarks/Micro`).
public enum ItemCodec {
    /// The first byte of every encoded item.
    @inlinable
    static var formatVersion: UInt8 { 0x01 }

    /// The deepest nesting of L/M values that decodes (the item's own map is depth 0).
    /// DynamoDB allows 32 levels; the engine rejects deeper items before they are written.
    @inlinable
    static var maxDepth: Int { 256 }

    /// Why bytes are not a valid encoded item. Carries no item data.
    @usableFromInline
    struct DecodingError: Error, Sendable, CustomStringConvertible {
        @usableFromInline var reason: String
        /// Where in the bytes decoding stopped.
        @usableFromInline var offset: Int

        @usableFromInline
        init(reason: String, offset: Int) {
            self.reason = reason
            self.offset = offset
        }

        @usableFromInline var description: String { "malformed stored item at byte \(offset): \(reason)" }
    }

    @usableFromInline
    enum Tag {
        @inlinable static var string: UInt8 { 0x01 }
        @inlinable static var number: UInt8 { 0x02 }
        @inlinable static var binary: UInt8 { 0x03 }
        @inlinable static var boolFalse: UInt8 { 0x04 }
        @inlinable static var boolTrue: UInt8 { 0x05 }
        @inlinable static var null: UInt8 { 0x06 }
        @inlinable static var stringSet: UInt8 { 0x07 }
        @inlinable static var numberSet: UInt8 { 0x08 }
        @inlinable static var binarySet: UInt8 { 0x09 }
        @inlinable static var list: UInt8 { 0x0A }
        @inlinable static var map: UInt8 { 0x0B }
    }

    // MARK: Encoding

    /// Encodes a whole item.
    ///
    /// - Parameter sizeHint: the item's `ItemSize` when the caller has it. The encoding is that
    ///   many bytes plus a few per attribute (tags and lengths), so reserving from it spares the
    ///   array growing and copying itself while the item is written.
    public static func encode(_ item: Item, sizeHint: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sizeHint.map { $0 + 16 + 8 * item.count } ?? 64 + 48 * item.count)
        out.append(formatVersion)
        writeMapBody(item, into: &out)
        return out
    }

    private static func writeMapBody(_ map: [String: AttributeValue], into out: inout [UInt8]) {
        writeVarint(map.count, into: &out)
        for (name, value) in map {
            writeString(name, into: &out)
            write(value, into: &out)
        }
    }

    private static func write(_ value: AttributeValue, into out: inout [UInt8]) {
        switch value {
        case .string(let string):
            out.append(Tag.string)
            writeString(string, into: &out)
        case .number(let number):
            out.append(Tag.number)
            writeBytes(number.orderedBytes, into: &out)
        case .binary(let bytes):
            out.append(Tag.binary)
            writeBytes(bytes, into: &out)
        case .bool(let flag):
            out.append(flag ? Tag.boolTrue : Tag.boolFalse)
        case .null:
            out.append(Tag.null)
        case .stringSet(let strings):
            out.append(Tag.stringSet)
            writeVarint(strings.count, into: &out)
            for string in strings { writeString(string, into: &out) }
        case .numberSet(let numbers):
            out.append(Tag.numberSet)
            writeVarint(numbers.count, into: &out)
            for number in numbers { writeBytes(number.orderedBytes, into: &out) }
        case .binarySet(let binaries):
            out.append(Tag.binarySet)
            writeVarint(binaries.count, into: &out)
            for bytes in binaries { writeBytes(bytes, into: &out) }
        case .list(let values):
            out.append(Tag.list)
            writeVarint(values.count, into: &out)
            for element in values { write(element, into: &out) }
        case .map(let map):
            out.append(Tag.map)
            writeMapBody(map, into: &out)
        }
    }

    @inline(__always)
    private static func writeVarint(_ value: Int, into out: inout [UInt8]) {
        var rest = UInt(bitPattern: value)
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: rest))
    }

    @inline(__always)
    private static func writeString(_ string: String, into out: inout [UInt8]) {
        let utf8 = string.utf8
        writeVarint(utf8.count, into: &out)
        out.append(contentsOf: utf8)
    }

    @inline(__always)
    private static func writeBytes(_ bytes: [UInt8], into out: inout [UInt8]) {
        writeVarint(bytes.count, into: &out)
        out.append(contentsOf: bytes)
    }

    // MARK: Decoding

    /// Decodes an item written by `encode`.
    ///
    /// - Throws: `DecodingError` when the bytes are not exactly one valid encoded item.
    public static func decode(_ bytes: [UInt8]) throws -> Item {
        try bytes.withUnsafeBufferPointer { try decode($0) }
    }

    /// Decodes an item from borrowed bytes (see `Statement.withUnsafeBlob`).
    ///
    /// - Throws: `DecodingError` when the bytes are not exactly one valid encoded item.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Item {
        var reader = Reader(bytes)
        let version = try reader.byte()
        guard version == formatVersion else {
            throw reader.error("unknown item format version \(version)")
        }
        let item = try reader.mapBody(depth: 0)
        guard reader.isAtEnd else {
            throw reader.error("trailing bytes after the item")
        }
        return item
    }

    /// A bounds-checked cursor over the encoded bytes (shared with `ItemCodec.walk`).
    @usableFromInline
    struct Reader {
        @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
        @usableFromInline var offset = 0

        @inlinable
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        @inlinable var isAtEnd: Bool { offset == bytes.count }
        @inlinable var remaining: Int { bytes.count - offset }

        @usableFromInline
        func error(_ reason: String) -> DecodingError {
            DecodingError(reason: reason, offset: offset)
        }

        @inlinable @inline(__always)
        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw error("unexpected end of data") }
            let value = bytes[offset]
            offset += 1
            return value
        }

        /// An unsigned LEB128 value that fits in an `Int`.
        @inlinable @inline(__always)
        mutating func varint() throws(DecodingError) -> Int {
            // Most lengths and counts are below 128: one byte; nearly all others below 16,384: two.
            if offset < bytes.count, bytes[offset] < 0x80 {
                offset += 1
                return Int(bytes[offset - 1])
            }
            if offset + 1 < bytes.count, bytes[offset + 1] < 0x80 {
                offset += 2
                return Int(bytes[offset - 2] & 0x7F) | Int(bytes[offset - 1]) << 7
            }
            return try longVarint()
        }

        @usableFromInline @inline(never)
        mutating func longVarint() throws(DecodingError) -> Int {
            var value: UInt = 0
            var shift: UInt = 0
            while true {
                let byte = try byte()
                let bits = UInt(byte & 0x7F)
                guard shift < 63, bits <= (UInt(Int.max) >> shift) else {
                    throw error("varint too large")
                }
                value |= bits << shift
                if byte < 0x80 { return Int(value) }
                shift += 7
            }
        }

        /// A count of elements that each take at least `minimumSize` bytes, so a corrupt count
        /// cannot make decoding reserve huge arrays.
        @inlinable
        mutating func count(minimumSize: Int) throws(DecodingError) -> Int {
            let count = try varint()
            guard count <= remaining / minimumSize else {
                throw error("count \(count) exceeds the data left")
            }
            return count
        }

        /// A length-prefixed run of bytes, as a view into the buffer.
        @inlinable @inline(__always)
        mutating func lengthPrefixed() throws(DecodingError) -> UnsafeBufferPointer<UInt8> {
            let length = try varint()
            guard length <= remaining else {
                throw error("length \(length) exceeds the data left")
            }
            let slice = UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + offset }, count: length)
            offset += length
            return slice
        }

        mutating func string() throws(DecodingError) -> String {
            let start = offset
            let utf8 = try lengthPrefixed()
            guard let string = validatedString(utf8) else {
                throw DecodingError(reason: "invalid UTF-8", offset: start)
            }
            return string
        }

        mutating func binary() throws(DecodingError) -> [UInt8] {
            Array(try lengthPrefixed())
        }

        @inlinable
        mutating func number() throws(DecodingError) -> Number {
            let start = offset
            guard let number = Number(orderedBytes: try lengthPrefixed()) else {
                throw DecodingError(reason: "invalid number bytes", offset: start)
            }
            return number
        }

        mutating func mapBody(depth: Int) throws(DecodingError) -> [String: AttributeValue] {
            let count = try count(minimumSize: 2)
            var map: [String: AttributeValue] = [:]
            map.reserveCapacity(count)
            for _ in 0..<count {
                let start = offset
                let name = try string()
                let element = try value(depth: depth)
                guard map.updateValue(element, forKey: name) == nil else {
                    throw DecodingError(reason: "duplicate map entry", offset: start)
                }
            }
            return map
        }

        /// A tagged value inside a container at `depth`.
        mutating func value(depth: Int) throws(DecodingError) -> AttributeValue {
            let tag = try byte()
            switch tag {
            case Tag.string:
                return .string(try string())
            case Tag.number:
                return .number(try number())
            case Tag.binary:
                return .binary(try binary())
            case Tag.boolFalse:
                return .bool(false)
            case Tag.boolTrue:
                return .bool(true)
            case Tag.null:
                return .null
            case Tag.stringSet:
                let count = try count(minimumSize: 1)
                var strings: [String] = []
                strings.reserveCapacity(count)
                for _ in 0..<count { strings.append(try string()) }
                return .stringSet(strings)
            case Tag.numberSet:
                let count = try count(minimumSize: 1)
                var numbers: [Number] = []
                numbers.reserveCapacity(count)
                for _ in 0..<count { numbers.append(try number()) }
                return .numberSet(numbers)
            case Tag.binarySet:
                let count = try count(minimumSize: 1)
                var binaries: [[UInt8]] = []
                binaries.reserveCapacity(count)
                for _ in 0..<count { binaries.append(try binary()) }
                return .binarySet(binaries)
            case Tag.list:
                try checkDepth(depth + 1)
                let count = try count(minimumSize: 1)
                var values: [AttributeValue] = []
                values.reserveCapacity(count)
                for _ in 0..<count { values.append(try value(depth: depth + 1)) }
                return .list(values)
            case Tag.map:
                try checkDepth(depth + 1)
                return .map(try mapBody(depth: depth + 1))
            default:
                offset -= 1
                throw error("unknown type tag \(tag)")
            }
        }

        @inlinable
        func checkDepth(_ depth: Int) throws(DecodingError) {
            guard depth <= ItemCodec.maxDepth else {
                throw error("nesting deeper than \(ItemCodec.maxDepth)")
            }
        }
    }
}
