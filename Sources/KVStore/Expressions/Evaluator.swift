/// Evaluation of resolved conditions against an item (nil = the item does not exist).
///
/// Semantics from https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html:
/// comparisons with a missing operand or operands of different types are false (`<>` is true);
/// numbers compare by value, strings and binaries by unsigned byte order; sets are equal when
/// they have the same members in any order; lists and maps compare deeply.
extension ConditionNode {
    func evaluate(_ item: Item?) -> Bool {
        switch self {
        case .and(let a, let b):
            return a.evaluate(item) && b.evaluate(item)
        case .or(let a, let b):
            return a.evaluate(item) || b.evaluate(item)
        case .not(let a):
            return !a.evaluate(item)
        case .compare(let comparator, let a, let b):
            guard let left = a.evaluate(item), let right = b.evaluate(item) else {
                return comparator == .notEqual
            }
            switch comparator {
            case .equal: return ValueOrder.equal(left, right)
            case .notEqual: return !ValueOrder.equal(left, right)
            case .less: return ValueOrder.compare(left, right).map { $0 < 0 } ?? false
            case .lessOrEqual: return ValueOrder.compare(left, right).map { $0 <= 0 } ?? false
            case .greater: return ValueOrder.compare(left, right).map { $0 > 0 } ?? false
            case .greaterOrEqual: return ValueOrder.compare(left, right).map { $0 >= 0 } ?? false
            }
        case .between(let a, let b, let c):
            guard let value = a.evaluate(item), let lower = b.evaluate(item), let upper = c.evaluate(item),
                let low = ValueOrder.compare(value, lower), let high = ValueOrder.compare(value, upper)
            else { return false }
            return low >= 0 && high <= 0
        case .inList(let a, let list):
            guard let value = a.evaluate(item) else { return false }
            return list.contains { candidate in candidate.evaluate(item).map { ValueOrder.equal(value, $0) } ?? false }
        case .function(let name, let arguments):
            return Self.evaluateFunction(name, arguments, item)
        }
    }

    private static func evaluateFunction(_ name: String, _ arguments: [Operand], _ item: Item?) -> Bool {
        switch (name, arguments.count) {
        case ("attribute_exists", 1):
            guard case .path(let path) = arguments[0] else { return false }
            return path.value(in: item) != nil
        case ("attribute_not_exists", 1):
            guard case .path(let path) = arguments[0] else { return false }
            return path.value(in: item) == nil
        case ("attribute_type", 2):
            guard let value = arguments[0].evaluate(item), case .string(let type)? = arguments[1].evaluate(item) else {
                return false
            }
            return value.typeDescriptor == type
        case ("begins_with", 2):
            switch (arguments[0].evaluate(item), arguments[1].evaluate(item)) {
            case (.string(let s)?, .string(let prefix)?): return s.utf8.starts(with: prefix.utf8)
            case (.binary(let b)?, .binary(let prefix)?): return b.starts(with: prefix)
            default: return false
            }
        case ("contains", 2):
            guard let container = arguments[0].evaluate(item), let element = arguments[1].evaluate(item) else {
                return false
            }
            return ValueOrder.contains(container, element)
        default:
            return false
        }
    }
}

extension Operand {
    /// The operand's value for `item`, nil when missing (or not computable, e.g. `size` of a number).
    func evaluate(_ item: Item?) -> AttributeValue? {
        switch self {
        case .path(let path): return path.value(in: item)
        case .value(let value): return value
        case .placeholder: return nil
        case .function("size", let arguments) where arguments.count == 1:
            guard let value = arguments[0].evaluate(item), let size = ValueOrder.size(of: value) else { return nil }
            return .number(Number(size))
        case .function:
            return nil
        }
    }
}

/// Comparison rules shared by conditions, key conditions and updates.
enum ValueOrder {
    /// -1/0/1 for two numbers, two strings or two binaries; nil for anything else.
    static func compare(_ a: AttributeValue, _ b: AttributeValue) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : (y < x ? 1 : 0)
        case (.string(let x), .string(let y)): return bytes(x.utf8, y.utf8)
        case (.binary(let x), .binary(let y)): return bytes(x, y)
        default: return nil
        }
    }

    private static func bytes(_ x: some Sequence<UInt8>, _ y: some Sequence<UInt8>) -> Int {
        var left = x.makeIterator()
        var right = y.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let p?, let q?):
                if p != q { return p < q ? -1 : 1 }
            }
        }
    }

    /// Equality as DynamoDB conditions see it: sets by membership, lists and maps deeply.
    static func equal(_ a: AttributeValue, _ b: AttributeValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return !(x < y) && !(y < x)
        case (.stringSet(let x), .stringSet(let y)): return Set(x) == Set(y)
        case (.numberSet(let x), .numberSet(let y)):
            return x.allSatisfy { e in y.contains { equal(.number(e), .number($0)) } }
                && y.allSatisfy { e in x.contains { equal(.number(e), .number($0)) } }
        case (.binarySet(let x), .binarySet(let y)): return Set(x) == Set(y)
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    /// `contains(path, operand)`: substring of a string, subsequence of a binary, member of a set,
    /// element of a list.
    static func contains(_ container: AttributeValue, _ element: AttributeValue) -> Bool {
        switch (container, element) {
        case (.string(let s), .string(let sub)): return containsBytes(Array(s.utf8), Array(sub.utf8))
        case (.binary(let b), .binary(let sub)): return containsBytes(b, sub)
        case (.stringSet(let set), .string(let e)): return set.contains(e)
        case (.numberSet(let set), .number(let e)): return set.contains { equal(.number($0), .number(e)) }
        case (.binarySet(let set), .binary(let e)): return set.contains(e)
        case (.list(let list), _): return list.contains { equal($0, element) }
        default: return false
        }
    }

    private static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// `size(path)`: UTF-8 length of a string, bytes of a binary, elements of a set, list or map;
    /// nil for numbers, booleans and nulls.
    static func size(of value: AttributeValue) -> Int? {
        switch value {
        case .string(let s): s.utf8.count
        case .binary(let b): b.count
        case .stringSet(let s): s.count
        case .numberSet(let s): s.count
        case .binarySet(let s): s.count
        case .list(let l): l.count
        case .map(let m): m.count
        case .number, .bool, .null: nil
        }
    }
}
