import KVStore
import Testing

private func number(_ text: String) throws -> Number { try Number(parsing: text) }
private func zeros(_ count: Int) -> String { String(repeating: "0", count: count) }

private let maxText = "9.9999999999999999999999999999999999999E+125"
private let maxPlain = String(repeating: "9", count: 38) + zeros(88)

@Suite("Number parsing")
struct NumberParsingTests {
    static let canonicalForms: [(String, String)] = [
        ("0", "0"), ("-0", "0"), ("+0", "0"), ("0.000", "0"), ("000", "0"), ("0e1000", "0"),
        ("-0e-999999999999999999999", "0"), ("0e999999999999999999999", "0"),
        ("1", "1"), ("+5", "5"), ("-7", "-7"), ("1.50", "1.5"), ("1.0", "1"), ("100", "100"),
        ("1e3", "1000"), ("1E+3", "1000"), ("1e007", "10000000"), ("1e+5", "100000"),
        ("-1.5e-3", "-0.0015"), (".5", "0.5"), ("5.", "5"), ("-.5", "-0.5"), ("+.5e1", "5"),
        ("0001.23", "1.23"), ("0.0001e2", "0.01"), ("0042.1200", "42.12"), ("-17e5", "-1700000"),
        ("-7.1234", "-7.1234"), ("12.5e-1", "1.25"), ("1234", "1234"), ("17.5", "17.5"),
        ("-17.4E37", "-174" + zeros(36)),
        ("1E+125", "1" + zeros(125)), ("1E-130", "0." + zeros(129) + "1"),
        ("-1E-130", "-0." + zeros(129) + "1"),
        (maxText, maxPlain), ("-" + maxText, "-" + maxPlain),
        ("99999999999999999999999999999999999999e88", maxPlain),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841"),
        ("314159265358979323846.26433832795028841", "314159265358979323846.26433832795028841"),
        ("31415926535897932384626433832795028841e30", "31415926535897932384626433832795028841" + zeros(30)),
        // Leading and trailing zeros are not significant digits.
        ("1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000"),
        ("0.000" + "12345678901234567890123456789012345678", "0.000" + "12345678901234567890123456789012345678"),
        ("1.0000000000000000000000000000000000000000000000", "1"),
        // digits spread over both 19-digit halves, with zeros inside
        ("10000000000000000000000000000000000001", "10000000000000000000000000000000000001"),
        ("1000000000000000000.0000000000000000001", "1000000000000000000.0000000000000000001"),
    ]

    @Test("valid text normalises to DynamoDB's canonical form", arguments: canonicalForms)
    func normalises(input: String, expected: String) throws {
        #expect(try number(input).description == expected)
    }

    @Test("malformed text is rejected with the text echoed", arguments: [
        " 1", "1 ", " ", "abc", "dog", "-dog", "1e", "1e+", "1E-", "e5", "--1", "+-1", "-+1", "1.2.3",
        "NaN", "-NaN", "Infinity", "-Infinity", "inf", ".", "+", "-", "+.", ".e1", "1e5.5", "1e1e1",
        "0x10", "1_000", "1,5", "1/2", "\u{FF11}", "\u{0661}", "1\0", "\t1", "1\n", "1e 5", "- 1", "1..2",
    ] as [String])
    func malformed(input: String) {
        #expect(throws: KVError.validation("The parameter cannot be converted to a numeric value: \(input)")) {
            try number(input)
        }
    }

    @Test("empty text is rejected without a suffix")
    func empty() {
        #expect(throws: KVError.validation("The parameter cannot be converted to a numeric value")) {
            try number("")
        }
    }

    static let overflow = KVError.validation(
        "Number overflow. Attempting to store a number with magnitude larger than supported range")
    static let underflow = KVError.validation(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range")
    static let tooManyDigits = KVError.validation("Attempting to store more than 38 significant digits in a Number")

    static let rangeCases: [(String, KVError)] = [
        ("1e126", overflow), ("-1e126", overflow), ("1E+126", overflow), ("10E125", overflow),
        ("11e125", overflow), ("99999999999999999999999999999999999999e89", overflow),
        ("1" + zeros(126), overflow), ("1e999999999999999999999", overflow),
        ("1e9223372036854775807", overflow), ("1e99999999999999999999999999999999999999999999", overflow),
        ("1e-131", underflow), ("-1e-131", underflow), ("0.9e-130", underflow), ("0.99e-130", underflow),
        ("0." + zeros(130) + "1", underflow), ("1e-999999999999999999999", underflow),
        ("-1e-9223372036854775808", underflow),
        ("123456789012345678901234567890123456789", tooManyDigits),
        ("-1.23456789012345678901234567890123456789", tooManyDigits),
        ("3.14159265358979323846264338327950288419", tooManyDigits),
        ("314159265358979323846264338327950288419e30", tooManyDigits),
        ("1.00000000000000000000000000000000000001", tooManyDigits),
        ("99999999999999999999999999999999999999.9", tooManyDigits),
        ("1000000000000000000000000000000000000000000000001e-46", tooManyDigits),
        // Range is checked before precision (as dynalite records).
        ("123456789012345678901234567890123456789e200", overflow),
        ("123456789012345678901234567890123456789e-200", underflow),
    ]

    @Test("out-of-range and over-precise numbers get DynamoDB's messages", arguments: rangeCases)
    func rangeAndPrecision(input: String, error: KVError) {
        #expect(throws: error) { try number(input) }
    }

    @Test("boundaries are accepted")
    func boundaries() throws {
        let max = try number(maxText)
        let minPositive = try number("1e-130")
        #expect(max.description == maxPlain)
        #expect(try number("-" + maxText) == max.negated)
        #expect(try number("1.5e-130").description == "0." + zeros(129) + "15")
        #expect(try number("9.9999999999999999999999999999999999999e-130") > minPositive)
        // 38 significant digits at the very bottom of the range
        let smallest38 = try number("1.0000000000000000000000000000000000001e-130")
        #expect(smallest38.description == "0." + zeros(129) + "10000000000000000000000000000000000001")
        #expect(minPositive < smallest38)
        #expect(minPositive > .zero)
        #expect(try number("-1e-130") < .zero)
    }

    @Test("a very long run of zeros is fine")
    func longInput() throws {
        let text = "0." + zeros(100_000) + "1e100006"
        #expect(try number(text).description == "100000")
        #expect(try number(zeros(50_000) + "7" + zeros(20)).description == "7" + zeros(20))
    }

    @Test("init(Int) matches the text form", arguments: [0, 1, -1, 10, 1_000, -1_000, 1234, 17, Int.max, Int.min, -90])
    func fromInt(value: Int) throws {
        #expect(Number(value).description == String(value))
        #expect(Number(value) == (try number(String(value))))
    }

    @Test("description round-trips through parsing")
    func descriptionRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let value = RandomNumber.make(using: &generator).value
            #expect(try number(value.description) == value)
        }
    }
}

@Suite("Number value semantics")
struct NumberValueTests {
    @Test("equality and hashing are by value")
    func equalityByValue() throws {
        let spellings = ["1e3", "1000", "1000.00", "+1000", "1E+3", "10e2", "0.001e6", "01000.0"]
        let values = try spellings.map(number)
        for value in values {
            #expect(value == values[0])
            #expect(value.hashValue == values[0].hashValue)
        }
        #expect(Set(values).count == 1)
        #expect(try number("-0") == Number.zero)
        #expect(try number("-0").hashValue == Number.zero.hashValue)
        #expect(try number("-0").isNegative == false)
        #expect(try number("1") != (try number("-1")))
        #expect(try number("1.5") != (try number("15")))
        #expect(Set(try ["1", "1.0", "2", "2.00", "-2", "0", "-0"].map(number)).count == 4)
    }

    @Test("ordering is numeric", arguments: [
        ("-" + maxText, "-1e125"), ("-1e125", "-1"), ("-1", "-0.5"), ("-0.5", "-1e-130"), ("-1e-130", "0"),
        ("0", "1e-130"), ("1e-130", "1.5e-130"), ("1", "1.5"), ("1.5", "1.52"), ("1.52", "2"), ("9", "10"),
        ("99", "100"), ("-1.52", "-1.5"), ("-100", "-99"), ("0.1", "1"), ("1e125", maxText), ("19", "1e19"),
        ("123456789012345678901234567890123456", "123456789012345678901234567890123457"),
        ("1234567890123456789", "1234567890123456789.0000000000000000001"),
        ("9999999999999999999", "10000000000000000000"),
    ] as [(String, String)])
    func ordering(smaller: String, larger: String) throws {
        let a = try number(smaller)
        let b = try number(larger)
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
        #expect(a.orderedBytes.lexicographicallyPrecedes(b.orderedBytes))
    }
}

@Suite("Number arithmetic")
struct NumberArithmeticTests {
    @Test("exact sums", arguments: [
        ("1", "2", "3"), ("999", "1", "1000"), ("1000", "-1", "999"), ("0.1", "0.2", "0.3"),
        ("1", "-2", "-1"), ("-5", "3", "-2"), ("-5", "-3", "-8"), ("5", "-5", "0"), ("-0.5", "0.5", "0"),
        ("1e125", "-1e125", "0"), ("0", "-7", "-7"), ("7", "0", "7"), ("0", "0", "0"),
        ("1e-130", "1e-130", "0." + zeros(129) + "2"),
        ("9999999999999999999", "1", "10000000000000000000"),
        ("99999999999999999999999999999999999999", "1", "1" + zeros(38)),
        ("1", "10000000000000000000000", "10000000000000000000001"),
        ("1.5", "2.75", "4.25"), ("0.999", "0.001", "1"), ("-0.001", "1", "0.999"),
        (maxText, "-" + maxText, "0"),
        ("12345678901234567890123456789012345678", "-12345678901234567890123456789012345677", "1"),
        ("1e37", "1", "10000000000000000000000000000000000001"),
        ("1.0000000000000000000000000000000000001e-130", "0", "0." + zeros(129) + "10000000000000000000000000000000000001"),
    ] as [(String, String, String)])
    func sums(a: String, b: String, expected: String) throws {
        let x = try number(a)
        let y = try number(b)
        #expect(try (x + y).description == expected)
        #expect(try (y + x).description == expected)
        #expect(try (x - y.negated).description == expected)
    }

    @Test("exact differences", arguments: [
        ("10000000000000000000000", "1", "9999999999999999999999"), ("1", "2", "-1"), ("-1", "-1", "0"),
        ("0", "5", "-5"), ("100", "0.01", "99.99"), ("-3", "4", "-7"), ("0.3", "0.1", "0.2"),
        ("100000000000000000000.00000001", "1", "99999999999999999999.00000001"),
        ("1" + zeros(38), "1", String(repeating: "9", count: 38)),
    ] as [(String, String, String)])
    func differences(a: String, b: String, expected: String) throws {
        #expect(try (number(a) - number(b)).description == expected)
    }

    @Test("results out of range or beyond 38 digits are rejected", arguments: [
        (maxText, "1e125", false, NumberParsingTests.overflow),
        ("9e125", "9e125", false, NumberParsingTests.overflow),
        ("9e125", "-9e125", true, NumberParsingTests.overflow),
        ("-" + maxText, "1e88", true, NumberParsingTests.overflow),
        ("1e50", "1", false, NumberParsingTests.overflow),   // DynamoDB says overflow for inexact results
        ("1e50", "1", true, NumberParsingTests.overflow),
        ("1", "1e-130", false, NumberParsingTests.overflow),
        ("12345678901234567890123456789012345678", "0.1", false, NumberParsingTests.overflow),
        ("99999999999999999999999999999999999999", "0.5", false, NumberParsingTests.overflow),
        ("1.0000000000000000000000000000000000001e-130", "1e-130", true, NumberParsingTests.underflow),
        ("-1.0000000000000000000000000000000000001e-130", "-1e-130", true, NumberParsingTests.underflow),
    ] as [(String, String, Bool, KVError)])
    func rejected(a: String, b: String, subtract: Bool, error: KVError) throws {
        let x = try number(a)
        let y = try number(b)
        #expect(throws: error) {
            if subtract { _ = try x - y } else { _ = try x + y }
        }
    }

    @Test("random sums agree with a digit-string reference")
    func randomAgainstReference() throws {
        var generator = SeededGenerator(seed: 42)
        var checked = 0
        for _ in 0..<3_000 {
            let a = RandomNumber.make(using: &generator, adjustedRange: -20...20)
            let b = RandomNumber.make(using: &generator, adjustedRange: -20...20)
            let reference = ReferenceDecimal.sum(a.reference, b.reference)
            do {
                let sum = try a.value + b.value
                #expect(sum.description == reference.text, "\(a.value) + \(b.value)")
                #expect(try sum - b.value == a.value)
                checked += 1
            } catch {
                #expect(reference.significantDigits > 38, "\(a.value) + \(b.value) threw \(error)")
            }
        }
        #expect(checked > 500)
    }
}

@Suite("Number ordered bytes")
struct NumberOrderedBytesTests {
    @Test("layout examples", arguments: [
        ("0", [0x80]), ("1.5", [0xFF, 0x82, 0x0F]), ("150", [0xFF, 0x84, 0x0F]),
        ("-1.5", [0x00, 0x7D, 0x54, 0xFF]), ("0.01", [0xFF, 0x80, 0x0A]), ("1e-130", [0xFF, 0x00, 0x0A]),
        ("1e125", [0xFF, 0xFF, 0x0A]), ("-1e125", [0x00, 0x00, 0x59, 0xFF]), ("12", [0xFF, 0x83, 0x0C]),
        ("123", [0xFF, 0x84, 0x0C, 0x1E]),
    ] as [(String, [UInt8])])
    func layout(text: String, bytes: [UInt8]) throws {
        let value = try number(text)
        #expect(value.orderedBytes == bytes)
        #expect(Number(orderedBytes: bytes) == value)
    }

    @Test("38-digit extremes round-trip")
    func extremes() throws {
        for text in [maxText, "-" + maxText, "1.0000000000000000000000000000000000001e-130",
                     "12345678901234567890123456789012345678", "-1234567890123456789012345678901234567"] {
            let value = try number(text)
            let bytes = value.orderedBytes
            #expect(bytes.count <= 22)
            #expect(Number(orderedBytes: bytes) == value)
            #expect(Number(orderedBytes: bytes[...]) == value)  // any Collection, e.g. a slice
        }
    }

    @Test("memcmp order is numeric order, and bytes round-trip (seeded property test)")
    func orderProperty() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        var samples: [RandomNumber] = []
        for _ in 0..<400 {
            let sample = RandomNumber.make(using: &generator)
            samples.append(sample)
            // Neighbours that stress prefixes, signs and shared exponents.
            samples.append(RandomNumber(reference: sample.reference.truncated(using: &generator)))
            samples.append(RandomNumber(reference: sample.reference.negatedReference))
        }
        samples.append(RandomNumber(reference: ReferenceDecimal.zero))
        for sample in samples {
            let bytes = sample.value.orderedBytes
            #expect(Number(orderedBytes: bytes) == sample.value)
        }
        let encoded = samples.map(\.value.orderedBytes)
        for i in samples.indices {
            for j in samples.indices {
                let expected = ReferenceDecimal.compare(samples[i].reference, samples[j].reference)
                let bytesOrder: Int = encoded[i] == encoded[j] ? 0
                    : (encoded[i].lexicographicallyPrecedes(encoded[j]) ? -1 : 1)
                if bytesOrder != expected || (samples[i].value < samples[j].value) != (expected < 0)
                    || (samples[i].value == samples[j].value) != (expected == 0) {
                    Issue.record("order mismatch: \(samples[i].value) vs \(samples[j].value)")
                    return
                }
            }
        }
    }

    @Test("garbage bytes never trap and never decode to a non-canonical value")
    func garbage() {
        var generator = SeededGenerator(seed: 99)
        let interesting: [UInt8] = [0x00, 0x80, 0xFF, 0x63, 0x64, 0x0A, 0x09, 0x01, 0xFE]
        var decoded = 0
        for _ in 0..<200_000 {
            let length = Int(generator.next() % 25)
            var bytes: [UInt8] = []
            for position in 0..<length {
                let roll = generator.next()
                if position == 0 || roll % 3 == 0 {
                    bytes.append(interesting[Int(roll >> 8) % interesting.count])
                } else if roll % 3 == 1 {
                    bytes.append(UInt8(truncatingIfNeeded: roll >> 16) % 100)
                } else {
                    bytes.append(UInt8(truncatingIfNeeded: roll >> 24))
                }
            }
            if let value = Number(orderedBytes: bytes) {
                decoded += 1
                #expect(value.orderedBytes == bytes)
                #expect((try? number(value.description)) == value)
            }
        }
        #expect(decoded > 100)
        #expect(Number(orderedBytes: [UInt8]()) == nil)
        #expect(Number(orderedBytes: [0x80, 0x00]) == nil)
        #expect(Number(orderedBytes: [0xFF, 0x82]) == nil)        // no digits
        #expect(Number(orderedBytes: [0xFF, 0x82, 0x05]) == nil)  // leading zero digit
        #expect(Number(orderedBytes: [0xFF, 0x82, 0x0F, 0x00]) == nil)  // trailing zero pair
        #expect(Number(orderedBytes: [0xFF, 0x82, 0x64]) == nil)  // pair > 99
        #expect(Number(orderedBytes: [0x00, 0x7D, 0x54]) == nil)  // negative without terminator
        #expect(Number(orderedBytes: [0x00, 0x7D, 0x54, 0xFF, 0xFF]) == nil)
        #expect(Number(orderedBytes: [0x01, 0x82, 0x0F]) == nil)  // unknown tag
        #expect(Number(orderedBytes: [0xFF, 0x82] + [UInt8](repeating: 0x0B, count: 20)) == nil)  // 40 digits
    }
}

@Suite("Number item size")
struct NumberSizeTests {
    // Literals measured byte-exactly against DynamoDB (eu-west-2) by a public conformance suite.
    @Test("measured sizes", arguments: [
        ("0", 1), ("1", 2), ("12", 2), ("123", 3), ("1234", 3), ("12345678901234567890123456789012345678", 20),
        ("0042", 2), ("100", 2), ("1010", 3), ("0.0000001", 2), ("1E125", 2), ("1E-100", 2), ("1.5", 3),
        ("15", 2), ("1.2", 3), ("1.200", 3), ("1.234", 4), ("3.14159", 5), ("123456", 4), ("100.5", 4),
        ("0.15", 2), ("-42", 3), ("-0", 1),
        // documentation examples and alignment cases
        ("27", 2), ("-27", 3), ("461", 3), ("1786461547", 6), ("12000", 3), ("0.00012", 3), ("0.0012", 2),
        ("1.2345678901234567890123456789012345678", 21), ("-1.2345678901234567890123456789012345678", 22),
    ])
    func sizes(text: String, bytes: Int) throws {
        #expect(try number(text).sizeInBytes == bytes)
    }
}

// MARK: - Test helpers


/// An independent, obviously-correct decimal: sign, significant digits (no leading or
/// trailing zeros), and the exponent of the first digit.
struct ReferenceDecimal {
    var negative: Bool
    var digits: [UInt8]  // empty for zero
    var adjusted: Int

    static let zero = ReferenceDecimal(negative: false, digits: [], adjusted: 0)

    var significantDigits: Int { digits.count }

    var negatedReference: ReferenceDecimal {
        digits.isEmpty ? self : ReferenceDecimal(negative: !negative, digits: digits, adjusted: adjusted)
    }

    /// Scientific text, e.g. "-1.25E3".
    var scientific: String {
        guard let first = digits.first else { return "0" }
        let rest = digits.dropFirst().map { String($0) }.joined()
        return (negative ? "-" : "") + String(first) + (rest.isEmpty ? "" : "." + rest) + "E\(adjusted)"
    }

    /// Plain text as DynamoDB formats it.
    var text: String {
        guard !digits.isEmpty else { return "0" }
        let sign = negative ? "-" : ""
        let body = digits.map { String($0) }.joined()
        let last = adjusted - digits.count + 1
        if last >= 0 { return sign + body + String(repeating: "0", count: last) }
        if adjusted >= 0 {
            let cut = body.index(body.startIndex, offsetBy: adjusted + 1)
            return sign + body[..<cut] + "." + body[cut...]
        }
        return sign + "0." + String(repeating: "0", count: -adjusted - 1) + body
    }

    func truncated(using generator: inout SeededGenerator) -> ReferenceDecimal {
        guard digits.count > 1 else { return self }
        var kept = Array(digits.prefix(1 + Int(generator.next() % UInt64(digits.count - 1))))
        while kept.last == 0 { kept.removeLast() }
        return ReferenceDecimal(negative: negative, digits: kept, adjusted: adjusted)
    }

    static func compare(_ a: ReferenceDecimal, _ b: ReferenceDecimal) -> Int {
        func signum(_ x: ReferenceDecimal) -> Int { x.digits.isEmpty ? 0 : (x.negative ? -1 : 1) }
        if signum(a) != signum(b) { return signum(a) < signum(b) ? -1 : 1 }
        if signum(a) == 0 { return 0 }
        var magnitude = 0
        if a.adjusted != b.adjusted {
            magnitude = a.adjusted < b.adjusted ? -1 : 1
        } else {
            for i in 0..<max(a.digits.count, b.digits.count) {
                let x = i < a.digits.count ? a.digits[i] : 0
                let y = i < b.digits.count ? b.digits[i] : 0
                if x != y {
                    magnitude = x < y ? -1 : 1
                    break
                }
            }
        }
        return a.negative ? -magnitude : magnitude
    }

    /// Exact sum by schoolbook arithmetic on digit arrays.
    static func sum(_ a: ReferenceDecimal, _ b: ReferenceDecimal) -> ReferenceDecimal {
        if a.digits.isEmpty { return b }
        if b.digits.isEmpty { return a }
        let low = min(a.adjusted - a.digits.count + 1, b.adjusted - b.digits.count + 1)
        let high = max(a.adjusted, b.adjusted) + 1
        func column(_ x: ReferenceDecimal) -> [Int] {  // least significant first, from `low`
            var result = [Int](repeating: 0, count: high - low + 1)
            for (i, digit) in x.digits.enumerated() { result[x.adjusted - i - low] = Int(digit) }
            return result
        }
        var x = column(a)
        var y = column(b)
        var negative = a.negative
        if a.negative != b.negative {
            // subtract the smaller magnitude from the larger
            let order = compare(ReferenceDecimal(negative: false, digits: a.digits, adjusted: a.adjusted),
                                ReferenceDecimal(negative: false, digits: b.digits, adjusted: b.adjusted))
            if order == 0 { return .zero }
            if order < 0 {
                swap(&x, &y)
                negative = b.negative
            }
            for i in x.indices { x[i] -= y[i] }
        } else {
            for i in x.indices { x[i] += y[i] }
        }
        for i in 0..<(x.count - 1) {
            if x[i] >= 10 { x[i] -= 10; x[i + 1] += 1 }
            if x[i] < 0 { x[i] += 10; x[i + 1] -= 1 }
        }
        var top = x.count - 1
        while x[top] == 0 { top -= 1 }
        var bottom = 0
        while x[bottom] == 0 { bottom += 1 }
        let digits = (bottom...top).reversed().map { UInt8(x[$0]) }
        return ReferenceDecimal(negative: negative, digits: digits, adjusted: top + low)
    }
}

/// A random valid number together with its reference form.
struct RandomNumber {
    var reference: ReferenceDecimal
    var value: Number

    init(reference: ReferenceDecimal) {
        self.reference = reference
        // Parse from scientific text: an independent path from the reference to the value.
        self.value = try! Number(parsing: reference.scientific)
    }

    static func make(using generator: inout SeededGenerator, adjustedRange: ClosedRange<Int> = -130...125) -> RandomNumber {
        let roll = generator.next() % 100
        if roll == 0 { return RandomNumber(reference: .zero) }
        // Favour short and full-length coefficients; both halves of the 38 digits matter.
        let count: Int
        switch roll % 4 {
        case 0: count = 1 + Int(generator.next() % 4)
        case 1: count = 38
        default: count = 1 + Int(generator.next() % 38)
        }
        var digits = (0..<count).map { _ in UInt8(generator.next() % 10) }
        digits[0] = 1 + UInt8(generator.next() % 9)
        if roll % 7 == 0 { digits[0] = 9; for i in digits.indices { digits[i] = 9 } }
        while digits.last == 0 { digits.removeLast() }
        let span = UInt64(adjustedRange.upperBound - adjustedRange.lowerBound + 1)
        var adjusted = adjustedRange.lowerBound + Int(generator.next() % span)
        // Keep the last digit at or above 1E-167 (any first digit >= 1E-130 is valid).
        if roll % 11 == 0 { adjusted = roll % 2 == 0 ? adjustedRange.lowerBound : adjustedRange.upperBound }
        let negative = generator.next() % 2 == 0
        return RandomNumber(reference: ReferenceDecimal(negative: negative, digits: digits, adjusted: adjusted))
    }
}
