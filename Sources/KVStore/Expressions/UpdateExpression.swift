/// A resolved UpdateExpression (or legacy `AttributeUpdates` translated into the same actions).
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
public struct UpdateExpression: Sendable {
    let actions: [UpdateAction]
    /// Translated from legacy `AttributeUpdates`, whose ADD/DELETE type errors DynamoDB words differently.
    let isLegacy: Bool

    init(actions: [UpdateAction], isLegacy: Bool = false) {
        self.actions = actions
        self.isLegacy = isLegacy
    }

    /// Parses (cached by text), resolves `#names`/`:values` through `attributes` and checks the
    /// expression, throwing DynamoDB's ValidationException texts in DynamoDB's order.
    public static func parse(_ text: String, attributes: inout ExpressionAttributes) throws(KVError) -> UpdateExpression {
        let (parsed, parseDiagnostics) = try ParseCache.shared.update(text)
        let prefix = UpdateParser.prefix
        if parseDiagnostics.hasAny(below: UpdateRank.attrName) { try parseDiagnostics.throwIfAny(prefix: prefix) }
        var resolver = Resolver(
            attributes: attributes, diagnostics: parseDiagnostics,
            nameRank: UpdateRank.attrName, valueRank: UpdateRank.attrVal)
        var actions: [UpdateAction] = []
        actions.reserveCapacity(parsed.count)
        var targets: [DocumentPath] = []
        for action in parsed {
            let path = resolver.path(action.path) ?? action.path
            targets.append(path)
            switch action {
            case .set(_, let value): actions.append(.set(path, resolver.operand(value)))
            case .remove: actions.append(.remove(path))
            case .add(_, let value): actions.append(.add(path, resolver.operand(value)))
            case .delete(_, let value): actions.append(.delete(path, resolver.operand(value)))
            }
        }
        var diagnostics = resolver.diagnostics
        let (overlap, conflict) = pathOverlapMessage(targets)
        if let overlap { diagnostics.note(UpdateRank.pathOverlap, overlap) }
        if let conflict { diagnostics.note(UpdateRank.pathConflict, conflict) }
        for action in actions { check(action, &diagnostics) }
        try diagnostics.throwIfAny(prefix: prefix)
        attributes = resolver.attributes
        return UpdateExpression(actions: actions)
    }

    private static let operandTypeNames = [
        "S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN", "L": "LIST", "M": "MAP",
    ]

    private static func check(_ action: UpdateAction, _ diagnostics: inout Diagnostics) {
        switch action {
        case .set(_, let value):
            checkFunctions(value, &diagnostics)
        case .add(_, let value), .delete(_, let value):
            let isAdd: Bool
            if case .add = action { isAdd = true } else { isAdd = false }
            if let type = immediateType(value), let name = operandTypeNames[type], !(isAdd && type == "N") {
                diagnostics.note(
                    UpdateRank.operand,
                    "Incorrect operand type for operator or function; operator: \(isAdd ? "ADD" : "DELETE"), operand type: \(name)")
            }
        case .remove:
            break
        }
    }

    private static func checkFunctions(_ operand: Operand, _ diagnostics: inout Diagnostics) {
        guard case .function(let name, let arguments) = operand else { return }
        for argument in arguments { checkFunctions(argument, &diagnostics) }
        let expected = name == "+" || name == "-" ? 2 : ExpressionFunctions.update[name]
        guard let expected else { return }
        guard expected == arguments.count else {
            diagnostics.note(
                UpdateRank.function,
                "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(arguments.count)"
            )
            return
        }
        let required: String
        switch name {
        case "if_not_exists":
            if !arguments[0].isPath {
                diagnostics.note(
                    UpdateRank.function, "Operator or function requires a document path; operator or function: \(name)")
            }
            return
        case "list_append": required = "L"
        default: required = "N"
        }
        for argument in arguments {
            if let type = immediateType(argument), type != required {
                diagnostics.note(
                    UpdateRank.function,
                    "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                return
            }
        }
    }
}

extension UpdateExpression {
    static let incorrectType = KVError.validation("An operand in the update expression has an incorrect data type")
    static let invalidPath = KVError.validation(
        "The document path provided in the update expression is invalid for update")
    static let missingAttribute = KVError.validation(
        "The provided expression refers to an attribute that does not exist in the item")

    /// The paths the actions write, in expression order (for `UPDATED_OLD` / `UPDATED_NEW`).
    public var updatedPaths: [DocumentPath] { actions.map(\.path) }

    /// DynamoDB refuses any action on a key attribute (or a path inside one) before it reads the item:
    /// "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    /// (text recorded by dynalite's updateItem.js).
    public func checkKeyAttributes(_ keyAttributes: Set<String>) throws(KVError) {
        for action in actions {
            if let name = action.path.topLevelName, keyAttributes.contains(name) {
                throw KVError.validation(
                    "One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key")
            }
        }
    }

    /// Applies SET/REMOVE/ADD/DELETE to `item` (an empty item when it does not exist yet) and returns
    /// the new item and the top-level attributes the expression touched.
    ///
    /// Every operand reads the item as it was before the update. List indexes refer to the original
    /// positions: SET/ADD/DELETE apply first, then REMOVE deletes list elements from the highest
    /// index down, so the remaining elements shift left.
    public func apply(to item: Item, keyAttributes: Set<String>) throws(KVError) -> (item: Item, updatedAttributes: Set<String>) {
        try checkKeyAttributes(keyAttributes)
        var updated: Set<String> = []
        for action in actions {
            guard let name = action.path.topLevelName else { throw Self.invalidPath }
            updated.insert(name)
        }
        var result = item
        var removals: [DocumentPath] = []
        // Writes go in path order, so list elements set past the end append in index order
        // (`SET c[4] = :x, c[2] = :y` on a two-element list gives [.., y, x]), as dynalite's
        // updateItem.js records from DynamoDB. Paths never overlap, so nothing else depends on it.
        for action in actions.sorted(by: { Self.pathPrecedes($0.path, $1.path) }) {
            switch action {
            case .set(let path, let value):
                let newValue = try Self.compute(value, in: item)
                try Self.modify(&result, path, create: true) { slot throws(KVError) in slot = newValue }
            case .remove(let path):
                removals.append(path)
            case .add(let path, let operand):
                guard let addend = try? Self.compute(operand, in: item) else { throw Self.incorrectType }
                try Self.modify(&result, path, create: true) { slot throws(KVError) in
                    slot = try legacyWording { () throws(KVError) in try Self.add(slot, addend) }
                }
            case .delete(let path, let operand):
                guard let removed = try? Self.compute(operand, in: item) else { throw Self.incorrectType }
                try Self.modify(&result, path, create: false) { slot throws(KVError) in
                    slot = try legacyWording { () throws(KVError) in try Self.subtract(slot, removed) }
                }
            }
        }
        // Deepest list indexes first so earlier removals do not shift later ones.
        removals.sort { a, b in
            if case .index(let x)? = a.elements.last, case .index(let y)? = b.elements.last { return x > y }
            return false
        }
        for path in removals {
            try Self.modify(&result, path, create: false) { slot throws(KVError) in slot = nil }
        }
        return (result, updated)
    }

    /// Legacy `AttributeUpdates` ADD/DELETE on an attribute of another type fail with
    /// "Type mismatch for attribute to update" (dynalite's updateItem.js, recorded from DynamoDB).
    private func legacyWording<T>(_ body: () throws(KVError) -> T) throws(KVError) -> T {
        do {
            return try body()
        } catch where isLegacy && error == Self.incorrectType {
            throw KVError.validation("Type mismatch for attribute to update")
        }
    }

    /// Orders paths element by element: names by their text, list indexes by value.
    static func pathPrecedes(_ one: DocumentPath, _ two: DocumentPath) -> Bool {
        for (a, b) in zip(one.elements, two.elements) {
            switch (a, b) {
            case (.attribute(let x), .attribute(let y)) where x != y: return x < y
            case (.index(let x), .index(let y)) where x != y: return x < y
            case (.attribute, .index): return true
            case (.index, .attribute): return false
            default: continue
            }
        }
        return one.elements.count < two.elements.count
    }

    /// The value of a SET right-hand side against the original item.
    static func compute(_ operand: Operand, in item: Item) throws(KVError) -> AttributeValue {
        switch operand {
        case .value(let value):
            return value
        case .path(let path):
            guard let value = path.value(in: item) else { throw missingAttribute }
            return value
        case .placeholder:
            throw missingAttribute
        case .function("if_not_exists", let arguments) where arguments.count == 2:
            if case .path(let path) = arguments[0], let existing = path.value(in: item) { return existing }
            return try compute(arguments[1], in: item)
        case .function("list_append", let arguments) where arguments.count == 2:
            guard case .list(let first) = try compute(arguments[0], in: item),
                case .list(let second) = try compute(arguments[1], in: item)
            else { throw incorrectType }
            return .list(first + second)
        case .function(let sign, let arguments) where (sign == "+" || sign == "-") && arguments.count == 2:
            guard case .number(let x) = try compute(arguments[0], in: item),
                case .number(let y) = try compute(arguments[1], in: item)
            else { throw incorrectType }
            return .number(sign == "+" ? try x + y : try x - y)
        case .function:
            throw incorrectType
        }
    }

    /// ADD: number + number, set ∪ set of the same type; a missing attribute becomes the operand.
    static func add(_ existing: AttributeValue?, _ addend: AttributeValue) throws(KVError) -> AttributeValue {
        switch (existing, addend) {
        case (nil, .number), (nil, .stringSet), (nil, .numberSet), (nil, .binarySet):
            return addend
        case (.number(let x)?, .number(let y)):
            return .number(try x + y)
        case (.stringSet(let x)?, .stringSet(let y)):
            return .stringSet(union(x, y))
        case (.numberSet(let x)?, .numberSet(let y)):
            return .numberSet(x + y.filter { e in !x.contains { ValueOrder.equal(.number($0), .number(e)) } })
        case (.binarySet(let x)?, .binarySet(let y)):
            return .binarySet(union(x, y))
        case (.list(let x)?, .list(let y)):
            // Legacy AttributeUpdates ADD appends to lists.
            return .list(x + y)
        case (nil, .list):
            return addend
        default:
            throw incorrectType
        }
    }

    /// DELETE: removes the operand's elements from a set of the same type; an emptied set disappears.
    static func subtract(_ existing: AttributeValue?, _ removed: AttributeValue) throws(KVError) -> AttributeValue? {
        switch (existing, removed) {
        case (nil, .stringSet), (nil, .numberSet), (nil, .binarySet):
            return nil
        case (.stringSet(let x)?, .stringSet(let y)):
            let drop = Set(y)
            let rest = x.filter { !drop.contains($0) }
            return rest.isEmpty ? nil : .stringSet(rest)
        case (.numberSet(let x)?, .numberSet(let y)):
            let rest = x.filter { e in !y.contains { ValueOrder.equal(.number($0), .number(e)) } }
            return rest.isEmpty ? nil : .numberSet(rest)
        case (.binarySet(let x)?, .binarySet(let y)):
            let drop = Set(y)
            let rest = x.filter { !drop.contains($0) }
            return rest.isEmpty ? nil : .binarySet(rest)
        default:
            throw incorrectType
        }
    }

    private static func union<T: Hashable>(_ x: [T], _ y: [T]) -> [T] {
        var seen = Set(x)
        var result = x
        for element in y where seen.insert(element).inserted { result.append(element) }
        return result
    }

    /// Runs `change` on the slot at `path` (nil when absent; set it to nil to delete).
    /// The parent of a nested path must exist with the right container type, else the path is
    /// invalid for update; a list index past the end appends (when creating) or is a no-op.
    static func modify(
        _ item: inout Item, _ path: DocumentPath, create: Bool,
        _ change: (inout AttributeValue?) throws(KVError) -> Void
    ) throws(KVError) {
        guard case .attribute(let head)? = path.elements.first else { throw invalidPath }
        let rest = path.elements.dropFirst()
        if rest.isEmpty {
            var slot = item[head]
            try change(&slot)
            item[head] = slot
            return
        }
        guard var container = item[head] else {
            if create { throw invalidPath }
            return
        }
        try modify(&container, rest, create: create, change)
        item[head] = container
    }

    private static func modify(
        _ value: inout AttributeValue, _ rest: ArraySlice<PathElement>, create: Bool,
        _ change: (inout AttributeValue?) throws(KVError) -> Void
    ) throws(KVError) {
        guard let step = rest.first else { return }
        let remaining = rest.dropFirst()
        switch (step, value) {
        case (.attribute(let key), .map(var map)):
            if remaining.isEmpty {
                var slot = map[key]
                try change(&slot)
                map[key] = slot
            } else {
                guard var child = map[key] else {
                    if create { throw invalidPath }
                    return
                }
                try modify(&child, remaining, create: create, change)
                map[key] = child
            }
            value = .map(map)
        case (.index(let index), .list(var list)):
            if remaining.isEmpty {
                var slot: AttributeValue? = index < list.count ? list[index] : nil
                try change(&slot)
                if index < list.count {
                    if let slot { list[index] = slot } else { list.remove(at: index) }
                } else if let slot {
                    list.append(slot)
                }
            } else {
                guard index < list.count else {
                    if create { throw invalidPath }
                    return
                }
                var child = list[index]
                try modify(&child, remaining, create: create, change)
                list[index] = child
            }
            value = .list(list)
        default:
            throw invalidPath
        }
    }
}
