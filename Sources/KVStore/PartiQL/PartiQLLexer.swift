/// One token of a PartiQL statement, with the UTF-8 offset where it starts.
struct PartiQLToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: a keyword or an identifier, as written.
        case word(String)
        /// A `"double quoted"` identifier (case kept, `""` unescaped).
        case quoted(String)
        /// A `'single quoted'` string literal (`''` unescaped).
        case string(String)
        /// A number literal, as written.
        case number(String)
        /// `?`: the next of the request's `Parameters`.
        case parameter
        /// Punctuation and operators: `( ) [ ] { } << >> , . : ; * = <> != < <= > >= + -`.
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int

    /// The keyword this token spells (upper-cased), when it is a bare word.
    var keyword: String? {
        if case .word(let text) = kind { return text.uppercased() }
        return nil
    }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol(symbol) }
    func isKeyword(_ word: String) -> Bool { keyword == word }
}

/// Splits a PartiQL statement into tokens: DynamoDB's dialect of PartiQL, with `--` and
/// `/* */` comments and an optional trailing `;`.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
enum PartiQLLexer {
    static func tokens(_ text: String) throws(KVError) -> [PartiQLToken] {
        let bytes = Array(text.utf8)
        var tokens: [PartiQLToken] = []
        var index = 0
        func peek(_ offset: Int = 0) -> UInt8? {
            let position = index + offset
            return position < bytes.count ? bytes[position] : nil
        }
        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                index += 2
                var closed = false
                while index + 1 < bytes.count {
                    if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                        closed = true
                        index += 2
                        break
                    }
                    index += 1
                }
                // An unterminated comment: DynamoDB says nothing after the colon.
                guard closed else { throw PartiQLError.malformed("") }
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let quote = byte
                index += 1
                var content: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    if bytes[index] == quote {
                        if peek(1) == quote {
                            content.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    content.append(bytes[index])
                    index += 1
                }
                guard closed else { throw PartiQLError.malformed("Invalid string literal") }
                let value = String(decoding: content, as: UTF8.self)
                tokens.append(PartiQLToken(kind: quote == UInt8(ascii: "'") ? .string(value) : .quoted(value), offset: start))
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                index = number(bytes, from: index)
                tokens.append(PartiQLToken(kind: .number(String(decoding: bytes[start..<index], as: UTF8.self)), offset: start))
            case UInt8(ascii: ".") where peek(1).map(isDigit) == true:
                index = number(bytes, from: index)
                tokens.append(PartiQLToken(kind: .number(String(decoding: bytes[start..<index], as: UTF8.self)), offset: start))
            case UInt8(ascii: "?"):
                index += 1
                tokens.append(PartiQLToken(kind: .parameter, offset: start))
            case _ where isWordStart(byte):
                while index < bytes.count, isWordPart(bytes[index]) { index += 1 }
                tokens.append(PartiQLToken(kind: .word(String(decoding: bytes[start..<index], as: UTF8.self)), offset: start))
            default:
                let two = peek(1).map { String(decoding: [byte, $0], as: UTF8.self) }
                if let two, ["<<", ">>", "<>", "!=", "<=", ">=", "||"].contains(two) {
                    index += 2
                    tokens.append(PartiQLToken(kind: .symbol(two), offset: start))
                } else if "()[]{},.:;*=<>+-/%".utf8.contains(byte) {
                    index += 1
                    tokens.append(PartiQLToken(kind: .symbol(String(decoding: [byte], as: UTF8.self)), offset: start))
                } else {
                    // `#`, `@`, `$`...: no token starts with them; DynamoDB gives no detail.
                    throw PartiQLError.malformed("")
                }
            }
        }
        tokens.append(PartiQLToken(kind: .end, offset: bytes.count))
        return tokens
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    private static func isWordPart(_ byte: UInt8) -> Bool { isWordStart(byte) || isDigit(byte) }

    /// The end of the number starting at `start`: digits, an optional fraction, an optional exponent.
    private static func number(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var next = index + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "+") || bytes[next] == UInt8(ascii: "-") { next += 1 }
            if next < bytes.count, isDigit(bytes[next]) {
                index = next
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }
        return index
    }
}
