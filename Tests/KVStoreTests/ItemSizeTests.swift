import KVStore
import Testing


@Suite("DynamoDB item size")
struct ItemSizeTests {
    @Test("scalar values", arguments: [
        (AttributeValue.string(""), 0), (.string("abc"), 3), (.string("é"), 2), (.string("日本"), 6),
        (.string("🙂"), 4), (.binary([]), 0), (.binary([1, 2, 3]), 3), (.bool(true), 1), (.bool(false), 1),
        (.null, 1), (n("0"), 1), (n("27"), 2), (n("-27"), 3), (n("1.5"), 3), (n("1E125"), 2),
        (n("12345678901234567890123456789012345678"), 20),
    ])
    func scalars(value: AttributeValue, size: Int) {
        #expect(ItemSize.of(value) == size)
    }

    @Test("sets are the sum of their elements")
    func sets() {
        #expect(ItemSize.of(.stringSet(["a", "bc", "é"])) == 1 + 2 + 2)
        #expect(ItemSize.of(.binarySet([[1], [2, 3], []])) == 3)
        let numbers = [n("1"), n("-42"), n("3.14159")].compactMap { value -> Number? in
            if case .number(let number) = value { return number }
            return nil
        }
        #expect(ItemSize.of(.numberSet(numbers)) == 2 + 3 + 5)
    }

    @Test("lists and maps: 3 bytes, plus 1 per element, plus elements (and map keys)")
    func documents() {
        #expect(ItemSize.of(.list([])) == 3)
        #expect(ItemSize.of(.map([:])) == 3)
        #expect(ItemSize.of(.list([.string("a"), n("1")])) == 3 + (1 + 1) + (1 + 2))
        #expect(ItemSize.of(.map(["ab": .string("xyz")])) == 3 + 1 + 2 + 3)
        #expect(ItemSize.of(.map(["ключ": .null])) == 3 + 1 + 8 + 1)
        // nested: outer list of one map holding an empty list
        let nested = AttributeValue.list([.map(["l": .list([])])])
        #expect(ItemSize.of(nested) == 3 + 1 + (3 + 1 + 1 + 3))
    }

    @Test("an item is every attribute name plus its value")
    func items() {
        #expect(ItemSize.of([:] as Item) == 0)
        let item: Item = [
            "pk": .string("user#1"),           // 2 + 6
            "n": n("12"),                      // 1 + 2
            "flag": .bool(true),               // 4 + 1
            "tags": .stringSet(["x", "yz"]),   // 4 + 3
            "doc": .map(["a": .list([n("-1.5")])]),  // 3 + (3 + 1 + 1 + (3 + 1 + 4))
            "ñ": .binary([0, 1]),              // 2 + 2
        ]
        let expected = (2 + 6) + (1 + 2) + (4 + 1) + (4 + 3) + (3 + (3 + 1 + 1 + (3 + 1 + 4))) + (2 + 2)
        #expect(ItemSize.of(item) == expected)
    }

    @Test("the 400 KB boundary is counted to the byte")
    func boundary() {
        let name = "p"
        let value = String(repeating: "x", count: ItemSize.maximum - name.utf8.count)
        #expect(ItemSize.of([name: .string(value)]) == ItemSize.maximum)
        #expect(ItemSize.of([name: .string(value + "x")]) == ItemSize.maximum + 1)
    }
}
