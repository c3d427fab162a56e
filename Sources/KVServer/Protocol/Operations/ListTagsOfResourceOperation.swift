import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html
/// A table holds at most 50 tags, so every answer is one page (no `NextToken`).
enum ListTagsOfResourceOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        let (name, arn) = try TagsWire.tableName(request, operation: "ListTagsOfResource")
        _ = try request.string("NextToken")
        let tags = try engine.tags(ofTable: name, notFound: TagsWire.accessDenied(arn, operation: "ListTagsOfResource"))
        return .object(["Tags": TagsWire.encode(tags)])
    }
}
