import Testing

@testable import KVStore

/// Property: random and mutated expressions and random items never trap; every outcome is a
/// result or a ValidationException.
@Suite struct FuzzExpressionTests {

    static let seeds = [
        "a = :s", "#n.b[2] = :n AND NOT c BETWEEN :n AND :m", "attribute_exists(a) OR begins_with(b, :s)",
        "size(l) > :n", "a IN (:s, :n, :m)", "contains(ss, :s) AND attribute_type(a, :t)",
        "SET a = :s, b = b + :n, c = if_not_exists(c, :n) REMOVE d[1] ADD e :n DELETE f :ss",
        "SET l = list_append(l, :l), m.k[0] = :s", "a, b.c[1], #n", "((a = :s))", "a <> :s OR (b < :n AND c >= :m)",
    ]
    static let fragments = [
        "(", ")", "[", "]", "[99999999999999999999]", ",", ".", "=", "<>", "<", ">=", "+", "-", " AND ", " OR ", " NOT ",
        " BETWEEN ", " IN ", "SET ", "REMOVE ", "ADD ", "DELETE ", ":s", ":n", ":zz", "#n", "#zz", "a", "status",
        "size(", "foo(", "attribute_exists(", "if_not_exists(", "list_append(", "1", "é", "\u{0}", "  ", "l[0]",
    ]
    static let values: [String: AttributeValue] = [
        ":s": .string("x"), ":n": n("1"), ":m": n("3"), ":t": .string("S"), ":l": .list([n("1")]),
        ":ss": .stringSet(["x"]),
    ]

    static func randomValue(_ g: inout SeededGenerator, depth: Int = 0) -> AttributeValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 9), using: &g) {
        case 0: return .string(["", "x", "abc", "é"].randomElement(using: &g) ?? "")
        case 1: return n(["0", "1", "3", "-2"].randomElement(using: &g) ?? "0")
        case 2: return .binary([1, 2])
        case 3: return .bool(Bool.random(using: &g))
        case 4: return .null
        case 5: return .stringSet(["x", "y"])
        case 6: return .list((0..<Int.random(in: 0..<3, using: &g)).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            return .map(["b": randomValue(&g, depth: depth + 1), "c": randomValue(&g, depth: depth + 1)])
        }
    }

    static func mutate(_ text: String, _ g: inout SeededGenerator) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &g) {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0...scalars.count, using: &g)
            switch Int.random(in: 0..<3, using: &g) {
            case 0 where position < scalars.count: scalars.remove(at: position)
            case 1:
                let fragment = fragments.randomElement(using: &g) ?? ""
                scalars.insert(contentsOf: fragment.unicodeScalars, at: position)
            default:
                if !scalars.isEmpty { scalars.swapAt(position == scalars.count ? 0 : position, Int.random(in: 0..<scalars.count, using: &g)) }
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    static func check(_ body: () throws(KVError) -> Void) {
        do { try body() } catch { #expect(error.code == .validation) }
    }

    @Test func neverTraps() {
        var g = SeededGenerator(seed: 0xC0FFEE)
        for round in 0..<3000 {
            let text: String
            if round % 5 == 0 {
                text = (0..<Int.random(in: 0..<12, using: &g)).map { _ in Self.fragments.randomElement(using: &g) ?? "" }.joined()
            } else {
                text = Self.mutate(Self.seeds.randomElement(using: &g) ?? "", &g)
            }
            let item: Item = ["a": Self.randomValue(&g), "b": Self.randomValue(&g), "l": Self.randomValue(&g), "m": Self.randomValue(&g), "d": Self.randomValue(&g)]
            let names = ["#n": "a", "#zz": "zz"]
            Self.check { () throws(KVError) in
                var attributes = ExpressionAttributes(names: names, values: Self.values)
                let condition = try ConditionExpression.parse(text, kind: .filter, attributes: &attributes)
                _ = condition.evaluate(item)
                _ = condition.evaluate(nil)
            }
            Self.check { () throws(KVError) in
                var attributes = ExpressionAttributes(names: names, values: Self.values)
                _ = try UpdateExpression.parse(text, attributes: &attributes).apply(to: item, keyAttributes: ["pk"])
            }
            Self.check { () throws(KVError) in
                var attributes = ExpressionAttributes(names: names, values: Self.values)
                _ = try ProjectionExpression.parse(text, attributes: &attributes).apply(to: item)
            }
            Self.check { () throws(KVError) in
                var attributes = ExpressionAttributes(names: names, values: Self.values)
                _ = try KeyCondition.parse(text, attributes: &attributes, partitionKey: "a", sortKey: "b")
            }
        }
    }
}
