import CLoadTimePages
import Glibc
import KVServerMain

// The relocation table (1.7 MB) was read once by the dynamic linker before main; its pages are
// given back (README "Memory and start-up", issue #17).
_ = kv_release_load_time_pages()

// kvserver on SQLite (a file, or `--in-memory`). `kvserver-postgres` is the same server with
// `--storage postgres://...` as well.
//
// Not a top-level `await`: an async main parks the main thread in `dispatch_main()`, which ends
// it with `pthread_exit`, and glibc unwinds that thread's stack by the executable's unwind tables
// (`_Unwind_ForcedUnwind`), so every start read `.eh_frame_hdr` and `.eh_frame` and kept about
// 0.9 MB of them resident. The server runs on its own threads (nothing runs on the main actor or
// the main queue); the main thread waits, and the process ends by `exit` as before.
Task.detached {
    await KVServerCommand.main()
    exit(0)
}
while true {
    pause()
}
