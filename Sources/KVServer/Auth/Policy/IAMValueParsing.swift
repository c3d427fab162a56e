import KVStore

/// Numbers and dates as IAM's `Numeric*` and `Date*` operators read them.
enum IAMValueParsing {
    /// A decimal number (`10`, `-2.5`, `1e3`); nil for anything else (no `nan`, `inf`, hex).
    static func number(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 64,
            text.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" })
        else { return nil }
        return Double(text)
    }

    /// Seconds since 1970 of an ISO 8601 date (`2026-12-24`, `2026-12-24T00:00:00Z`,
    /// `2026-12-24T00:00:00.000+01:00`) or of an epoch number (`1798070400`), as IAM accepts both.
    /// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
    static func date(_ text: String) -> Double? {
        let scalars = Array(text.utf8)
        // ISO dates start `YYYY-`; anything else is an epoch number.
        guard scalars.count >= 10, scalars[4] == UInt8(ascii: "-") else { return number(text) }
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= scalars.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = scalars[index + offset]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < scalars.count, scalars[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Double(CivilDate.days(year: year, month: month, day: day)) * 86_400
        if index == scalars.count { return seconds }
        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")), let hour = digits(2), hour < 24,
            expect(UInt8(ascii: ":")), let minute = digits(2), minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if expect(UInt8(ascii: ":")) {
            guard let second = digits(2), second <= 60 else { return nil }
            seconds += Double(second)
            if expect(UInt8(ascii: ".")) {
                var scale = 0.1
                var any = false
                while index < scalars.count, scalars[index] >= 0x30, scalars[index] <= 0x39 {
                    seconds += Double(scalars[index] - 0x30) * scale
                    scale /= 10
                    index += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        if index == scalars.count || expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
            return index == scalars.count ? seconds : nil
        }
        let sign: Double
        if expect(UInt8(ascii: "+")) { sign = 1 } else if expect(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        guard let offsetHours = digits(2), offsetHours < 24 else { return nil }
        _ = expect(UInt8(ascii: ":"))
        guard let offsetMinutes = digits(2), offsetMinutes < 60, index == scalars.count else { return nil }
        return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
    }

    /// `aws:CurrentTime` as IAM puts it in the request context: `2026-12-06T15:41:57Z`.
    static func iso8601(_ epochSeconds: Double) -> String {
        UTCTimestamp.extended(Int64(wholeSeconds(epochSeconds)))
    }

    /// Whole seconds, clamped to years 0001..9999 (a clock is never outside; this keeps the
    /// conversion from trapping on NaN or infinity).
    static func wholeSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 0 }
        return Int(min(max(seconds, -62_135_596_800), 253_402_300_799).rounded(.down))
    }

    /// `aws:EpochTime`: whole seconds since 1970.
    static func epochText(_ seconds: Double) -> String { String(wholeSeconds(seconds)) }
}
