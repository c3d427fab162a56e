import KVStore
import Testing

@testable import KVServer

/// `IntegerMember`: the API model's Integer and Long members take JSON integer tokens within
/// their Java type and nothing else (issue 14: `2.9`, `3e400`, `1e999999` and 42-digit values were
/// truncated or saturated).
@Suite("Integer and Long members")
struct IntegerMemberTests {
    @Test(arguments: [
        ("0", IntegerMember.integer, Int64(0)), ("-0", .integer, 0), ("2147483647", .integer, 2_147_483_647),
        ("-2147483648", .integer, -2_147_483_648), ("9223372036854775807", .long, .max),
        ("-9223372036854775808", .long, .min), ("1000000000001", .long, 1_000_000_000_001),
    ])
    func integerTokensInRangeAreRead(text: String, member: IntegerMember, expected: Int64) throws {
        #expect(try member.read(.number(text)) == expected)
    }

    @Test(arguments: [
        ("2.9", IntegerMember.integer, "DECIMAL_VALUE cannot be converted to Integer"),
        ("2.0", .integer, "DECIMAL_VALUE cannot be converted to Integer"),
        ("3e400", .integer, "DECIMAL_VALUE cannot be converted to Integer"),
        ("1e999999", .long, "DECIMAL_VALUE cannot be converted to Long"),
        ("1E2", .long, "DECIMAL_VALUE cannot be converted to Long"),
        ("2147483648", .integer, "NUMBER_VALUE cannot be converted to Integer"),
        ("-2147483649", .integer, "NUMBER_VALUE cannot be converted to Integer"),
        ("9223372036854775808", .long, "NUMBER_VALUE cannot be converted to Long"),
        (String(repeating: "9", count: 42), .long, "NUMBER_VALUE cannot be converted to Long"),
    ])
    func otherNumbersAreSerializationErrors(text: String, member: IntegerMember, message: String) {
        #expect(throws: KVError.serialization(message)) { try member.read(.number(text)) }
    }

    @Test func otherJSONTypesNameTheJavaType() {
        #expect(throws: KVError.serialization("STRING_VALUE cannot be converted to Integer")) {
            try IntegerMember.integer.read(.string("5"))
        }
        #expect(throws: KVError.serialization("TRUE_VALUE cannot be converted to Long")) {
            try IntegerMember.long.read(.bool(true))
        }
    }
}

@Suite("Admission counter")
struct AdmissionCounterTests {
    @Test func takesUpToItsLimitAndGivesBack() {
        let counter = AdmissionCounter(limit: 2)
        #expect(counter.tryEnter())
        #expect(counter.tryEnter())
        #expect(!counter.tryEnter())
        counter.leave()
        #expect(counter.tryEnter())
        #expect(counter.current == 2)
    }
}
