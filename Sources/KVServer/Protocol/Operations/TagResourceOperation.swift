import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
enum TagResourceOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        let (name, arn) = try TagsWire.tableName(request, operation: "TagResource")
        let elements = try request.array("Tags") ?? []
        if elements.isEmpty {
            throw KVError.validation("Atleast one Tag needs to be provided as Input.")
        }
        let tags = try TagsWire.tags(elements)
        try await engine.tagTable(name, tags: tags, notFound: TagsWire.notFound(arn))
        // DynamoDB answers with an empty body, not `{}`.
        return .raw([])
    }
}
