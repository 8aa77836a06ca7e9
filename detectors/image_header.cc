#include "detectors/image_header.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"

namespace scrapewatch::detectors {
namespace {

absl::Status Malformed(std::string_view format, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(format), ": ", std::string(problem)));
}

// True when [pos, pos + n) lies inside `bytes`; written so no sum can overflow.
bool Has(std::string_view bytes, size_t pos, size_t n) {
  return pos <= bytes.size() && n <= bytes.size() - pos;
}

// An unsigned integer of n <= 8 bytes at pos, or nullopt past the end.
std::optional<uint64_t> Load(std::string_view bytes, size_t pos, size_t n, bool big_endian) {
  if (!Has(bytes, pos, n)) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[pos + (big_endian ? i : n - 1 - i)]);
  }
  return value;
}

std::optional<uint64_t> Be(std::string_view bytes, size_t pos, size_t n) {
  return Load(bytes, pos, n, true);
}
std::optional<uint64_t> Le(std::string_view bytes, size_t pos, size_t n) {
  return Load(bytes, pos, n, false);
}

uint8_t ByteAt(std::string_view bytes, size_t pos) { return static_cast<uint8_t>(bytes[pos]); }

absl::StatusOr<ImageHeader> ReadPng(std::string_view bytes) {
  // libpng accepts nothing but IHDR as the chunk after the 8-byte signature.
  std::optional<uint64_t> width = Be(bytes, 16, 4), height = Be(bytes, 20, 4);
  if (!height) return Malformed("png", "truncated inside the IHDR chunk");
  if (bytes.substr(12, 4) != "IHDR") return Malformed("png", "first chunk is not IHDR");
  if (*width == 0 || *height == 0) return Malformed("png", "IHDR declares a zero width or height");
  return ImageHeader{.width = static_cast<int64_t>(*width),
                     .height = static_cast<int64_t>(*height)};
}

// Walks blocks the way giflib's DGifGetRecordType does, to the first image
// descriptor: extensions are a label and sub-blocks ended by an empty one.
absl::StatusOr<ImageHeader> ReadGif(std::string_view bytes) {
  std::optional<uint64_t> screen_width = Le(bytes, 6, 2), screen_height = Le(bytes, 8, 2);
  if (!Has(bytes, 0, 13)) return Malformed("gif", "truncated inside the logical screen descriptor");
  size_t pos = 13;
  if (uint8_t flags = ByteAt(bytes, 10); flags & 0x80) pos += size_t{3} << ((flags & 7) + 1);
  while (true) {
    if (!Has(bytes, pos, 1)) return Malformed("gif", "truncated before the first image");
    switch (ByteAt(bytes, pos)) {
      case ',': {
        std::optional<uint64_t> height = Le(bytes, pos + 7, 2);
        if (!height) return Malformed("gif", "truncated inside the first image descriptor");
        GifCanvas canvas = ComputeGifCanvas(
            static_cast<int64_t>(*screen_width), static_cast<int64_t>(*screen_height),
            static_cast<int64_t>(*Le(bytes, pos + 1, 2)),
            static_cast<int64_t>(*Le(bytes, pos + 3, 2)),
            static_cast<int64_t>(*Le(bytes, pos + 5, 2)), static_cast<int64_t>(*height));
        if (canvas.width == 0 || canvas.height == 0) return Malformed("gif", "empty canvas");
        return ImageHeader{.width = canvas.width, .height = canvas.height};
      }
      case '!':
        pos += 2;
        while (Has(bytes, pos, 1) && ByteAt(bytes, pos) != 0) pos += 1 + ByteAt(bytes, pos);
        ++pos;
        break;
      case ';':
        return Malformed("gif", "no image before the trailer");
      default:
        return Malformed("gif", "unknown block before the first image");
    }
  }
}

bool IsJpegFrameHeader(uint8_t marker) {
  // SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

bool IsJpegStandaloneMarker(uint8_t marker) {
  // TEM, RST0..7, SOI and EOI carry no length. A zero after 0xFF is a
  // stuffed byte inside entropy-coded data, or junk libjpeg skips.
  return marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9);
}

// Follows libjpeg's marker reader: junk before a 0xFF and fill 0xFFs are
// skipped, segments are skipped by their length, and the first SOFn sizes the
// frame. It goes on past the first scan, through the entropy-coded data, to
// count the scans.
absl::StatusOr<ImageHeader> ReadJpeg(std::string_view bytes) {
  ImageHeader header;
  size_t pos = 2;
  while (true) {
    pos = bytes.find('\xFF', pos);
    while (pos < bytes.size() && ByteAt(bytes, pos) == 0xFF) ++pos;
    if (pos >= bytes.size()) break;
    const uint8_t marker = ByteAt(bytes, pos++);
    if (marker == 0xD9) break;
    if (IsJpegStandaloneMarker(marker)) continue;
    std::optional<uint64_t> length = Be(bytes, pos, 2);
    if (!length) break;
    if (IsJpegFrameHeader(marker) && header.width == 0) {
      std::optional<uint64_t> height = Be(bytes, pos + 3, 2), width = Be(bytes, pos + 5, 2);
      if (!width) return Malformed("jpeg", "truncated inside the frame header");
      // libjpeg rejects a zero width, and a zero height (set later by a DNL marker).
      if (*width == 0 || *height == 0) {
        return Malformed("jpeg", "frame header declares a zero size");
      }
      header.width = static_cast<int64_t>(*width);
      header.height = static_cast<int64_t>(*height);
    }
    if (marker == 0xDA) {
      if (header.width == 0) return Malformed("jpeg", "image data before the frame header");
      ++header.jpeg_scans;
    }
    // libjpeg skips an APPn or COM segment whose length is below 2 as if it
    // were 2 (and fails on any other).
    pos += std::max<uint64_t>(*length, 2);
  }
  if (header.width == 0) return Malformed("jpeg", "no frame header (SOFn) before the end");
  return header;
}

// The fields of a TIFF's first image file directory (IFD0) that size it.
struct TiffFields {
  uint64_t width = 0, height = 0;
  uint64_t tile_width = 0, tile_height = 0, rows_per_strip = 0;
  int orientation = 1;
};

// One value stored in an IFD entry's own value field, as libtiff reads the
// single-valued tags: any unsigned or signed integer type. Signed values are
// read as unsigned, so a negative one becomes huge and fails the limits.
std::optional<uint64_t> TiffEntryValue(std::string_view bytes, size_t entry, bool big_tiff,
                                       bool big_endian) {
  const size_t value_at = entry + (big_tiff ? 12 : 8);
  switch (*Load(bytes, entry + 2, 2, big_endian)) {
    case 1:
    case 6:
      return Load(bytes, value_at, 1, big_endian);  // BYTE, SBYTE
    case 3:
    case 8:
      return Load(bytes, value_at, 2, big_endian);  // SHORT, SSHORT
    case 4:
    case 9:
      return Load(bytes, value_at, 4, big_endian);  // LONG, SLONG
    case 16:
    case 17:
    case 18:  // LONG8, SLONG8, IFD8
      if (big_tiff) return Load(bytes, value_at, 8, big_endian);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Reads IFD0 of classic TIFF and BigTIFF. Where a tag repeats, the largest
// value wins, so libtiff cannot pick one larger than the one checked.
absl::StatusOr<TiffFields> ReadTiffIfd0(std::string_view bytes, std::string_view format) {
  const bool big_endian = bytes.starts_with("MM");
  if (!big_endian && !bytes.starts_with("II")) return Malformed(format, "bad TIFF byte order");
  std::optional<uint64_t> magic = Load(bytes, 2, 2, big_endian);
  const bool big_tiff = magic == 43;
  if (magic != 42 && !big_tiff) return Malformed(format, "bad TIFF magic number");
  std::optional<uint64_t> ifd =
      big_tiff ? Load(bytes, 8, 8, big_endian) : Load(bytes, 4, 4, big_endian);
  if (!ifd) return Malformed(format, "truncated TIFF header");
  const size_t count_size = big_tiff ? 8 : 2, entry_size = big_tiff ? 20 : 12;
  std::optional<uint64_t> count = Load(bytes, *ifd, count_size, big_endian);
  if (!count || *count > (bytes.size() - *ifd - count_size) / entry_size) {
    return Malformed(format, "IFD0 lies outside the file");
  }
  TiffFields fields;
  for (uint64_t i = 0; i < *count; ++i) {
    const size_t entry = *ifd + count_size + i * entry_size;
    std::optional<uint64_t> value = TiffEntryValue(bytes, entry, big_tiff, big_endian);
    if (!value) continue;
    switch (*Load(bytes, entry, 2, big_endian)) {
      case 256:
        fields.width = std::max(fields.width, *value);
        break;
      case 257:
        fields.height = std::max(fields.height, *value);
        break;
      case 274:
        if (*value >= 1 && *value <= 8) fields.orientation = static_cast<int>(*value);
        break;
      case 278:
        fields.rows_per_strip = std::max(fields.rows_per_strip, *value);
        break;
      case 322:
        fields.tile_width = std::max(fields.tile_width, *value);
        break;
      case 323:
        fields.tile_height = std::max(fields.tile_height, *value);
        break;
    }
  }
  return fields;
}

// Beyond the image, OpenCV 4.6 allocates a buffer for one tile, or for one
// strip of RowsPerStrip rows, which it does not clip to the image height.
absl::StatusOr<ImageHeader> ReadTiff(std::string_view bytes) {
  absl::StatusOr<TiffFields> fields = ReadTiffIfd0(bytes, "tiff");
  if (!fields.ok()) return fields.status();
  if (fields->width == 0 || fields->height == 0) {
    return Malformed("tiff", "IFD0 lacks a non-zero ImageWidth and ImageLength");
  }
  ImageHeader header{.width = static_cast<int64_t>(fields->width),
                     .height = static_cast<int64_t>(fields->height)};
  const bool tiled = fields->tile_width != 0 || fields->tile_height != 0;
  const uint64_t block_width =
      tiled && fields->tile_width != 0 ? fields->tile_width : fields->width;
  uint64_t block_height = tiled ? fields->tile_height : fields->rows_per_strip;
  if (block_height == 0 || (!tiled && block_height == 0xFFFFFFFF)) block_height = fields->height;
  header.block_width = static_cast<int64_t>(block_width);
  header.block_height = static_cast<int64_t>(block_height);
  return header;
}

// EXIF orientation from a WebP "EXIF" chunk, which some writers start with
// the "Exif\0\0" marker of a JPEG APP1 segment. 1 when absent or unreadable:
// the orientation only turns the picture, it never sizes an allocation.
int WebpOrientation(std::string_view bytes, size_t riff_end) {
  for (size_t pos = 12; Has(bytes, pos, 8) && pos < riff_end;) {
    const uint64_t size = *Le(bytes, pos + 4, 4);
    if (bytes.substr(pos, 4) == "EXIF") {
      std::string_view exif = bytes.substr(pos + 8, size);
      if (exif.starts_with(std::string_view("Exif\0\0", 6))) exif.remove_prefix(6);
      absl::StatusOr<TiffFields> fields = ReadTiffIfd0(exif, "webp");
      return fields.ok() ? fields->orientation : 1;
    }
    pos += 8 + size + (size & 1);
  }
  return 1;
}

// The first chunk is the bitstream (VP8 lossy, VP8L lossless) or the VP8X
// extended header, whose canvas libwebp requires the bitstream to match.
absl::StatusOr<ImageHeader> ReadWebp(std::string_view bytes) {
  std::optional<uint64_t> size = Le(bytes, 16, 4);
  if (!size) return Malformed("webp", "truncated before the first chunk");
  const size_t riff_end = std::min<uint64_t>(bytes.size(), 8 + *Le(bytes, 4, 4));
  const std::string_view fourcc = bytes.substr(12, 4);
  const std::string_view payload = bytes.substr(20, *size);
  ImageHeader header;
  if (fourcc == "VP8 ") {
    if (!Has(payload, 0, 10)) return Malformed("webp", "truncated VP8 frame header");
    if (payload.substr(3, 3) != "\x9D\x01\x2A") return Malformed("webp", "bad VP8 start code");
    header.width = static_cast<int64_t>(*Le(payload, 6, 2) & 0x3FFF);
    header.height = static_cast<int64_t>(*Le(payload, 8, 2) & 0x3FFF);
  } else if (fourcc == "VP8L") {
    if (!Has(payload, 0, 5)) return Malformed("webp", "truncated VP8L header");
    if (ByteAt(payload, 0) != 0x2F) return Malformed("webp", "bad VP8L signature");
    const uint64_t bits = *Le(payload, 1, 4);
    header.width = static_cast<int64_t>(bits & 0x3FFF) + 1;
    header.height = static_cast<int64_t>((bits >> 14) & 0x3FFF) + 1;
  } else if (fourcc == "VP8X") {
    if (!Has(payload, 0, 10)) return Malformed("webp", "truncated VP8X header");
    header.width = static_cast<int64_t>(*Le(payload, 4, 3)) + 1;
    header.height = static_cast<int64_t>(*Le(payload, 7, 3)) + 1;
    header.orientation = WebpOrientation(bytes, riff_end);
  } else {
    return Malformed("webp", "first chunk is not VP8, VP8L or VP8X");
  }
  if (header.width == 0 || header.height == 0) return Malformed("webp", "zero width or height");
  return header;
}

// OpenCV reads the BITMAPCOREHEADER (12 bytes, 16-bit sizes) and the later
// BITMAPINFOHEADER family (signed 32-bit sizes; a negative height means
// top-down rows).
absl::StatusOr<ImageHeader> ReadBmp(std::string_view bytes) {
  std::optional<uint64_t> info_size = Le(bytes, 14, 4);
  if (!info_size) return Malformed("bmp", "truncated before the info header");
  const bool core = *info_size == 12;
  std::optional<uint64_t> width = Le(bytes, 18, core ? 2 : 4);
  std::optional<uint64_t> height = Le(bytes, core ? 20 : 22, core ? 2 : 4);
  if (!height) return Malformed("bmp", "truncated inside the info header");
  auto magnitude = [core](uint64_t v) {
    return core ? static_cast<int64_t>(v)
                : std::abs(static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v))));
  };
  ImageHeader header{.width = magnitude(*width), .height = magnitude(*height)};
  if (header.width == 0 || header.height == 0) return Malformed("bmp", "zero width or height");
  return header;
}

}  // namespace

GifCanvas ComputeGifCanvas(int64_t screen_width, int64_t screen_height, int64_t frame_left,
                           int64_t frame_top, int64_t frame_width, int64_t frame_height) {
  if (frame_width > screen_width || frame_height > screen_height) {
    return GifCanvas{.width = frame_width, .height = frame_height};
  }
  return GifCanvas{.width = screen_width,
                   .height = screen_height,
                   .frame_left = frame_left,
                   .frame_top = frame_top};
}

absl::StatusOr<ImageHeader> ReadImageHeader(std::string_view format, std::string_view bytes) {
  if (format == "png") return ReadPng(bytes);
  if (format == "gif") return ReadGif(bytes);
  if (format == "jpeg") return ReadJpeg(bytes);
  if (format == "webp") return ReadWebp(bytes);
  if (format == "tiff") return ReadTiff(bytes);
  if (format == "bmp") return ReadBmp(bytes);
  return Malformed(format, "no header reader for this format");
}

}  // namespace scrapewatch::detectors
