/// The audit log's queue (`--audit-log`): one record per request, written off the request path
/// by `AuditLogWriter` (the JSON-lines log of `Server/JSONLines`, shared with the access log).
public typealias AuditLog = JSONLineLog<AuditEvent>
/// Writes the audit log; reopened on SIGHUP.
public typealias AuditLogWriter = JSONLineWriter<AuditEvent>

extension AuditEvent: JSONLineRecord {
    public static var logName: String { "audit" }
    public static var logDescription: String { "audit log" }
}
