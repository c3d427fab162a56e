/// Parses condition, filter and key-condition expressions (pure: the result depends only on the
/// text, so it is cached by text).
///
/// Grammar (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):
///
///     condition  := or
///     or         := and ("OR" and)*
///     and        := not ("AND" not)*
///     not        := "NOT" not | primary
///     primary    := "(" condition ")" | operand comparator operand
///                 | operand "BETWEEN" operand "AND" operand | operand "IN" "(" operand ("," operand)* ")"
///                 | function
///     operand    := "(" operand ")" | function | ":value" | path
///
/// Precedence NOT > AND > OR; keywords are case-insensitive, function names are not.
struct ConditionParser {
    static let keywords = ["AND", "OR", "NOT", "BETWEEN", "IN"]
    static let maximumOperators = 300
    static let maximumInOperands = 100

    private var stream: TokenStream
    private(set) var diagnostics = Diagnostics()
    private var operatorCount = 0

    /// Parses `text`; syntax errors throw the full prefixed message, other errors are returned
    /// as diagnostics to be merged with resolution's (DynamoDB ranks them together).
    static func parse(_ text: String, prefix: String) throws(KVError) -> (ConditionNode, Diagnostics) {
        try ExpressionText.validate(text, prefix: prefix)
        var parser = ConditionParser(stream: TokenStream(text))
        let node: ConditionNode
        do {
            node = try parser.parseTop()
        } catch {
            throw KVError.validation(prefix + parser.stream.syntaxErrorMessage())
        }
        if parser.operatorCount > maximumOperators {
            // DynamoDB stops counting at the first operator over the limit, so it always reports 301
            // (alternator's test_condition_expression.py records this for an expression of 909 operators).
            parser.diagnostics.note(
                ConditionRank.size, "The expression contains too many operators; operator count: \(maximumOperators + 1)")
        }
        return (node, parser.diagnostics)
    }

    private mutating func parseTop() throws(SyntaxFailure) -> ConditionNode {
        let (node, _) = try parseOr()
        guard stream.current.kind == .end else { try stream.fail() }
        checkMisusedSize(node)
        return node
    }

    private static func isKeyword(_ slice: ArraySlice<UInt8>) -> Bool {
        keywords.contains { TokenStream.equalsIgnoringCase(slice, $0) }
    }

    // MARK: Conditions. Each returns whether the node is directly wrapped in parentheses.

    private mutating func parseOr() throws(SyntaxFailure) -> (ConditionNode, Bool) {
        var (left, wrapped) = try parseAnd()
        while stream.isKeyword("OR") {
            stream.advance()
            operatorCount += 1
            let (right, _) = try parseAnd()
            checkMisusedSize(left)
            checkMisusedSize(right)
            left = .or(left, right)
            wrapped = false
        }
        return (left, wrapped)
    }

    private mutating func parseAnd() throws(SyntaxFailure) -> (ConditionNode, Bool) {
        var (left, wrapped) = try parseNot()
        while stream.isKeyword("AND") {
            stream.advance()
            operatorCount += 1
            let (right, _) = try parseNot()
            checkMisusedSize(left)
            checkMisusedSize(right)
            left = .and(left, right)
            wrapped = false
        }
        return (left, wrapped)
    }

    private mutating func parseNot() throws(SyntaxFailure) -> (ConditionNode, Bool) {
        guard stream.isKeyword("NOT") else { return try parsePrimary() }
        stream.advance()
        operatorCount += 1
        try stream.enter()
        let (inner, _) = try parseNot()
        stream.leave()
        checkMisusedSize(inner)
        return (.not(inner), false)
    }

    private mutating func parsePrimary() throws(SyntaxFailure) -> (ConditionNode, Bool) {
        guard stream.isPunctuation("(") else { return (try parseComparison(), false) }
        // Either a comparison whose first operand is parenthesized or a parenthesized condition:
        // try the first and fall back to the second, in the order DynamoDB's grammar does.
        let saved = (stream.position, stream.depth, diagnostics, operatorCount)
        do {
            return (try parseComparison(), false)
        } catch {
            (stream.position, stream.depth, diagnostics, operatorCount) = saved
        }
        try stream.enter()
        stream.advance()
        let (inner, innerWrapped) = try parseOr()
        try stream.expectPunctuation(")")
        stream.leave()
        if innerWrapped {
            diagnostics.note(ConditionRank.parens, "The expression has redundant parentheses;")
        }
        return (inner, true)
    }

    private mutating func parseComparison() throws(SyntaxFailure) -> ConditionNode {
        let (left, leftWrapped) = try parseOperandParensWrapped()
        if stream.current.kind == .punctuation, let comparator = Comparator(rawValue: stream.currentText) {
            stream.advance()
            operatorCount += 1
            let right = try parseOperandParens()
            checkMisusedFunctions([left, right])
            return .compare(comparator, left, right)
        }
        if stream.isKeyword("BETWEEN") {
            stream.advance()
            operatorCount += 1
            let lower = try parseOperandParens()
            guard stream.isKeyword("AND") else { try stream.fail() }
            stream.advance()
            let upper = try parseOperandParens()
            checkMisusedFunctions([left, lower, upper])
            return .between(left, lower, upper)
        }
        if stream.isKeyword("IN") {
            stream.advance()
            operatorCount += 1
            try stream.expectPunctuation("(")
            var list = [try parseOperandParens()]
            while stream.isPunctuation(",") {
                stream.advance()
                list.append(try parseOperandParens())
            }
            try stream.expectPunctuation(")")
            checkMisusedFunctions([left] + list)
            if list.count > Self.maximumInOperands {
                diagnostics.note(
                    ConditionRank.operand,
                    "The IN operator is provided with too many operands; number of operands: \(list.count)")
            }
            return .inList(left, list)
        }
        // A function standing alone is a condition (attribute_exists(a), begins_with(a, :p), ...).
        if !leftWrapped, case .function(let name, let arguments) = left {
            return .function(name, arguments)
        }
        try stream.fail()
    }

    // MARK: Operands

    private mutating func parseOperandParens() throws(SyntaxFailure) -> Operand {
        let (operand, _) = try parseOperandParensWrapped()
        return operand
    }

    private mutating func parseOperandParensWrapped() throws(SyntaxFailure) -> (Operand, Bool) {
        guard stream.isPunctuation("(") else { return (try parseOperand(), false) }
        try stream.enter()
        stream.advance()
        let (inner, innerWrapped) = try parseOperandParensWrapped()
        try stream.expectPunctuation(")")
        stream.leave()
        if innerWrapped { diagnostics.note(ConditionRank.parens, "The expression has redundant parentheses;") }
        return (inner, true)
    }

    private mutating func parseOperand() throws(SyntaxFailure) -> Operand {
        let token = stream.current
        switch token.kind {
        case .valueReference:
            stream.advance()
            return .placeholder(stream.text(of: token))
        case .identifier:
            let next = stream.tokens[min(stream.position + 1, stream.tokens.count - 1)]
            if next.kind == .punctuation, stream.bytes[next.start] == UInt8(ascii: "("),
                !Self.isKeyword(stream.bytes[token.start..<token.end])
            {
                return try parseFunction()
            }
            return .path(try parsePath())
        case .nameReference:
            return .path(try parsePath())
        default:
            try stream.fail()
        }
    }

    private mutating func parsePath() throws(SyntaxFailure) -> DocumentPath {
        try stream.parsePath(
            isKeyword: Self.isKeyword, diagnostics: &diagnostics,
            reservedRank: ConditionRank.reserved, limitsRank: ConditionRank.pathLimits)
    }

    private mutating func parseFunction() throws(SyntaxFailure) -> Operand {
        let name = stream.currentText
        stream.advance()
        try stream.enter()
        try stream.expectPunctuation("(")
        var arguments = [try parseOperandParens()]
        while stream.isPunctuation(",") {
            stream.advance()
            arguments.append(try parseOperandParens())
        }
        try stream.expectPunctuation(")")
        stream.leave()
        operatorCount += 1
        checkMisusedFunctions(arguments)
        if let count = ExpressionFunctions.condition[name] {
            if count != arguments.count {
                diagnostics.note(
                    ConditionRank.operand,
                    "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(arguments.count)"
                )
            }
        } else if ExpressionFunctions.update[name] != nil {
            diagnostics.note(
                ConditionRank.unknownFunction, "The function is not allowed in a condition expression; function: \(name)")
        } else {
            diagnostics.note(ConditionRank.unknownFunction, "Invalid function name; function: \(name)")
        }
        return .function(name, arguments)
    }

    // MARK: Placement checks

    /// Only `size` may be an operand of a comparison or function.
    private mutating func checkMisusedFunctions(_ operands: [Operand]) {
        for case .function(let name, _) in operands where name != "size" {
            diagnostics.note(
                ConditionRank.misusedFunction,
                "The function is not allowed to be used this way in an expression; function: \(name)")
            return
        }
    }

    /// `size` cannot be a condition by itself.
    private mutating func checkMisusedSize(_ node: ConditionNode) {
        if case .function("size", _) = node {
            diagnostics.note(
                ConditionRank.misusedFunction,
                "The function is not allowed to be used this way in an expression; function: size")
        }
    }
}
