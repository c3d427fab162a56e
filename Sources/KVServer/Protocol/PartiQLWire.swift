import KVStore

/// What the three PartiQL operations share: one statement's members, and the batch error shape.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ParameterizedStatement.html
enum PartiQLWire {
    static let maxStatementLength = 8192

    /// Checks the members of one statement object (`Statement`, `Parameters`,
    /// `ReturnValuesOnConditionCheckFailure`) with `prefix` before each path.
    static func checkShape(_ object: WireObject, prefix: String, into violations: inout ConstraintViolations) throws(KVError) {
        let statement = try object.string("Statement")
        violations.notNull(statement, at: "\(prefix)statement")
        violations.length(statement, min: 1, max: maxStatementLength, at: "\(prefix)statement")
        violations.count(try object.array("Parameters"), rendered: "[]", min: 1, at: "\(prefix)parameters")
        violations.oneOf(
            try object.string("ReturnValuesOnConditionCheckFailure"), ["ALL_OLD", "NONE"],
            at: "\(prefix)returnValuesOnConditionCheckFailure")
    }

    /// The statement, its parameters decoded as AttributeValues.
    static func input(_ object: WireObject) throws(KVError) -> PartiQLStatementInput {
        var parameters: [AttributeValue] = []
        for parameter in try object.array("Parameters") ?? [] {
            parameters.append(try AttributeValueWire.decode(parameter))
        }
        return PartiQLStatementInput(
            statement: try object.string("Statement") ?? "", parameters: parameters,
            consistentRead: try object.bool("ConsistentRead") ?? false,
            returnOldItemOnConditionFailure: try object.string("ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
    }

    /// `BatchStatementError.Code`: the error's name without `Exception`, `ValidationError` for
    /// validation. See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementError.html
    static func errorCode(_ error: KVError) -> String {
        switch error.code {
        case .validation: "ValidationError"
        case .throttling: "ThrottlingError"
        case .internalServerError: "InternalServerError"
        default:
            error.code.rawValue.hasSuffix("Exception") ? String(error.code.rawValue.dropLast("Exception".count)) : error.code.rawValue
        }
    }

    static func error(_ error: KVError) -> JSONValue {
        var fields: [String: JSONValue] = ["Code": .string(errorCode(error)), "Message": .string(error.message)]
        if let item = error.item { fields["Item"] = AttributeValueWire.encodeItem(item) }
        return .object(fields)
    }
}
