import KVServerMain

// kvserver with `--storage postgres://...` (PostgreSQL) as well as SQLite: a separate executable
// because PostgresNIO links full Foundation and ICU (Package.swift, `KVServerMain`).
await KVServerCommand.main(storage: PostgresStorageOpener(), commandName: "kvserver-postgres")
