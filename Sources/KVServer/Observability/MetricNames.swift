/// The names and help texts of every metric the server exports. DynamoDB's own metrics keep
/// CloudWatch's names (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html)
/// in Prometheus form: snake case, prefix `dynamodb_`, `_total` on counters, seconds instead of
/// milliseconds for latency; CloudWatch's dimensions become the labels `table`, `index`,
/// `operation` and `stream`. The server's own metrics start with `kvserver_`.
struct MetricName: Sendable {
    let name: String
    let help: String

    static let consumedRead = MetricName(
        name: "dynamodb_consumed_read_capacity_units_total",
        help: "ConsumedReadCapacityUnits: read capacity units consumed, per table and global secondary index (index=\"\" is the table, local indexes included).")
    static let consumedWrite = MetricName(
        name: "dynamodb_consumed_write_capacity_units_total",
        help: "ConsumedWriteCapacityUnits: write capacity units consumed, per table and global secondary index (index=\"\" is the table, local indexes included).")
    static let provisionedRead = MetricName(
        name: "dynamodb_provisioned_read_capacity_units",
        help: "ProvisionedReadCapacityUnits of a provisioned table or global secondary index (0 for on-demand).")
    static let provisionedWrite = MetricName(
        name: "dynamodb_provisioned_write_capacity_units",
        help: "ProvisionedWriteCapacityUnits of a provisioned table or global secondary index (0 for on-demand).")
    static let readThrottleEvents = MetricName(
        name: "dynamodb_read_throttle_events_total",
        help: "ReadThrottleEvents: read requests answered with a throttling error.")
    static let writeThrottleEvents = MetricName(
        name: "dynamodb_write_throttle_events_total",
        help: "WriteThrottleEvents: write requests answered with a throttling error.")
    static let throttledRequests = MetricName(
        name: "dynamodb_throttled_requests_total",
        help: "ThrottledRequests: requests answered ProvisionedThroughputExceededException, ThrottlingException or RequestLimitExceeded.")
    static let latency = MetricName(
        name: "dynamodb_successful_request_latency_seconds",
        help: "SuccessfulRequestLatency: seconds from a successful request's arrival to its answer, per operation and table.")
    static let returnedItemCount = MetricName(
        name: "dynamodb_returned_item_count_total",
        help: "ReturnedItemCount: items returned by Query, Scan and ExecuteStatement.")
    static let returnedBytes = MetricName(
        name: "dynamodb_returned_bytes_total",
        help: "ReturnedBytes: response bytes returned by GetRecords.")
    static let returnedRecordsCount = MetricName(
        name: "dynamodb_returned_records_count_total",
        help: "ReturnedRecordsCount: stream records returned by GetRecords.")
    static let userErrors = MetricName(
        name: "dynamodb_user_errors_total",
        help: "UserErrors: requests answered with HTTP 400, except throttling and ConditionalCheckFailedException.")
    static let systemErrors = MetricName(
        name: "dynamodb_system_errors_total",
        help: "SystemErrors: requests answered with HTTP 500 or 503.")
    static let conditionalCheckFailed = MetricName(
        name: "dynamodb_conditional_check_failed_requests_total",
        help: "ConditionalCheckFailedRequests: writes whose condition expression was false.")
    static let transactionConflict = MetricName(
        name: "dynamodb_transaction_conflict_total",
        help: "TransactionConflict: requests rejected because of a conflict with a concurrent transaction.")
    static let timeToLiveDeleted = MetricName(
        name: "dynamodb_time_to_live_deleted_item_count_total",
        help: "TimeToLiveDeletedItemCount: items deleted by Time to Live.")
    static let streamIteratorAge = MetricName(
        name: "dynamodb_stream_iterator_age_milliseconds",
        help: "Milliseconds between the last record a stream consumer (its access key) read with GetRecords and the newest record of that shard.")
    static let triggerIteratorAge = MetricName(
        name: "kvserver_trigger_iterator_age_milliseconds",
        help: "Lambda's IteratorAge for a trigger: milliseconds between the creation of the last stream record it delivered and the delivery.")
    static let requestsInFlight = MetricName(
        name: "kvserver_requests_in_flight", help: "Requests being handled by an asynchronous handler right now.")
    static let openConnections = MetricName(name: "kvserver_open_connections", help: "Open client connections.")
    static let groupCommitSize = MetricName(
        name: "kvserver_group_commit_size", help: "Writes committed together by one SQLite transaction (group commit).")
    static let groupCommitLatency = MetricName(
        name: "kvserver_group_commit_latency_seconds", help: "Seconds from BEGIN to the end of COMMIT of a write group.")
    static let walSize = MetricName(name: "kvserver_wal_size_bytes", help: "Size of the SQLite write-ahead log file.")
    static let databaseSize = MetricName(name: "kvserver_database_file_size_bytes", help: "Size of the SQLite database file.")
    static let itemCount = MetricName(name: "kvserver_table_item_count", help: "Items in a table (counted at scrape time).")
    static let tableSize = MetricName(
        name: "kvserver_table_size_bytes", help: "Bytes of a table's items, as DescribeTable's TableSizeBytes (counted at scrape time).")
    static let injectedFaults = MetricName(
        name: "kvserver_injected_faults_total", help: "Faults injected by the fault rules (--faults), per operation, table and kind.")
    static let accessLogDropped = MetricName(
        name: "kvserver_access_log_dropped_total", help: "Access log lines dropped because the writer fell behind.")
}
