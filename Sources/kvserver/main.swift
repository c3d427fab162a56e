import KVServerMain

// kvserver on SQLite (a file, or `--in-memory`). `kvserver-postgres` is the same server with
// `--storage postgres://...` as well.
await KVServerCommand.main()
