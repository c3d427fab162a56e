/// A recursive-descent parser of DynamoDB's PartiQL statements: pure, no I/O, no parameters
/// (those are bound afterwards, so a parsed statement can be cached by its text).
///
/// Grammar (see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html):
///
///     SELECT (* | path, ...) FROM source [WHERE condition] [ORDER BY path [ASC|DESC], ...]
///     INSERT INTO table VALUE {'name': value, ...}
///     UPDATE table (SET path = value, ... | REMOVE path, ...)... [WHERE condition] [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
///     DELETE FROM table [WHERE condition] [RETURNING ALL OLD *]
///     EXISTS(SELECT ...)                                  (ExecuteTransaction only)
///
/// Errors carry DynamoDB's texts (`PartiQLError`).
struct PartiQLParser {
    private var tokens: [PartiQLToken]
    private var position = 0
    private var parameters = 0
    /// Where inside a literal the parser is (`.k`, `[1]`), for DynamoDB's "under root.k[1]" number errors.
    private var valuePath: [String] = []
    /// Set while reading INSERT's item: each attribute's value is its own root in error texts.
    private var readingItem = false
    /// Nesting (parentheses, NOT, literal lists/maps/sets) and operators so far: bounded, so that
    /// no statement can recurse deep enough to exhaust a thread's stack.
    private var depth = 0
    private var operators = 0
    static let maxDepth = 64
    static let maxOperators = 300
    static let tooComplex = PartiQLError.malformed(
        "Statement too complex: at most \(maxDepth) levels of nesting and \(maxOperators) operators")

    private mutating func enter() throws(KVError) {
        depth += 1
        if depth > Self.maxDepth { throw Self.tooComplex }
    }

    private mutating func countOperator() throws(KVError) {
        operators += 1
        if operators > Self.maxOperators { throw Self.tooComplex }
    }

    /// Words that cannot be bare identifiers (DynamoDB reserves PartiQL's keywords: `WHERE pad = 1`
    /// is a syntax error, `WHERE "pad" = 1` is not).
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.reserved-words.html
    static let reserved: Set<String> = [
        "ALL", "AND", "AS", "ASC", "AT", "BETWEEN", "BY", "CASE", "CAST", "DELETE", "DESC", "DISTINCT", "EXISTS",
        "FALSE", "FROM", "GROUP", "HAVING", "IN", "INSERT", "INTO", "IS", "JOIN", "LIKE", "LIMIT", "MISSING", "NOT",
        "NULL", "OFFSET", "ON", "OR", "ORDER", "PAD", "PIVOT", "REMOVE", "RETURNING", "SELECT", "SET", "TRUE", "UNION",
        "UNPIVOT", "UPDATE", "VALUE", "VALUES", "WHERE",
    ]

    /// The type names `IS` tests besides MISSING and NULL, and the DynamoDB type each means.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-operators.html
    static let isTypes: [String: String] = [
        "BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N", "STRUCT": "M", "TUPLE": "M", "LIST": "L",
    ]

    /// Parses one statement.
    static func parse(_ text: String) throws(KVError) -> ParsedStatement {
        var parser = PartiQLParser(tokens: try PartiQLLexer.tokens(text))
        let statement = try parser.statement()
        return ParsedStatement(statement: statement, parameterCount: parser.parameters)
    }

    private init(tokens: [PartiQLToken]) { self.tokens = tokens }

    // MARK: - Tokens

    private var current: PartiQLToken { tokens[min(position, tokens.count - 1)] }
    private func peek(_ ahead: Int) -> PartiQLToken { tokens[min(position + ahead, tokens.count - 1)] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private mutating func accept(keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    private mutating func accept(symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    private mutating func expect(keyword: String) throws(KVError) {
        guard accept(keyword: keyword) else { throw unexpected() }
    }

    private mutating func expect(symbol: String) throws(KVError) {
        guard accept(symbol: symbol) else { throw unexpected() }
    }

    /// Where a term should start: what DynamoDB says about the token found instead.
    private func unexpected() -> KVError {
        switch current.kind {
        case .end, .symbol(";"): return PartiQLError.unexpectedTerm
        case .word(let word) where ["IS", "LIKE"].contains(word.uppercased()): return PartiQLError.unexpectedOperator
        case .word(let word) where Self.reserved.contains(word.uppercased()): return PartiQLError.unexpectedKeyword
        case .symbol(let symbol) where ["=", "<>", "!=", "<", "<=", ">", ">=", "+", "/", "%", "||"].contains(symbol):
            return PartiQLError.unexpectedOperator
        default: return PartiQLError.leftover
        }
    }

    private var nextIsNumber: Bool {
        if case .number = peek(1).kind { return true }
        return false
    }

    private var atEnd: Bool {
        if case .end = current.kind { return true }
        return current.isSymbol(";")
    }

    // MARK: - Statements

    private mutating func statement() throws(KVError) -> PartiQLStatement {
        let statement: PartiQLStatement
        switch current.keyword {
        case "SELECT": statement = .select(try select())
        case "INSERT": statement = try insert()
        case "UPDATE": statement = try update()
        case "DELETE": statement = try delete()
        case "FROM": statement = try fromUpdate()
        case "EXISTS":
            advance()
            try expect(symbol: "(")
            guard current.isKeyword("SELECT") else { throw unexpected() }
            let select = try select()
            try expect(symbol: ")")
            statement = .exists(select)
        default:
            throw PartiQLError.expectedDataManipulation
        }
        _ = accept(symbol: ";")
        guard case .end = current.kind else { throw PartiQLError.leftover }
        return statement
    }

    private mutating func select() throws(KVError) -> PartiQLSelect {
        try expect(keyword: "SELECT")
        var projection: [DocumentPath]? = []
        var sawStar = false
        repeat {
            if accept(symbol: "*") {
                sawStar = true
            } else {
                projection?.append(try path())
            }
        } while accept(symbol: ",")
        if sawStar {
            guard projection?.isEmpty != false else { throw PartiQLError.starAndOthers }
            projection = nil
        }
        try expect(keyword: "FROM")
        let source = try source(allowIndex: true)
        try refuseAlias()
        var condition: PartiQLExpression?
        if accept(keyword: "WHERE") { condition = try expression() }
        var ordering: [PartiQLOrdering] = []
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat {
                let path = try path()
                var descending = false
                if accept(keyword: "DESC") { descending = true } else { _ = accept(keyword: "ASC") }
                ordering.append(PartiQLOrdering(path: path, descending: descending))
            } while accept(symbol: ",")
        }
        return PartiQLSelect(projection: projection, source: source, condition: condition, ordering: ordering)
    }

    private mutating func insert() throws(KVError) -> PartiQLStatement {
        try expect(keyword: "INSERT")
        try expect(keyword: "INTO")
        let table = try source(allowIndex: false).table
        if current.isKeyword("VALUES") { throw PartiQLError.insertMultiple }
        guard accept(keyword: "VALUE") else { throw PartiQLError.leftover }
        if current.isSymbol("<<") { throw PartiQLError.insertMultiple }
        readingItem = true
        let value = try primary()
        guard case .tuple = value else { throw PartiQLError.insertNotTuple }
        if current.isKeyword("RETURNING") { throw PartiQLError.insertReturning }
        return .insert(table: table, value: value)
    }

    private mutating func update() throws(KVError) -> PartiQLStatement {
        try expect(keyword: "UPDATE")
        let source = try source(allowIndex: true)
        try refuseAlias()
        let assignments = try assignments()
        guard !assignments.isEmpty else {
            if current.isKeyword("ADD") || current.isKeyword("DELETE") { throw PartiQLError.onlySetAndRemove }
            throw unexpected()
        }
        var condition: PartiQLExpression?
        if accept(keyword: "WHERE") { condition = try expression() }
        let returning = try returning()
        return .update(source: source, assignments: assignments, condition: condition, returning: returning)
    }

    /// `SET path = value, ...` and `REMOVE path, ...` clauses, in any number and order.
    private mutating func assignments() throws(KVError) -> [PartiQLAssignment] {
        var assignments: [PartiQLAssignment] = []
        while true {
            if accept(keyword: "SET") {
                repeat {
                    let target = try path()
                    try expect(symbol: "=")
                    assignments.append(.set(target, try additive()))
                } while accept(symbol: ",")
            } else if accept(keyword: "REMOVE") {
                repeat { assignments.append(.remove(try path())) } while accept(symbol: ",")
            } else {
                return assignments
            }
        }
    }

    /// The FROM-first form of UPDATE: `FROM table [WHERE condition] SET ... | REMOVE ...`.
    private mutating func fromUpdate() throws(KVError) -> PartiQLStatement {
        try expect(keyword: "FROM")
        let source = try source(allowIndex: true)
        try refuseAlias()
        var condition: PartiQLExpression?
        if accept(keyword: "WHERE") { condition = try expression() }
        let assignments = try assignments()
        guard !assignments.isEmpty else { throw unexpected() }
        return .update(source: source, assignments: assignments, condition: condition, returning: try returning())
    }

    private mutating func delete() throws(KVError) -> PartiQLStatement {
        try expect(keyword: "DELETE")
        try expect(keyword: "FROM")
        guard !atEnd, !current.isKeyword("WHERE") else { throw PartiQLError.expectedIdentifier }
        let source = try source(allowIndex: true)
        try refuseAlias()
        var condition: PartiQLExpression?
        if accept(keyword: "WHERE") { condition = try expression() }
        let returning = try returning()
        if let returning, returning != .allOld { throw PartiQLError.invalidDeleteReturning(returning.rawValue) }
        return .delete(source: source, condition: condition, returning: returning)
    }

    private mutating func returning() throws(KVError) -> PartiQLReturning? {
        guard accept(keyword: "RETURNING") else { return nil }
        let scope = current.keyword
        guard scope == "ALL" || scope == "MODIFIED" else { throw unexpected() }
        advance()
        let age = current.keyword
        guard age == "OLD" || age == "NEW" else { throw unexpected() }
        advance()
        guard accept(symbol: "*") else {
            throw KVError.validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")
        }
        return PartiQLReturning(rawValue: "\(scope ?? "") \(age ?? "") *")
    }

    /// `"table"`, `table` or `"table"."index"`.
    private mutating func source(allowIndex: Bool) throws(KVError) -> PartiQLSource {
        guard let table = try name() else { throw unexpected() }
        var source = PartiQLSource(table: table)
        if allowIndex, accept(symbol: ".") {
            guard let index = try name() else {
                throw KVError.validation("Invalid path dot component in this operation, expecting either an IDENTIFIER or STAR.")
            }
            source.index = index
            if current.isSymbol(".") {
                throw KVError.validation("A path may contain at most 2 components in the FROM clause")
            }
        }
        return source
    }

    /// A table alias (`FROM t x`, `FROM t AS x`): DynamoDB has its own message for it.
    private mutating func refuseAlias() throws(KVError) {
        if current.isKeyword("AS") { throw PartiQLError.aliasing }
        switch current.kind {
        case .quoted: throw PartiQLError.aliasing
        case .word(let word) where !Self.reserved.contains(word.uppercased()): throw PartiQLError.aliasing
        default: return
        }
    }

    /// An identifier: a double-quoted name, or a bare word that is not reserved.
    private mutating func name() throws(KVError) -> String? {
        switch current.kind {
        case .quoted(let text):
            advance()
            return text
        case .word(let word) where !Self.reserved.contains(word.uppercased()):
            advance()
            return word
        default:
            return nil
        }
    }

    // MARK: - Paths

    private mutating func path() throws(KVError) -> DocumentPath {
        guard let head = try name() else { throw unexpected() }
        var elements: [PathElement] = [.attribute(head)]
        try pathTail(&elements)
        return DocumentPath(elements)
    }

    private mutating func pathTail(_ elements: inout [PathElement]) throws(KVError) {
        while true {
            if current.isSymbol("."), !peek(1).isSymbol("*") {
                advance()
                guard let name = try name() else { throw unexpected() }
                elements.append(.attribute(name))
            } else if current.isSymbol("[") {
                advance()
                switch current.kind {
                case .number(let text):
                    guard let index = Int(text), index >= 0 else {
                        throw KVError.validation("List index is not within the allowable range; index: [\(text)]")
                    }
                    elements.append(.index(index))
                case .string(let key):
                    elements.append(.attribute(key))
                default:
                    throw unexpected()
                }
                advance()
                try expect(symbol: "]")
            } else {
                return
            }
        }
    }

    // MARK: - Expressions

    /// A condition: OR of ANDs of (NOT) predicates.
    mutating func expression() throws(KVError) -> PartiQLExpression {
        var left = try conjunction()
        while accept(keyword: "OR") {
            try countOperator()
            guard !atEnd else { throw PartiQLError.missingRightHandSide }
            left = .or(left, try conjunction())
        }
        return left
    }

    private mutating func conjunction() throws(KVError) -> PartiQLExpression {
        var left = try negation()
        while accept(keyword: "AND") {
            try countOperator()
            guard !atEnd else { throw PartiQLError.missingRightHandSide }
            left = .and(left, try negation())
        }
        return left
    }

    private mutating func negation() throws(KVError) -> PartiQLExpression {
        if accept(keyword: "NOT") {
            try countOperator()
            try enter()
            defer { depth -= 1 }
            return .not(try negation())
        }
        return try predicate()
    }

    private mutating func predicate() throws(KVError) -> PartiQLExpression {
        let left = try additive()
        if case .symbol(let symbol) = current.kind {
            let comparator: Comparator? =
                switch symbol {
                case "=": .equal
                case "<>", "!=": .notEqual
                case "<": .less
                case "<=": .lessOrEqual
                case ">": .greater
                case ">=": .greaterOrEqual
                default: nil
                }
            if let comparator {
                advance()
                try countOperator()
                guard !atEnd else { throw PartiQLError.missingRightHandSide }
                return .compare(comparator, left, try additive())
            }
        }
        if accept(keyword: "IS") {
            try countOperator()
            let negated = accept(keyword: "NOT")
            if accept(keyword: "MISSING") { return .isMissing(left, negated: negated) }
            if accept(keyword: "NULL") { return .isNull(left, negated: negated) }
            if let keyword = current.keyword, let type = Self.isTypes[keyword] {
                advance()
                return .isType(left, type, negated: negated)
            }
            if atEnd { throw PartiQLError.unexpectedTerm }
            throw PartiQLError.malformed("Expected type name")
        }
        let negated = accept(keyword: "NOT")
        if accept(keyword: "BETWEEN") {
            try countOperator()
            let low = try additive()
            try expect(keyword: "AND")
            let high = try additive()
            let node = PartiQLExpression.between(left, low, high)
            return negated ? .not(node) : node
        }
        if accept(keyword: "IN") {
            try countOperator()
            let close: String
            if accept(symbol: "[") { close = "]" } else { try expect(symbol: "("); close = ")" }
            var members: [PartiQLExpression] = []
            if !current.isSymbol(close) {
                repeat { members.append(try additive()) } while accept(symbol: ",")
            }
            try expect(symbol: close)
            let node = PartiQLExpression.inList(left, members)
            return negated ? .not(node) : node
        }
        if negated { throw unexpected() }
        return left
    }

    /// A value with `+` / `-` arithmetic (SET values, comparison operands).
    mutating func additive() throws(KVError) -> PartiQLExpression {
        var left = try primary()
        while current.isSymbol("+") || current.isSymbol("-") {
            guard case .symbol(let op) = current.kind else { break }
            advance()
            try countOperator()
            guard !atEnd else { throw PartiQLError.missingRightHandSide }
            left = .arithmetic(op, left, try primary())
        }
        return left
    }

    private mutating func primary() throws(KVError) -> PartiQLExpression {
        try enter()
        defer { depth -= 1 }
        let token = current
        switch token.kind {
        case .string(let text):
            advance()
            return .literal(.string(text))
        case .number(let text):
            advance()
            return .literal(.number(try number(text)))
        case .parameter:
            advance()
            defer { parameters += 1 }
            return .parameter(parameters)
        case .symbol("-") where nextIsNumber:
            advance()
            guard case .number(let text) = current.kind else { throw unexpected() }
            advance()
            return .literal(.number(try number("-" + text)))
        case .symbol("("):
            advance()
            guard !atEnd else { throw PartiQLError.unexpectedTerm }
            let inner = try expression()
            try expect(symbol: ")")
            return inner
        case .symbol("["):
            advance()
            var elements: [PartiQLExpression] = []
            if !current.isSymbol("]") {
                repeat {
                    valuePath.append("[\(elements.count)]")
                    defer { valuePath.removeLast() }
                    elements.append(try additive())
                } while accept(symbol: ",")
            }
            try expect(symbol: "]")
            return .list(elements)
        case .symbol("<<"):
            advance()
            var elements: [PartiQLExpression] = []
            if !current.isSymbol(">>") {
                repeat { elements.append(try additive()) } while accept(symbol: ",")
            }
            try expect(symbol: ">>")
            return .bag(elements)
        case .symbol("{"):
            advance()
            let isItem = readingItem
            readingItem = false
            var members: [(key: String, value: PartiQLExpression)] = []
            if !current.isSymbol("}") {
                repeat {
                    guard case .string(let key) = current.kind else {
                        if case .end = current.kind { throw PartiQLError.unexpectedTerm }
                        throw KVError.validation("Tuple keys must be of type String. Actual type: \(Self.typeName(current)) under root")
                    }
                    advance()
                    try expect(symbol: ":")
                    if members.contains(where: { $0.key == key }) {
                        throw PartiQLError.duplicateKey(key, under: "root" + valuePath.joined())
                    }
                    if !isItem { valuePath.append("." + key) }
                    defer { if !isItem { valuePath.removeLast() } }
                    members.append((key, try additive()))
                } while accept(symbol: ",")
            }
            try expect(symbol: "}")
            return .tuple(members)
        case .word(let word):
            let upper = word.uppercased()
            switch upper {
            case "TRUE": advance(); return .literal(.bool(true))
            case "FALSE": advance(); return .literal(.bool(false))
            case "NULL": advance(); return .literal(.null)
            case "MISSING": advance(); return .missing
            default: break
            }
            if peek(1).isSymbol("("), !Self.reserved.contains(upper) || upper == "EXISTS" {
                advance()
                advance()
                try countOperator()
                var arguments: [PartiQLExpression] = []
                if !current.isSymbol(")") {
                    repeat { arguments.append(try additive()) } while accept(symbol: ",")
                }
                try expect(symbol: ")")
                return .call(word.lowercased(), arguments)
            }
            return .path(try path())
        case .quoted:
            return .path(try path())
        default:
            throw unexpected()
        }
    }

    private static func typeName(_ token: PartiQLToken) -> String {
        switch token.kind {
        case .number: "DECIMAL"
        case .word(let word) where word.uppercased() == "NULL": "NULL"
        case .word(let word) where ["TRUE", "FALSE"].contains(word.uppercased()): "BOOL"
        default: "UNKNOWN"
        }
    }

    /// A number literal under DynamoDB's number rules; DynamoDB appends where in the value it sits
    /// (`under root`, `under root.m[1]`). An exponent, or a scale (fraction digits less the
    /// exponent), beyond a 32-bit integer is unreadable: nothing after the colon.
    func number(_ text: String) throws(KVError) -> Number {
        let lower = text.lowercased()
        if let e = lower.firstIndex(of: "e") {
            let mantissa = lower[..<e]
            let fractionDigits = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
            guard let exponent = Int64(lower[lower.index(after: e)...]), exponent >= Int64(Int32.min),
                exponent <= Int64(Int32.max), Int64(fractionDigits) - exponent <= Int64(Int32.max),
                Int64(fractionDigits) - exponent >= Int64(Int32.min)
            else { throw PartiQLError.malformed("") }
        }
        do {
            return try Number(parsing: text)
        } catch {
            if error.message.hasPrefix("Number overflow") || error.message.hasPrefix("Number underflow")
                || error.message.hasPrefix("Attempting to store more than 38")
            {
                throw KVError.validation(error.message + " under root" + valuePath.joined())
            }
            // An exponent beyond what DynamoDB's parser reads: nothing after the colon.
            throw PartiQLError.malformed("")
        }
    }
}
