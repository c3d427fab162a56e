/// One step of a document path: a map key or a list index.
public enum PathElement: Sendable, Hashable {
    case attribute(String)
    case index(Int)
}

/// A document path such as `a.b[3].c`: the first element is always a top-level attribute name.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html
public struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    public var elements: [PathElement]

    public init(_ elements: [PathElement]) { self.elements = elements }

    /// A path naming one top-level attribute.
    public init(attribute name: String) { self.elements = [.attribute(name)] }

    /// The top-level attribute the path starts from.
    public var topLevelName: String? {
        if case .attribute(let name)? = elements.first { return name }
        return nil
    }

    /// DynamoDB's rendering in error messages: `[a, b, [3]]`.
    public var description: String {
        "[" + elements.map { element -> String in
            switch element {
            case .attribute(let name): name
            case .index(let index): "[\(index)]"
            }
        }.joined(separator: ", ") + "]"
    }

    /// The value at this path in `item`, or nil when any step is missing or of the wrong type.
    public func value(in item: Item?) -> AttributeValue? {
        guard let item, case .attribute(let head)? = elements.first, var current = item[head] else { return nil }
        for element in elements.dropFirst() {
            switch (element, current) {
            case (.attribute(let key), .map(let map)):
                guard let next = map[key] else { return nil }
                current = next
            case (.index(let index), .list(let list)):
                guard index >= 0, index < list.count else { return nil }
                current = list[index]
            default:
                return nil
            }
        }
        return current
    }
}

/// How two paths of one expression relate, for DynamoDB's overlap/conflict rules.
enum PathRelation {
    case independent, overlap, conflict

    /// Paths overlap when one is a prefix of the other (or they are equal); they conflict when at the
    /// first position where they stop agreeing one has a map key and the other a list index.
    static func of(_ one: DocumentPath, _ two: DocumentPath) -> PathRelation {
        for (a, b) in zip(one.elements, two.elements) {
            switch (a, b) {
            case (.attribute(let x), .attribute(let y)):
                if x != y { return .independent }
            case (.index(let x), .index(let y)):
                if x != y { return .independent }
            default:
                return .conflict
            }
        }
        return .overlap
    }
}

/// DynamoDB's overlap/conflict check over the paths of one update or projection expression,
/// in the order they appear; returns the first error message, if any.
func pathOverlapMessage(_ paths: [DocumentPath]) -> (overlap: String?, conflict: String?) {
    var seen: [DocumentPath] = []
    var conflict: String?
    for path in paths {
        for earlier in seen {
            switch PathRelation.of(earlier, path) {
            case .independent: continue
            case .overlap:
                return (
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \(earlier), path two: \(path)",
                    conflict
                )
            case .conflict:
                if conflict == nil {
                    conflict =
                        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: \(earlier), path two: \(path)"
                }
            }
        }
        seen.append(path)
    }
    return (nil, conflict)
}
