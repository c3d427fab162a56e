/// The storage port: what the engine needs from a database, as Swift protocols, so that the
/// engine holds no SQL and a second backend can stand beside SQLite (issue #18).
///
/// The shape follows the engine's transactions. The engine opens a transaction with the
/// database (`read`, `write` or `exclusive`; one WAL snapshot, or one group-committed write) and
/// its body receives the transaction handle; the handle conforms to the port protocols
/// (`CatalogStorage`, `StreamStorage`, `TriggerStorage`, `TransactionTokenStorage`,
/// `ExpiryIndexStorage`, `ChangeLogStorage`), so everything a body does commits or vanishes
/// together: an item, its stream record and its change-log row, or a table's catalog row and
/// its storage.
///
/// Calls are monomorphic: the engine holds the adapter's concrete types (for SQLite,
/// `Database` and its transaction handle `Connection`, in `Storage/SQLite/`), so a port call is
/// a direct call, never an existential box. A second backend brings its own handle type
/// conforming to the same protocols.
///
/// The port is synchronous inside a body, as the item path is: bodies run on the database's own
/// threads (never on the cooperative pool), so a blocking call there blocks no one else.
///
/// Encodings every adapter shares (key bytes that sort in DynamoDB's order, the item codec,
/// the partition hash) live in `Storage/Encoding/`.
enum StoragePort {}
