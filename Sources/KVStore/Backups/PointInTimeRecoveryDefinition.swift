/// A table's point-in-time recovery setting, kept in its `TableDefinition`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoveryDescription.html
public struct PointInTimeRecoveryDefinition: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// When recovery was (last) enabled: nothing before it can be restored, since a re-enable
    /// "resets the start time for which you can recover that table".
    public var enabledAt: Double
    /// `RecoveryPeriodInDays`, 1...35 (DynamoDB's default 35).
    public var recoveryPeriodInDays: Int

    public static let defaultRecoveryPeriodInDays = 35
    public static let recoveryPeriodRange = 1...35

    public init(enabled: Bool, enabledAt: Double, recoveryPeriodInDays: Int) {
        self.enabled = enabled
        self.enabledAt = enabledAt
        self.recoveryPeriodInDays = recoveryPeriodInDays
    }

    /// The oldest second that can be restored at `now`: the later of enabling and the window start.
    public func earliestRestorable(now: Double) -> Double {
        max(enabledAt, now - Double(recoveryPeriodInDays) * 86_400)
    }
}

/// How a table came to be: `RestoreSummary` of its TableDescription.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreSummary.html
public struct RestoreSummary: Sendable, Hashable, Codable {
    public var sourceBackupID: String?
    /// The source table's name (its ARN is built by the protocol layer).
    public var sourceTableName: String?
    public var restoreDate: Double
    public var inProgress: Bool

    public init(sourceBackupID: String?, sourceTableName: String?, restoreDate: Double, inProgress: Bool) {
        self.sourceBackupID = sourceBackupID
        self.sourceTableName = sourceTableName
        self.restoreDate = restoreDate
        self.inProgress = inProgress
    }
}
