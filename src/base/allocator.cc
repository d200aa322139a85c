#include "dedup/base/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dedup {

void ConfigureAllocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kOwnPagesBytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(kKeepFreeBytes));
#endif
}

}  // namespace dedup
