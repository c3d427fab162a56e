/// DynamoDB's PartiQL error texts, in one place.
///
/// Texts as DynamoDB answers them (the "wasn't well formed" envelope and its details pinned
/// against real DynamoDB by the Parity Suite's PartiQL grammar tests; the others as DynamoDB
/// Local's `ValidationExceptionMessages` spells them).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
enum PartiQLError {
    static let notWellFormed = "Statement wasn't well formed, can't be processed: "

    /// A statement the parser cannot read; `detail` may be empty (DynamoDB then says nothing after the colon).
    static func malformed(_ detail: String) -> KVError { .validation(notWellFormed + detail) }

    static let leftover = malformed("Unexpected token after expression")
    static let unexpectedTerm = malformed("Unexpected term")
    static let unexpectedKeyword = malformed("Unexpected keyword")
    static let unexpectedOperator = malformed("Unexpected operator")
    static let missingRightHandSide = malformed("Missing right-hand side expression of infix operator")
    static let expectedDataManipulation = malformed("Expected data manipulation")
    static let expectedIdentifier = malformed("Expected identifier for simple path")
    static let aliasing = KVError.validation("Aliasing is not supported")
    static let parameterCount = KVError.validation("Number of parameters in request and statement don't match.")
    static let incompleteKey = KVError.validation("Where clause does not contain a mandatory equality on all key attributes")
    static let duplicateItem = KVError(.duplicateItem, "Duplicate primary key exists in table")
    static let emptyBag = KVError.validation("Empty bags are not supported")
    static let bagTypes = KVError.validation(
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")
    static let insertReturning = KVError.validation("RETURNING is not supported in INSERT")
    static let existsOutsideTransaction = KVError.validation("EXISTS can only be used in ExecuteTransaction write requests.")
    static let starAndOthers = KVError.validation("Other attributes should not be present in the projection when '*' is used.")
    static let orderByWithoutWhere = KVError.validation("Must have WHERE clause in the statement when using ORDER BY clause.")
    static let orderByWithoutHashKey = KVError.validation(
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.")
    static let missingCompare = KVError.validation("MISSING must be compared using IS operator")
    static let onlySetAndRemove = KVError.validation("Only SET and REMOVE are supported in update expressions at this time")
    static let insertMultiple = KVError.validation(
        "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"
    )
    static let insertNotTuple = malformed("Expected a tuple in VALUE")
    static let writeOnIndex = KVError.validation("This operation is not supported on an index")
    static let consistentReadOnGSI = KVError.validation("Strongly consistent read is not supported on Global Secondary Indexes")
    static let invalidNextToken = KVError.validation("Invalid NextToken")
    static let nextTokenMismatch = KVError.validation("NextToken does not match request")
    static let nextTokenExpired = KVError.validation("Given NextToken has already expired")

    static func invalidDeleteReturning(_ text: String) -> KVError {
        .validation("Invalid returning clause: RETURNING \(text). Only RETURNING ALL OLD * is allowed in DELETE statements.")
    }
    static func unrecognizedFunction(_ name: String) -> KVError { .validation("Unrecognized function: \(name)") }
    static func unsupported(_ what: String) -> KVError { .validation("Unsupported operation: \(what)") }
    static func orderByNonKey(_ name: String) -> KVError {
        .validation("Variable reference \(name) in ORDER BY clause must be part of the primary key")
    }
    static func keyTypeMismatch(_ name: String) -> KVError {
        .validation("Key attribute's data type should match its data type in table's schema: Key \(name)")
    }
    static func keyAbsent(_ name: String) -> KVError { .validation("Key attribute should be present in the item: Key \(name)") }
    static func duplicateKey(_ key: String, under path: String) -> KVError {
        .validation("Duplicate keys in tuple. Key: \(key) under \(path)")
    }
}
