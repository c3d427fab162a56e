import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html
enum UntagResourceOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        let (name, arn) = try TagsWire.tableName(request, operation: "UntagResource")
        let keys = try (request.array("TagKeys") ?? []).map { element throws(KVError) in try WireObject.string(element) }
        if keys.isEmpty {
            throw KVError.validation("Atleast one Tag Key needs to be provided as Input.")
        }
        try await engine.untagTable(name, keys: keys, notFound: TagsWire.notFound(arn))
        // DynamoDB answers with an empty body, not `{}`.
        return .raw([])
    }
}
