extension UpdateExpression {
    /// The top-level attributes the actions change, and those their operands read
    /// (`SET a = b + :one` names `a` and `b`): the `dynamodb:Attributes` an UpdateItem touches
    /// ("read, written, or evaluated", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
    public var topLevelNames: Set<String> {
        var names: Set<String> = []
        func visit(_ operand: Operand) {
            switch operand {
            case .path(let path): if let name = path.topLevelName { names.insert(name) }
            case .function(_, let arguments): arguments.forEach(visit)
            case .value, .placeholder: break
            }
        }
        for action in actions {
            switch action {
            case .set(let path, let operand), .add(let path, let operand), .delete(let path, let operand):
                if let name = path.topLevelName { names.insert(name) }
                visit(operand)
            case .remove(let path):
                if let name = path.topLevelName { names.insert(name) }
            }
        }
        return names
    }
}
