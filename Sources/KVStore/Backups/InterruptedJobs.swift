/// What a stopped server leaves of its background jobs (`BackgroundJobs`), settled at start.
///
/// A backup being created left no record (its `.partial` and items files are removed by
/// `BackupStore`). An export or import IN_PROGRESS turns FAILED. A table a restore was filling
/// is dropped (a restore is all or nothing); a table an import was filling turns ACTIVE with the
/// items it got, as when an import fails. On an external backend tables are left as they are:
/// the restore or import may be running on another node (one whose node died stays CREATING).
extension KVEngine {
    func recoverInterruptedJobs() async {
        let stopped = now()
        for var record in exports.all() where record.status == .inProgress {
            record.status = .failed
            record.endTime = stopped
            record.failureCode = "ExportFailed"
            record.failureMessage = "The server stopped before the export was complete"
            exports.save(record, id: record.id)
        }
        for var record in imports.all() where record.status == .inProgress {
            record.status = .failed
            record.endTime = stopped
            record.failureCode = "ImportFailed"
            record.failureMessage = "The server stopped before the import was complete"
            imports.save(record, id: record.id)
        }
        // Over a shared database another node may be filling such a table right now: only
        // SQLite's one process knows that nobody is.
        guard case .sqlite = storage else { return }
        for name in catalog.allNames() {
            guard let table = catalog.table(named: name), table.isLoadingItems else { continue }
            if table.restoreSummary?.inProgress == true {
                await abandonLoading(table)
            } else {
                try? await finishLoading(table)
            }
        }
    }
}
