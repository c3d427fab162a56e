/// `StreamSpecification` of CreateTable and UpdateTable.
public struct StreamSpecification: Sendable {
    public var enabled: Bool
    public var viewType: StreamViewType?

    public init(enabled: Bool, viewType: StreamViewType?) {
        self.enabled = enabled
        self.viewType = viewType
    }
}

/// Turning a table's stream on and off. Called inside the DDL's write transaction.
enum StreamLifecycle {
    /// Checks a StreamSpecification before anything is written.
    static func validate(_ specification: StreamSpecification, creating: Bool, table: TableDefinition?) throws(KVError) {
        if specification.enabled && specification.viewType == nil {
            throw .validation(
                creating
                    ? "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required"
                    : "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
        }
        if !specification.enabled && specification.viewType != nil {
            throw .validation(
                creating
                    ? "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified"
                    : "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")
        }
        guard let table, !creating else { return }
        if specification.enabled && table.activeStream != nil {
            throw .validation("Table already has an enabled stream: TableName: \(table.name)")
        }
        if !specification.enabled && table.activeStream == nil {
            throw .validation("Table has no stream to disable: TableName: \(table.name)")
        }
    }

    /// Applies a validated specification to `table`, creating or closing shards on `connection`.
    static func apply(_ specification: StreamSpecification, to table: inout TableDefinition, now: Double, connection: some StreamStorage) throws {
        if specification.enabled, let viewType = specification.viewType {
            let id = try connection.nextStreamID()
            table.streams.append(
                StreamDefinition(id: id, viewType: viewType, label: label(for: now), created: now, enabled: true))
            try connection.openStreamShard(streamID: id, parent: nil, now: now)
        } else if let position = table.streams.lastIndex(where: { $0.enabled }) {
            table.streams[position].enabled = false
            try connection.closeOpenStreamShards(streamID: table.streams[position].id, now: now)
        }
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSS` in UTC, DynamoDB's StreamLabel form.
    static func label(for time: Double) -> String {
        let millis = Int64((time * 1000).rounded())
        let (daysSinceEpoch, millisOfDay) = millis.quotientAndRemainder(dividingBy: 86_400_000)
        let civil = CivilDate.date(days: daysSinceEpoch)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let hours = millisOfDay / 3_600_000
        let minutes = millisOfDay / 60_000 % 60
        let seconds = millisOfDay / 1000 % 60
        return "\(pad(Int64(civil.year), 4))-\(pad(Int64(civil.month), 2))-\(pad(Int64(civil.day), 2))T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(millisOfDay % 1000, 3))"
    }
}
