/// Parses update expressions (pure; cached by text).
///
/// Grammar (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html):
///
///     update   := section+            -- each of SET, REMOVE, ADD, DELETE at most once
///     section  := "SET" path "=" value ("," path "=" value)*
///               | "REMOVE" path ("," path)*
///               | ("ADD" | "DELETE") path ":value" ("," path ":value")*
///     value    := "(" term ")" | term
///     term     := operand (("+" | "-") operand)?
///     operand  := "(" operand ")" | function "(" operand ("," operand)* ")" | ":value" | path
struct UpdateParser {
    static let keywords = ["SET", "REMOVE", "ADD", "DELETE"]
    static let prefix = "Invalid UpdateExpression: "

    private var stream: TokenStream
    private var diagnostics = Diagnostics()

    static func parse(_ text: String) throws(KVError) -> ([UpdateAction], Diagnostics) {
        try ExpressionText.validate(text, prefix: prefix)
        var parser = UpdateParser(stream: TokenStream(text))
        do {
            let actions = try parser.parseSections()
            return (actions, parser.diagnostics)
        } catch {
            throw KVError.validation(prefix + parser.stream.syntaxErrorMessage())
        }
    }

    private static func isKeyword(_ slice: ArraySlice<UInt8>) -> Bool {
        keywords.contains { TokenStream.equalsIgnoringCase(slice, $0) }
    }

    private mutating func parseSections() throws(SyntaxFailure) -> [UpdateAction] {
        var actions: [UpdateAction] = []
        var seen: Set<String> = []
        repeat {
            guard let section = Self.keywords.first(where: { stream.isKeyword($0) }) else { try stream.fail() }
            stream.advance()
            if !seen.insert(section).inserted {
                diagnostics.note(
                    UpdateRank.section, "The \"\(section)\" section can only be used once in an update expression;")
            }
            repeat {
                if !actions.isEmpty, stream.isPunctuation(",") { stream.advance() }
                actions.append(try parseAction(section))
            } while stream.isPunctuation(",")
        } while stream.current.kind != .end
        return actions
    }

    private mutating func parseAction(_ section: String) throws(SyntaxFailure) -> UpdateAction {
        let path = try parsePath()
        switch section {
        case "SET":
            try stream.expectPunctuation("=")
            return .set(path, try parseSetValue())
        case "REMOVE":
            return .remove(path)
        default:
            guard stream.current.kind == .valueReference else { try stream.fail() }
            let value = Operand.placeholder(stream.currentText)
            stream.advance()
            return section == "ADD" ? .add(path, value) : .delete(path, value)
        }
    }

    private mutating func parseSetValue() throws(SyntaxFailure) -> Operand {
        if stream.isPunctuation("(") {
            let saved = (stream.position, stream.depth, diagnostics)
            do {
                try stream.enter()
                stream.advance()
                let value = try parseTerm()
                try stream.expectPunctuation(")")
                stream.leave()
                return value
            } catch {
                (stream.position, stream.depth, diagnostics) = saved
            }
        }
        return try parseTerm()
    }

    private mutating func parseTerm() throws(SyntaxFailure) -> Operand {
        let left = try parseOperandParens()
        for symbol in ["+", "-"] where stream.isPunctuation(symbol) {
            stream.advance()
            let right = try parseOperandParens()
            return .function(symbol, [left, right])
        }
        return left
    }

    private mutating func parseOperandParens() throws(SyntaxFailure) -> Operand {
        guard stream.isPunctuation("(") else { return try parseOperand() }
        try stream.enter()
        stream.advance()
        let inner = try parseOperandParens()
        try stream.expectPunctuation(")")
        stream.leave()
        return inner
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
        if ExpressionFunctions.update[name] == nil {
            if ExpressionFunctions.condition[name] != nil {
                diagnostics.note(
                    UpdateRank.unknownFunction, "The function is not allowed in an update expression; function: \(name)")
            } else {
                diagnostics.note(UpdateRank.unknownFunction, "Invalid function name; function: \(name)")
            }
        }
        return .function(name, arguments)
    }

    private mutating func parsePath() throws(SyntaxFailure) -> DocumentPath {
        try stream.parsePath(
            isKeyword: Self.isKeyword, diagnostics: &diagnostics,
            reservedRank: UpdateRank.reserved, limitsRank: UpdateRank.pathLimits)
    }
}

/// Parses projection expressions: `path ("," path)*` (pure; cached by text).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
struct ProjectionParser {
    static let prefix = "Invalid ProjectionExpression: "

    static func parse(_ text: String) throws(KVError) -> ([DocumentPath], Diagnostics) {
        try ExpressionText.validate(text, prefix: prefix)
        var stream = TokenStream(text)
        var diagnostics = Diagnostics()
        var paths: [DocumentPath] = []
        do {
            repeat {
                if !paths.isEmpty { stream.advance() }
                paths.append(
                    try stream.parsePath(
                        isKeyword: { _ in false }, diagnostics: &diagnostics,
                        reservedRank: ProjectionRank.reserved, limitsRank: ProjectionRank.pathLimits))
            } while stream.isPunctuation(",")
            guard stream.current.kind == .end else { try stream.fail() }
        } catch {
            throw KVError.validation(prefix + stream.syntaxErrorMessage())
        }
        return (paths, diagnostics)
    }
}
