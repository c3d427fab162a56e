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
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
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
        let total = wholeSeconds(epochSeconds)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondsOfDay = total - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60))Z"
    }

    /// Whole seconds, clamped to years 0001..9999 (a clock is never outside; this keeps the
    /// conversion from trapping on NaN or infinity).
    static func wholeSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 0 }
        return Int(min(max(seconds, -62_135_596_800), 253_402_300_799).rounded(.down))
    }

    /// `aws:EpochTime`: whole seconds since 1970.
    static func epochText(_ seconds: Double) -> String { String(wholeSeconds(seconds)) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
