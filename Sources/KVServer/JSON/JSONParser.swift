/// Why a document is not valid JSON, and where the parser noticed it.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unexpectedEndOfInput
        case unexpectedByte(UInt8)
        case invalidNumber
        case invalidEscape
        case invalidUnicodeEscape
        case invalidSurrogate
        case controlCharacterInString
        case invalidUTF8
        case nestingTooDeep
        case trailingData
    }

    public var reason: Reason
    /// Byte offset into the input.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "invalid JSON (\(reason)) at byte \(offset)" }
}

/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`.
///
/// - Numbers are validated against the JSON grammar and kept as their source text.
/// - Strings must be valid UTF-8 without raw control characters; `\uXXXX` escapes must pair
///   surrogates correctly.
/// - Duplicate object keys: the last one wins.
/// - Nesting deeper than `maxDepth` arrays/objects is an error, so hostile input cannot
///   exhaust the stack. Whitespace around the one top-level value is allowed, anything else
///   after it is an error. No input makes the parser trap.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaxDepth = 256

    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(
        _ bytes: [UInt8],
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(
        _ text: String,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }
}

private enum ASCII {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let slash: UInt8 = 0x2F
    static let comma: UInt8 = 0x2C
    static let colon: UInt8 = 0x3A
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let lowerE: UInt8 = 0x65
    static let upperE: UInt8 = 0x45
}

/// The parser's cursor and token readers; internal so that `BodyBytesReader` reads
/// strings, literals and whitespace exactly as documents are parsed.
struct Parser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0
    var depth = 0
    /// Members of the objects being parsed, innermost last. An object's dictionary is built
    /// once its member count is known, at exactly that capacity: growing it member by member
    /// re-hashed and re-allocated it on the way.
    var members: [(key: String, value: JSONValue)] = []

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw JSONParseError(.trailingData, at: index) }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    func peek() throws(JSONParseError) -> UInt8 {
        guard index < bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: index) }
        return bytes[index]
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        let byte = try peek()
        switch byte {
        case ASCII.quote:
            index += 1
            return .string(try parseString())
        case ASCII.openBrace:
            return try parseObject()
        case ASCII.openBracket:
            return try parseArray()
        case ASCII.minus, ASCII.zero...ASCII.nine:
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw JSONParseError(.unexpectedByte(byte), at: index)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard index < bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: index) }
            guard bytes[index] == start[offset] else {
                throw JSONParseError(.unexpectedByte(bytes[index]), at: index)
            }
            index += 1
        }
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw JSONParseError(.nestingTooDeep, at: index) }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // {
        skipWhitespace()
        if try peek() == ASCII.closeBrace {
            index += 1
            depth -= 1
            return .object([:])
        }
        let first = members.count
        // The first member waits here: most objects (every attribute value) have just one,
        // and a one-entry dictionary is cheapest made directly.
        var firstMember: (key: String, value: JSONValue)?
        while true {
            skipWhitespace()
            let quote = try peek()
            guard quote == ASCII.quote else { throw JSONParseError(.unexpectedByte(quote), at: index) }
            index += 1
            let key = try parseString()
            skipWhitespace()
            let colon = try peek()
            guard colon == ASCII.colon else { throw JSONParseError(.unexpectedByte(colon), at: index) }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if let waiting = firstMember {
                members.append(waiting)
                firstMember = nil
                members.append((key, value))
            } else if members.count == first {
                firstMember = (key, value)
            } else {
                members.append((key, value))
            }
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == ASCII.comma { continue }
            if next == ASCII.closeBrace { break }
            throw JSONParseError(.unexpectedByte(next), at: index - 1)
        }
        depth -= 1
        if let only = firstMember {
            return .object([only.key: only.value])
        }
        var object = [String: JSONValue](minimumCapacity: members.count - first)
        for position in first..<members.count {
            // Duplicate keys: the last one wins.
            object[members[position].key] = members[position].value
        }
        members.removeSubrange(first...)
        return .object(object)
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if try peek() == ASCII.closeBracket {
            index += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == ASCII.comma { continue }
            if next == ASCII.closeBracket { break }
            throw JSONParseError(.unexpectedByte(next), at: index - 1)
        }
        depth -= 1
        return .array(array)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == ASCII.minus { index += 1 }
        guard index < bytes.count else { throw JSONParseError(.invalidNumber, at: index) }
        if bytes[index] == ASCII.zero {
            index += 1
        } else if isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw JSONParseError(.invalidNumber, at: index)
        }
        if index < bytes.count, bytes[index] == ASCII.dot {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw JSONParseError(.invalidNumber, at: index)
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == ASCII.lowerE || bytes[index] == ASCII.upperE {
            index += 1
            if index < bytes.count, bytes[index] == ASCII.plus || bytes[index] == ASCII.minus {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw JSONParseError(.invalidNumber, at: index)
            }
            skipDigits()
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte >= ASCII.zero && byte <= ASCII.nine }

    @inline(__always)
    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    /// Parses the rest of a string; `index` is just past the opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        var asciiOnly = true
        // Fast path: no escapes.
        while index < bytes.count {
            // Skip eight bytes at a time while none is '"', '\\' or a control character (items
            // are mostly long plain strings), then straight to the first byte that is one.
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                // Over-approximate: a high byte past the end of the string only costs validation.
                if word & Self.highs != 0 { asciiOnly = false }
                let stops = Self.plainRunStops(word)
                if stops != 0 {
                    index += stops.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == ASCII.quote {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                if !asciiOnly {
                    if let bad = UTF8Validation.firstInvalidOffset(slice) {
                        throw JSONParseError(.invalidUTF8, at: start + bad)
                    }
                }
                index += 1
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == ASCII.backslash { break }
            if byte < 0x20 { throw JSONParseError(.controlCharacterInString, at: index) }
            if byte >= 0x80 { asciiOnly = false }
            index += 1
        }
        guard index < bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: index) }
        return try parseEscapedString(start: start)
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` (loaded little-endian) that is a control character
    /// (below 0x20), '"' or '\\': the bytes that end a string's fast path; bytes from 0x80 up
    /// never match. Borrows can also mark a byte above a marked one, never below, so the lowest
    /// mark is exactly the first such byte; 0 when there is none.
    @inline(__always)
    static func plainRunStops(_ word: UInt64) -> UInt64 {
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        return control | hasQuote | hasBackslash
    }

    /// The slow path: the string holds at least one escape at `index`.
    mutating func parseEscapedString(start: Int) throws(JSONParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        // Raw (non-escape) runs are validated as UTF-8 run by run.
        var runStart = start
        var runHasNonASCII = false
        while true {
            guard index < bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: index) }
            let byte = bytes[index]
            if byte == ASCII.quote || byte == ASCII.backslash {
                if index > runStart {
                    let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])
                    if runHasNonASCII, let bad = UTF8Validation.firstInvalidOffset(run) {
                        throw JSONParseError(.invalidUTF8, at: runStart + bad)
                    }
                    out.append(contentsOf: run)
                }
                if byte == ASCII.quote {
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                try parseEscape(into: &out)
                runStart = index
                runHasNonASCII = false
                continue
            }
            if byte < 0x20 { throw JSONParseError(.controlCharacterInString, at: index) }
            if byte >= 0x80 { runHasNonASCII = true }
            index += 1
        }
    }

    /// Decodes one escape sequence at `index` (which holds the backslash).
    mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: index) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case ASCII.quote: out.append(ASCII.quote)
        case ASCII.backslash: out.append(ASCII.backslash)
        case ASCII.slash: out.append(ASCII.slash)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4()
            var scalarValue = UInt32(first)
            if (0xD800...0xDBFF).contains(first) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < bytes.count, bytes[index] == ASCII.backslash,
                    bytes[index + 1] == UInt8(ascii: "u")
                else { throw JSONParseError(.invalidSurrogate, at: escapeStart) }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw JSONParseError(.invalidSurrogate, at: escapeStart)
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(first) {
                throw JSONParseError(.invalidSurrogate, at: escapeStart)
            }
            appendUTF8(scalarValue, to: &out)
        default:
            throw JSONParseError(.invalidEscape, at: escapeStart)
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw JSONParseError(.unexpectedEndOfInput, at: bytes.count) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidUnicodeEscape, at: index)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    @inline(__always)
    func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

/// UTF-8 well-formedness as defined by Unicode (table 3-7): no overlong forms,
/// no surrogates, nothing above U+10FFFF.
enum UTF8Validation {
    /// The offset of the first byte of the first ill-formed sequence, or nil.
    static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= lower && b1 <= upper else { return i }
            var k = 2
            while k < length {
                let b = bytes[i + k]
                guard b >= 0x80 && b <= 0xBF else { return i }
                k += 1
            }
            i += length
        }
        return nil
    }
}
