import CLoadTimePages
import KVServerMain

// The relocation table (1.7 MB) was read once by the dynamic linker before main; its pages are
// given back (README "Memory and start-up", issue #17).
_ = kv_release_load_time_pages()

// kvserver on SQLite (a file, or `--in-memory`). `kvserver-postgres` is the same server with
// `--storage postgres://...` as well.
await KVServerCommand.main()
