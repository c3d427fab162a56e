#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The real time, in seconds since 1970. The engine takes its clock as a parameter
/// so that tests of time-dependent rules (TTL, stream retention) can move time.
public enum WallClock {
    @Sendable public static func now() -> Double {
        Date().timeIntervalSince1970
    }
}
