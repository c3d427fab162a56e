/// Resolution: substitutes a request's ExpressionAttributeNames/Values into a parsed tree,
/// marking them used and noting DynamoDB's "not defined" errors in `diagnostics`.
struct Resolver {
    var attributes: ExpressionAttributes
    var diagnostics: Diagnostics
    let nameRank: Int
    let valueRank: Int
    /// DynamoDB stops resolving at the first undefined name or value of a condition.
    private var stopped = false
    private let stopAtFirst: Bool

    init(attributes: ExpressionAttributes, diagnostics: Diagnostics, nameRank: Int, valueRank: Int) {
        self.attributes = attributes
        self.diagnostics = diagnostics
        self.nameRank = nameRank
        self.valueRank = valueRank
        self.stopAtFirst = nameRank == valueRank
    }

    /// The path with `#names` substituted, or nil when one is undefined.
    mutating func path(_ path: DocumentPath) -> DocumentPath? {
        var resolved = path
        for (offset, element) in path.elements.enumerated() {
            guard case .attribute(let name) = element, name.utf8.first == UInt8(ascii: "#") else { continue }
            if stopped { return nil }
            guard let real = attributes.name(name) else {
                diagnostics.note(
                    nameRank, "An expression attribute name used in the document path is not defined; attribute name: \(name)")
                if stopAtFirst { stopped = true }
                return nil
            }
            resolved.elements[offset] = .attribute(real)
        }
        return resolved
    }

    /// The operand with names and values substituted; unresolvable parts are left as placeholders
    /// (the request fails with the noted error before anything evaluates them).
    mutating func operand(_ operand: Operand) -> Operand {
        switch operand {
        case .path(let path):
            return self.path(path).map(Operand.path) ?? .placeholder("")
        case .value:
            return operand
        case .placeholder(let reference):
            if stopped { return operand }
            guard let value = attributes.value(reference) else {
                diagnostics.note(
                    valueRank, "An expression attribute value used in expression is not defined; attribute value: \(reference)")
                if stopAtFirst { stopped = true }
                return operand
            }
            return .value(value)
        case .function(let name, let arguments):
            var resolved: [Operand] = []
            resolved.reserveCapacity(arguments.count)
            for argument in arguments { resolved.append(self.operand(argument)) }
            return .function(name, resolved)
        }
    }
}

/// The static type of an operand for DynamoDB's operand-type checks: a value's type, a function's
/// result type, nil for paths (unknown until evaluation).
func staticType(_ operand: Operand) -> String? {
    switch operand {
    case .value(let value): value.typeDescriptor
    case .function(let name, _):
        switch name {
        case "size", "+", "-": "N"
        case "list_append": "L"
        case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains": "BOOL"
        default: nil
        }
    case .path, .placeholder: nil
    }
}

/// The type of an operand only when it is a literal value.
func immediateType(_ operand: Operand) -> String? {
    if case .value(let value) = operand { return value.typeDescriptor }
    return nil
}

/// `{N:5}`, `{S:abc}`: how DynamoDB prints a value inside error messages.
func describeForMessage(_ value: AttributeValue) -> String {
    "{\(value.typeDescriptor):\(valueText(value))}"
}

private func valueText(_ value: AttributeValue) -> String {
    switch value {
    case .string(let s): s
    case .number(let n): n.description
    case .binary(let b): Base64.encode(b)
    case .bool(let b): b ? "true" : "false"
    case .null: "true"
    case .stringSet(let set): "[" + set.joined(separator: ", ") + "]"
    case .numberSet(let set): "[" + set.map(\.description).joined(separator: ", ") + "]"
    case .binarySet(let set): "[" + set.map(Base64.encode).joined(separator: ", ") + "]"
    case .list(let list): "[" + list.map(describeForMessage).joined(separator: ", ") + "]"
    case .map(let map): "{" + map.keys.sorted().map { "\($0)=\(map[$0].map(describeForMessage) ?? "")" }.joined(separator: ", ") + "}"
    }
}
