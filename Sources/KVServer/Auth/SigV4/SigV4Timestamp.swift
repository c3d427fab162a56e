import KVStore
import Synchronization

/// UTC timestamps as SigV4 and the auth file write them, converted without Foundation
/// (`CivilDate`).
public enum UTCTimestamp {
    /// Parses `20150830T123600Z` (ISO 8601 basic format, as `X-Amz-Date`); nil if malformed.
    public static func parseBasic(_ text: Substring) -> Int64? {
        SigV4Bytes.with(text) { parseBasic($0) }
    }

    /// (Every verified request's `X-Amz-Date`: read with `digits`, not the generic `number`.)
    static func parseBasic(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        guard let year = digits(bytes, 0, 4), let month = digits(bytes, 4, 2), let day = digits(bytes, 6, 2),
            let hour = digits(bytes, 9, 2), let minute = digits(bytes, 11, 2), let second = digits(bytes, 13, 2)
        else { return nil }
        return seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Parses `2027-01-01T00:00:00Z`, optionally with fractional seconds (`...:00.5Z`), which are
    /// dropped; nil if malformed.
    public static func parseExtended(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"),
            bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":")
        else { return nil }
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21,
                bytes[20..<(bytes.count - 1)].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
        }
        guard let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2)
        else { return nil }
        return seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// `20150830T123600Z`.
    public static func basic(_ seconds: Int64) -> String {
        let c = components(seconds)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2) + "Z"
    }

    /// `2015-08-30T12:36:00Z` (CloudTrail's `eventTime`).
    public static func extended(_ seconds: Int64) -> String {
        let c = components(seconds)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T" + pad(c.hour, 2) + ":"
            + pad(c.minute, 2) + ":" + pad(c.second, 2) + "Z"
    }

    static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func components(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (year, month, day) = CivilDate.date(days: days)
        return (year, month, day, Int(rest / 3600), Int(rest % 3600 / 60), Int(rest % 60))
    }

    static func number<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ start: Int, _ count: Int) -> Int?
    where Bytes.Index == Int {
        var value = 0
        for index in start..<(start + count) {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `count` decimal digits at `start` of `bytes` (which the caller has checked hold them);
    /// nil if one is not a digit.
    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        var index = start
        while index < start &+ count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            value = value &* 10 &+ Int(digit)
            index &+= 1
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// The request time parsed last (`UTCTimestamp.parseBasic`, a pure function of its 16 bytes):
/// the requests of a second carry the same `X-Amz-Date`, and comparing two words costs less
/// than parsing it again (about 210 instructions per verified request).
final class BasicTimestampMemo: Sendable {
    private let last = Mutex<(text: (UInt64, UInt64), seconds: Int64)?>(nil)

    /// `UTCTimestamp.parseBasic(text)`.
    func seconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 16, let base = text.baseAddress else { return UTCTimestamp.parseBasic(text) }
        let raw = UnsafeRawPointer(base)
        let words = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let remembered = last.withLock { last -> Int64? in
            guard let last, last.text.0 == words.0, last.text.1 == words.1 else { return nil }
            return last.seconds
        }
        if let remembered { return remembered }
        guard let seconds = UTCTimestamp.parseBasic(text) else { return nil }
        last.withLock { $0 = (words, seconds) }
        return seconds
    }
}
