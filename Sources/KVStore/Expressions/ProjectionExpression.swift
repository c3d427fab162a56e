/// A resolved ProjectionExpression (or legacy `AttributesToGet`).
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
public struct ProjectionExpression: Sendable {
    public let paths: [DocumentPath]

    /// Legacy `AttributesToGet`: top-level names taken literally.
    public init(attributeNames: [String]) {
        paths = attributeNames.map { DocumentPath(attribute: $0) }
    }

    init(paths: [DocumentPath]) { self.paths = paths }

    /// Parses (cached by text), resolves `#names` through `attributes` and checks overlapping paths.
    public static func parse(_ text: String, attributes: inout ExpressionAttributes) throws(KVError) -> ProjectionExpression {
        let (parsed, parseDiagnostics) = try ParseCache.shared.projection(text)
        let prefix = ProjectionParser.prefix
        if parseDiagnostics.hasAny(below: ProjectionRank.attrName) { try parseDiagnostics.throwIfAny(prefix: prefix) }
        var resolver = Resolver(
            attributes: attributes, diagnostics: parseDiagnostics,
            nameRank: ProjectionRank.attrName, valueRank: ProjectionRank.attrName)
        var paths: [DocumentPath] = []
        for path in parsed { paths.append(resolver.path(path) ?? path) }
        var diagnostics = resolver.diagnostics
        let (overlap, conflict) = pathOverlapMessage(paths)
        if let overlap { diagnostics.note(ProjectionRank.pathOverlap, overlap) }
        if let conflict { diagnostics.note(ProjectionRank.pathConflict, conflict) }
        try diagnostics.throwIfAny(prefix: prefix)
        attributes = resolver.attributes
        return ProjectionExpression(paths: paths)
    }

    /// The top-level attribute names the projection reads.
    public var topLevelNames: Set<String> { Set(paths.compactMap(\.topLevelName)) }

    /// The projected item: each path's value placed at the same path; maps keep only the requested
    /// keys, lists keep only the requested elements, compacted in index order.
    public func apply(to item: Item) -> Item {
        var tree = Node()
        for path in paths { tree.insert(path.elements[...]) }
        var result: Item = [:]
        for (name, child) in tree.keys {
            if let value = item[name], let projected = child.project(value) { result[name] = projected }
        }
        return result
    }

    /// The requested paths as a tree; a leaf takes the whole value.
    private struct Node {
        var isLeaf = false
        var keys: [String: Node] = [:]
        var indexes: [Int: Node] = [:]

        mutating func insert(_ elements: ArraySlice<PathElement>) {
            guard let first = elements.first else {
                isLeaf = true
                return
            }
            switch first {
            case .attribute(let name): keys[name, default: Node()].insert(elements.dropFirst())
            case .index(let index): indexes[index, default: Node()].insert(elements.dropFirst())
            }
        }

        func project(_ value: AttributeValue) -> AttributeValue? {
            if isLeaf { return value }
            switch value {
            case .map(let map) where !keys.isEmpty:
                var out: [String: AttributeValue] = [:]
                for (key, child) in keys {
                    if let inner = map[key], let projected = child.project(inner) { out[key] = projected }
                }
                return out.isEmpty ? nil : .map(out)
            case .list(let list) where !indexes.isEmpty:
                var out: [AttributeValue] = []
                for index in indexes.keys.sorted() where index < list.count {
                    if let child = indexes[index], let projected = child.project(list[index]) { out.append(projected) }
                }
                return out.isEmpty ? nil : .list(out)
            default:
                return nil
            }
        }
    }
}
