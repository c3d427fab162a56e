import Testing

@testable import KVStore

/// The one civil-date conversion behind every timestamp the server formats or parses itself.
@Suite struct CivilDateTests {
    @Test(arguments: [
        (0 as Int64, 1970, 1, 1), (-1, 1969, 12, 31), (59, 1970, 3, 1), (11_016, 2000, 2, 29),
        (20_793, 2026, 12, 6), (-719_162, 1, 1, 1), (2_932_896, 9999, 12, 31),
    ])
    func knownDates(days: Int64, year: Int, month: Int, day: Int) {
        #expect(CivilDate.date(days: days) == (year, month, day))
        #expect(CivilDate.days(year: year, month: month, day: day) == days)
    }

    @Test func roundTripsEveryDayOfFourCenturies() {
        for days in Int64(-146_097)...Int64(146_097) {
            let date = CivilDate.date(days: days)
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days)
        }
    }
}
