import KVStore

/// The attributes a read returns, from `ProjectionExpression` or legacy `AttributesToGet`.
///
/// Only top-level attribute names (`a, #b`) are handled here; nested document paths
/// arrive with the expression engine and are refused until then.
enum ProjectionList {
    static func read(_ request: WireObject, attributesToGet: [JSONValue]?) throws(KVError) -> [String]? {
        let expression = try request.string("ProjectionExpression")
        let names = try request.map("ExpressionAttributeNames")
        if attributesToGet != nil, expression != nil {
            throw KVError.validation(
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
            )
        }
        if let names, expression == nil {
            _ = names
            throw KVError.validation("ExpressionAttributeNames can only be specified when using expressions")
        }
        if let attributesToGet {
            var result: [String] = []
            for element in attributesToGet {
                let name = try WireObject.string(element)
                if result.contains(name) {
                    throw KVError.validation("One or more parameter values were invalid: Duplicate value in attribute name: \(name)")
                }
                result.append(name)
            }
            return result
        }
        guard let expression else { return nil }
        return try parse(expression, names: names ?? [:])
    }

    static func parse(_ expression: String, names: [String: JSONValue]) throws(KVError) -> [String] {
        let terms = expression.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " \t\n\r") }
        if terms.count == 1, terms[0].isEmpty {
            throw KVError.validation("Invalid ProjectionExpression: The expression can not be empty;")
        }
        var used: Set<String> = []
        var result: [String] = []
        for term in terms {
            guard !term.isEmpty, !term.contains("."), !term.contains("["), !term.contains(" ") else {
                throw KVError.validation(
                    "Invalid ProjectionExpression: only top-level attribute names are supported by this server yet")
            }
            if term.hasPrefix("#") {
                guard let value = names[term] else {
                    throw KVError.validation(
                        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: \(term)"
                    )
                }
                used.insert(term)
                result.append(try WireObject.string(value))
            } else {
                result.append(term)
            }
        }
        let unused = names.keys.filter { !used.contains($0) }.sorted()
        if !unused.isEmpty {
            throw KVError.validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unused.joined(separator: ", "))}")
        }
        return result
    }
}

extension Substring {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
