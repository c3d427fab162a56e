import KVStore

/// Resource ARNs and tags of the tagging operations.
///
/// Texts recorded against DynamoDB by dynalite (test/listTagsOfResource.js,
/// test/tagResource.js) and nubo-db/dynoxide (src/actions/tag_resource.rs, untag_resource.rs).
enum TagsWire {
    /// The table a `ResourceArn` names.
    ///
    /// - Missing: ValidationException "Invalid TableArn".
    /// - Not an ARN at all (`not-a-valid-arn`): "Invalid TableArn: Invalid ResourceArn provided as
    ///   input <arn>" (DynamoDB's answer as the Parity Suite records it, tier2/tags).
    /// - ARN-shaped without a resource path: AccessDeniedException (DynamoDB evaluates the
    ///   caller's permission on that string and finds none; dynalite test/tagResource.js).
    /// - An ARN that is not a valid table ARN: "Invalid TableArn: Invalid ResourceArn provided as input <arn>".
    static func tableName(_ request: WireObject, operation: String) throws(KVError) -> (name: String, arn: String) {
        guard let arn = try request.string("ResourceArn") else {
            throw KVError.validation("Invalid TableArn")
        }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else {
            throw invalidARN(arn)
        }
        guard parts[5].contains("/") else {
            throw KVError(
                .accessDenied,
                "User: arn:aws:iam::\(TableName.accountID):root is not authorized to perform: dynamodb:\(operation) on resource: \(arn.isEmpty ? "*" : arn)"
            )
        }
        guard let name = TableName.nameInARN(arn), TableName.isValidName(name), name.count >= 3, name.count <= 255 else {
            throw invalidARN(arn)
        }
        return (name, arn)
    }

    static func invalidARN(_ arn: String) -> KVError {
        .validation("Invalid TableArn: Invalid ResourceArn provided as input \(arn)")
    }

    /// ListTagsOfResource on a well-formed ARN of a table that does not exist: DynamoDB answers
    /// as if the caller lacked the permission (Parity Suite tier2/tags; dynoxide
    /// src/actions/list_tags_of_resource.rs), while TagResource/UntagResource answer not found.
    static func accessDenied(_ arn: String, operation: String) -> KVError {
        KVError(
            .accessDenied,
            "User: arn:aws:iam::\(TableName.accountID):root is not authorized to perform: dynamodb:\(operation) on resource: \(arn)")
    }

    static func notFound(_ arn: String) -> KVError {
        .resourceNotFound("Requested resource not found: ResourcArn: \(arn) not found")
    }

    /// `Tags` of TagResource and CreateTable, each checked with `TagRules`.
    static func tags(_ elements: [JSONValue]) throws(KVError) -> [TableTag] {
        var tags: [TableTag] = []
        for element in elements {
            let object = try WireObject(element)
            let tag = TableTag(key: try object.string("Key") ?? "", value: try object.string("Value") ?? "")
            try TagRules.validate(tag)
            tags.append(tag)
        }
        return tags
    }

    static func encode(_ tags: [TableTag]) -> JSONValue {
        .array(tags.map { .object(["Key": .string($0.key), "Value": .string($0.value)]) })
    }
}
