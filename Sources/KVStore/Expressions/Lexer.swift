/// Tokens of DynamoDB's expression languages, with their byte range in the source text
/// (kept for the `near:` part of syntax errors).
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Letters, digits and `_`, starting with a letter: attribute, function or keyword.
        case identifier
        /// `#` followed by letters, digits and `_`.
        case nameReference
        /// `:` followed by letters, digits and `_`.
        case valueReference
        /// Decimal digits (list indexes; anywhere else a syntax error).
        case number
        /// `( ) [ ] , . = <> < <= > >= + -`
        case punctuation
        /// Any other character.
        case invalid
        case end
    }

    var kind: Kind
    var start: Int
    var end: Int
}

/// Splits expression text into tokens. Never fails: unknown characters become `.invalid`
/// tokens that the parser reports as syntax errors.
struct Lexer {
    static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3 + 2)
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            if isSpace(byte) {
                i += 1
                continue
            }
            let start = i
            let kind: Token.Kind
            if isIdentifierStart(byte) {
                i += 1
                while i < count, isIdentifierPart(bytes[i]) { i += 1 }
                kind = .identifier
            } else if byte == UInt8(ascii: "#") || byte == UInt8(ascii: ":") {
                i += 1
                while i < count, isIdentifierPart(bytes[i]) { i += 1 }
                kind = byte == UInt8(ascii: "#") ? .nameReference : .valueReference
            } else if isDigit(byte) {
                i += 1
                while i < count, isDigit(bytes[i]) { i += 1 }
                kind = .number
            } else if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") {
                i += 1
                if i < count, bytes[i] == UInt8(ascii: "=") || (byte == UInt8(ascii: "<") && bytes[i] == UInt8(ascii: ">")) {
                    i += 1
                }
                kind = .punctuation
            } else if punctuation.contains(byte) {
                i += 1
                kind = .punctuation
            } else {
                // One whole UTF-8 scalar.
                i += 1
                while i < count, bytes[i] & 0xC0 == 0x80 { i += 1 }
                kind = .invalid
            }
            tokens.append(Token(kind: kind, start: start, end: i))
        }
        tokens.append(Token(kind: .end, start: count, end: count))
        return tokens
    }

    private static let punctuation: Set<UInt8> = Set("()[],.=+-".utf8)

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    /// DynamoDB's lexer does not start a name with `_` (or a digit): `SET _123 = :v` is
    /// `Syntax error; token: "_", near: "SET _123"` (recorded in alternator's test_update_expression.py).
    static func isIdentifierStart(_ b: UInt8) -> Bool { isLetter(b) }
    static func isIdentifierPart(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == UInt8(ascii: "_") }
}

/// Signals a syntax error; the parser keeps the furthest failing token for the message.
struct SyntaxFailure: Error {}

/// Shared machinery of the three recursive-descent parsers: token access, keyword matching,
/// furthest-failure tracking (as a PEG parser reports it), depth bounding and path parsing.
struct TokenStream {
    let bytes: [UInt8]
    let tokens: [Token]
    var position = 0
    /// The furthest token at which an expectation failed.
    var furthest = 0
    /// Current nesting of parentheses / NOT, bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 100

    init(_ text: String) {
        bytes = Array(text.utf8)
        tokens = Lexer.tokenize(bytes)
    }

    var current: Token { tokens[min(position, tokens.count - 1)] }

    func text(of token: Token) -> String { String(decoding: bytes[token.start..<token.end], as: UTF8.self) }

    var currentText: String { text(of: current) }

    /// Records an expectation failure at the current token and throws.
    mutating func fail() throws(SyntaxFailure) -> Never {
        furthest = max(furthest, position)
        throw SyntaxFailure()
    }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func isPunctuation(_ symbol: String) -> Bool {
        current.kind == .punctuation && bytes[current.start..<current.end].elementsEqual(symbol.utf8)
    }

    /// Case-insensitive keyword match on the current identifier.
    func isKeyword(_ keyword: String) -> Bool {
        current.kind == .identifier && Self.equalsIgnoringCase(bytes[current.start..<current.end], keyword)
    }

    static func equalsIgnoringCase(_ slice: ArraySlice<UInt8>, _ keyword: String) -> Bool {
        guard slice.count == keyword.utf8.count else { return false }
        return zip(slice, keyword.utf8).allSatisfy { a, b in
            let lower = (a >= 0x41 && a <= 0x5A) ? a + 32 : a
            let other = (b >= 0x41 && b <= 0x5A) ? b + 32 : b
            return lower == other
        }
    }

    mutating func expectPunctuation(_ symbol: String) throws(SyntaxFailure) {
        guard isPunctuation(symbol) else { try fail() }
        advance()
    }

    mutating func enter() throws(SyntaxFailure) {
        depth += 1
        if depth > Self.maximumDepth { try fail() }
    }

    mutating func leave() { depth -= 1 }

    /// DynamoDB's syntax error: the furthest unexpected token and the text from the token before it
    /// to the token after it (`Syntax error; token: "1", near: "+ 1"`).
    func syntaxErrorMessage() -> String {
        let index = min(furthest, tokens.count - 1)
        let token = tokens[index]
        let tokenText = token.kind == .end ? "<EOF>" : text(of: token)
        let nearStart = index > 0 ? tokens[index - 1].start : token.start
        let nearEnd: Int
        if token.kind == .end {
            nearEnd = bytes.count
        } else if index + 1 < tokens.count, tokens[index + 1].kind != .end {
            nearEnd = tokens[index + 1].end
        } else {
            nearEnd = token.end
        }
        let near = String(decoding: bytes[nearStart..<max(nearStart, nearEnd)], as: UTF8.self)
        return "Syntax error; token: \"\(tokenText)\", near: \"\(near)\""
    }

    /// Parses a document path: `name`, `#name`, then any `.name`, `.#name`, `[digits]`.
    /// `isKeyword` rejects the grammar's own keywords as names; reserved words and limits are noted.
    mutating func parsePath(
        isKeyword: (ArraySlice<UInt8>) -> Bool, diagnostics: inout Diagnostics, reservedRank: Int, limitsRank: Int
    ) throws(SyntaxFailure) -> DocumentPath {
        var elements: [PathElement] = [try parsePathName(isKeyword: isKeyword, diagnostics: &diagnostics, reservedRank: reservedRank)]
        while true {
            if isPunctuation(".") {
                advance()
                elements.append(try parsePathName(isKeyword: isKeyword, diagnostics: &diagnostics, reservedRank: reservedRank))
            } else if isPunctuation("[") {
                advance()
                guard current.kind == .number else { try fail() }
                let digits = currentText
                advance()
                try expectPunctuation("]")
                if let index = Int(digits), index <= Int(Int32.max) {
                    elements.append(.index(index))
                } else {
                    diagnostics.note(limitsRank, "List index is not within the allowable range; index: \(digits)")
                    elements.append(.index(Int(Int32.max)))
                }
            } else {
                break
            }
        }
        if elements.count > DocumentPathLimits.maximumElements {
            diagnostics.note(
                limitsRank, "The document path has too many nesting levels; nesting levels: \(elements.count - 1)")
        }
        return DocumentPath(elements)
    }

    private mutating func parsePathName(
        isKeyword: (ArraySlice<UInt8>) -> Bool, diagnostics: inout Diagnostics, reservedRank: Int
    ) throws(SyntaxFailure) -> PathElement {
        let token = current
        switch token.kind {
        case .identifier:
            if isKeyword(bytes[token.start..<token.end]) { try fail() }
            let name = text(of: token)
            if ReservedWords.contains(name) {
                diagnostics.note(reservedRank, "Attribute name is a reserved keyword; reserved keyword: \(name)")
            }
            advance()
            return .attribute(name)
        case .nameReference:
            advance()
            return .attribute(text(of: token))
        default:
            try fail()
        }
    }
}

enum DocumentPathLimits {
    /// A top-level attribute plus 32 levels of nesting.
    static let maximumElements = 33
}

/// Checks shared by every expression kind before parsing.
enum ExpressionText {
    static let maximumBytes = 4096

    /// "The expression can not be empty;" and the 4 KB limit.
    static func validate(_ text: String, prefix: String) throws(KVError) {
        if text.isEmpty { throw KVError.validation(prefix + "The expression can not be empty;") }
        let size = text.utf8.count
        if size > maximumBytes {
            throw KVError.validation(
                prefix + "Expression size has exceeded the maximum allowed size; expression size: \(size)")
        }
    }
}
