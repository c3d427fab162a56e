// The executable's relocation table, released after the dynamic linker has applied it
// (issue #17, idle memory). See include/CLoadTimePages.h and README "Memory and start-up".

#define _GNU_SOURCE
#include "CLoadTimePages.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    size_t released;
} ReleaseResult;

/// The read-only load segment of `info` that holds [start, end), or NULL.
static const ElfW(Phdr) *readOnlySegmentHolding(const struct dl_phdr_info *info, uintptr_t start, uintptr_t end) {
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type != PT_LOAD || (phdr->p_flags & PF_W) != 0) continue;
        uintptr_t segmentStart = info->dlpi_addr + phdr->p_vaddr;
        // p_filesz, not p_memsz: only the part backed by the file.
        uintptr_t segmentEnd = segmentStart + phdr->p_filesz;
        if (segmentStart <= start && start <= end && end <= segmentEnd) return phdr;
    }
    return NULL;
}

/// Whether [start, end) lies in one of the segments of `info` that the process may write or
/// executes (where releasing a page could lose a change): then nothing is released.
static int overlapsWritableOrRelro(const struct dl_phdr_info *info, uintptr_t start, uintptr_t end) {
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        int relevant = phdr->p_type == PT_GNU_RELRO || (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_W) != 0);
        if (!relevant) continue;
        uintptr_t segmentStart = info->dlpi_addr + phdr->p_vaddr;
        uintptr_t segmentEnd = segmentStart + phdr->p_memsz;
        if (start < segmentEnd && segmentStart < end) return 1;
    }
    return 0;
}

static int releaseMainProgramRelocations(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    ReleaseResult *result = data;
    // The first object is the executable itself; stop after it whatever happens.
    const ElfW(Dyn) *dynamic = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
        }
    }
    if (dynamic == NULL) return 1;
    uintptr_t rela = 0, relaSize = 0, jmprel = 0, pltrelSize = 0;
    for (const ElfW(Dyn) *entry = dynamic; entry->d_tag != DT_NULL; entry++) {
        switch (entry->d_tag) {
        case DT_RELA: rela = entry->d_un.d_ptr; break;
        case DT_RELASZ: relaSize = entry->d_un.d_val; break;
        case DT_JMPREL: jmprel = entry->d_un.d_ptr; break;
        case DT_PLTRELSZ: pltrelSize = entry->d_un.d_val; break;
        case DT_TEXTREL: return 1;  // the loader wrote into read-only segments: leave them alone
        case DT_FLAGS:
            if (entry->d_un.d_val & DF_TEXTREL) return 1;
            break;
        default: break;
        }
    }
    if (rela == 0 || relaSize == 0) return 1;
    // glibc rewrites these entries of the in-memory dynamic section to run-time addresses; other
    // loaders leave the link-time ones: take whichever lies in the executable's read-only segment.
    if (relaSize > UINTPTR_MAX - rela - info->dlpi_addr) return 1;
    uintptr_t start = rela;
    if (readOnlySegmentHolding(info, start, start + relaSize) == NULL) {
        start = rela + info->dlpi_addr;
        jmprel = jmprel == 0 ? 0 : jmprel + info->dlpi_addr;
        if (readOnlySegmentHolding(info, start, start + relaSize) == NULL) return 1;
    }
    uintptr_t end = start + relaSize;
    // The PLT's relocations are read again by lazy binding: keep them (some linkers make the
    // DT_RELA range cover them too).
    if (jmprel != 0 && pltrelSize != 0 && jmprel < end && start < jmprel + pltrelSize) {
        if (jmprel <= start) return 1;
        end = jmprel;
    }
    long pageSize = sysconf(_SC_PAGESIZE);
    if (pageSize <= 0) return 1;
    uintptr_t page = (uintptr_t)pageSize;
    // Only the whole pages inside the table: the pages it shares with its neighbours stay.
    uintptr_t first = (start + page - 1) & ~(page - 1);
    uintptr_t last = end & ~(page - 1);
    if (last <= first) return 1;
    if (overlapsWritableOrRelro(info, first, last)) return 1;
    if (madvise((void *)first, last - first, MADV_DONTNEED) == 0) result->released = last - first;
    return 1;
}

size_t kv_release_load_time_pages(void) {
    ReleaseResult result = {0};
    dl_iterate_phdr(releaseMainProgramRelocations, &result);
    return result.released;
}
