// The "shape" of a URL, for bounding crawler traps.
//
// Calendars, endless pagination and session-numbered links generate
// unbounded sets of URLs that differ only in numbers. A URL's shape keeps
// its host and path but masks every path segment made of digits (with an
// optional extension, "15.html") and collapses a trailing run of such
// segments, so /calendar/2024/06/15.html, /calendar/2024/06.html and
// /calendar/2024.html share the shape "host/calendar/#…"; query values are
// dropped and names sorted. Slugs that merely contain digits
// ("/articles/1029-title.html") keep their own shape, so ordinary articles
// never share one. The crawler caps how many pages of one shape it queues.
//
// Thread safety: pure function. Input that is not an absolute URL yields "".
#ifndef SCRAPEWATCH_CRAWLER_URL_SHAPE_H_
#define SCRAPEWATCH_CRAWLER_URL_SHAPE_H_

#include <string>
#include <string_view>

namespace scrapewatch::crawler {

std::string UrlShape(std::string_view url);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_URL_SHAPE_H_
