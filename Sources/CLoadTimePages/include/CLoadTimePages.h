#ifndef CLOADTIMEPAGES_H
#define CLOADTIMEPAGES_H

#include <stddef.h>

/// Gives back to the kernel the pages of the executable's relocation table (`DT_RELA`, the
/// position-independent executable's 71,000 relative relocations, 1.7 MB) that the dynamic
/// linker read once before `main` and nothing reads again. Returns the bytes released (0 when
/// there is nothing to release or the table is not where it is expected).
///
/// Safe whatever it finds: it only releases whole pages that lie inside the table and inside a
/// read-only, file-backed segment that was never written (no text relocations); such a page, if
/// anything ever read it again, is read back from the file by the kernel. See README "Memory and
/// start-up".
size_t kv_release_load_time_pages(void);

#endif
