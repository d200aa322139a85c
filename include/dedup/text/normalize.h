// Text normalisation: what makes two copies of a story compare equal despite encoding noise.
//
// NormalizeText turns raw article text into a canonical form:
//   - bytes that are not valid UTF-8 become U+FFFD (never an error, never a crash);
//   - HTML entities are decoded once (&amp; &quot; &#39; &#x2019; &rsquo; and ~100 named ones);
//   - Unicode NFKC compatibility normalisation and case folding (utf8proc);
//   - quote, apostrophe, dash and space variants are lumped to their ASCII forms;
//   - line breaks (\r\n, \r, NEL, U+2028, U+2029) become '\n' and a run of them (blank lines)
//     one '\n'; tabs and other control characters become spaces; runs of spaces collapse to one
//     and lines are trimmed;
//   - digits are kept: numbers are what tell two templated briefs apart.
// Pure ASCII input takes a fast path that gives the same result as the full path.
//
// Tokenize splits normalised text into words: maximal runs of letters, digits and combining
// marks. Everything else (punctuation, symbols, spaces) separates words.
//
// Thread-safety: pure functions.
#ifndef DEDUP_TEXT_NORMALIZE_H_
#define DEDUP_TEXT_NORMALIZE_H_

#include <string>
#include <string_view>
#include <vector>

namespace dedup {

std::string NormalizeText(std::string_view raw);
// The same into `out` (replacing its contents, reusing its capacity).
void NormalizeTextInto(std::string_view raw, std::string& out);

// Appends the words of `normalized` (views into it) to `words`.
void Tokenize(std::string_view normalized, std::vector<std::string_view>& words);

// Decodes HTML entities once and replaces invalid UTF-8 by U+FFFD. Exposed for tests.
std::string DecodeEntitiesAndRepairUtf8(std::string_view raw);

// The specification NormalizeText must equal: the same steps with utf8proc applied to the whole
// text at once (NormalizeText hands it only the non-ASCII runs). Slow; for tests.
std::string NormalizeTextReference(std::string_view raw);

}  // namespace dedup

#endif  // DEDUP_TEXT_NORMALIZE_H_
