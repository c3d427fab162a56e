/// Tags stored with the table definition, so they live and die with the table.
///
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html
/// (at most 50 tags per resource; keys 1...128 characters, values 0...256).
public enum TagRules {
    public static let maxTagsPerResource = 50
    public static let maxKeyLength = 128
    public static let maxValueLength = 256

    /// DynamoDB's checks of one tag (texts as recorded by nubo-db/dynoxide tag_resource.rs).
    public static func validate(_ tag: TableTag) throws(KVError) {
        let keyLength = tag.key.count
        if keyLength < 1 || keyLength > maxKeyLength {
            throw .validation("One or more parameter values were invalid: Tag key must be between 1 and 128 characters")
        }
        if tag.value.count > maxValueLength {
            throw .validation("One or more parameter values were invalid: Tag value must be between 0 and 256 characters")
        }
    }

    /// `existing` with `added` set (a key already present takes the new value, in place).
    static func merged(_ existing: [TableTag], _ added: [TableTag]) throws(KVError) -> [TableTag] {
        var result = existing
        for tag in added {
            if let position = result.firstIndex(where: { $0.key == tag.key }) {
                result[position].value = tag.value
            } else {
                result.append(tag)
            }
        }
        if result.count > maxTagsPerResource {
            throw KVError(
                .limitExceeded,
                "The number of tags on the resource exceeds the maximum allowed of \(maxTagsPerResource) tags")
        }
        return result
    }
}

extension KVEngine {
    /// Adds or replaces tags of a table. `notFound` is the error for a missing table (the
    /// protocol layer words it with the ARN the client sent).
    public func tagTable(_ name: String, tags: [TableTag], notFound: KVError) async throws {
        try await changeTags(name, notFound: notFound) { existing throws(KVError) in try TagRules.merged(existing, tags) }
    }

    /// Removes the tags with these keys; unknown keys are ignored.
    public func untagTable(_ name: String, keys: [String], notFound: KVError) async throws {
        let removed = Set(keys)
        try await changeTags(name, notFound: notFound) { existing throws(KVError) in existing.filter { !removed.contains($0.key) } }
    }

    public func tags(ofTable name: String, notFound: KVError) throws(KVError) -> [TableTag] {
        guard let table = catalog.table(named: name) else { throw notFound }
        return table.tags ?? []
    }

    private func changeTags(
        _ name: String, notFound: KVError, _ change: @escaping @Sendable ([TableTag]) throws(KVError) -> [TableTag]
    ) async throws {
        guard catalog.table(named: name) != nil else { throw notFound }
        let catalog = self.catalog
        do {
            try await storage.write { connection in
                // The definition as of this transaction, so concurrent DDL is not undone.
                guard var definition = catalog.table(named: name) else { throw notFound }
                definition.tags = try change(definition.tags ?? [])
                try connection.saveTableDefinition(definition)
                catalog.put(definition)
            }
        } catch let error where self.isStorageFailure(error) {
            await reloadCatalog()
            throw error
        }
    }
}
