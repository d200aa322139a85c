// XXH3-64, compiled into the caller. The hot paths hash short inputs (a word, three word
// hashes, a band of a signature) hundreds of times an article; through libxxhash.so each is a
// call that cannot be inlined. The values are XXH3's, the same as the library's.
//
// Thread-safety: pure functions.
#ifndef DEDUP_BASE_HASH_H_
#define DEDUP_BASE_HASH_H_

#include <cstddef>
#include <cstdint>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace dedup {

inline uint64_t Hash64(const void* data, size_t size) { return XXH3_64bits(data, size); }

inline uint64_t Hash64(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace dedup

#endif  // DEDUP_BASE_HASH_H_
