#include "detectors/gif_decode.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "detectors/image_header.h"

namespace scrapewatch::detectors {
namespace {

struct MemoryInput {
  std::string_view bytes;
  size_t pos = 0;
};

// giflib's InputFunc: copies up to `length` bytes; a short count is its EOF.
int ReadFromMemory(GifFileType* gif, GifByteType* buffer, int length) {
  auto* input = static_cast<MemoryInput*>(gif->UserData);
  const size_t n =
      std::min(static_cast<size_t>(std::max(length, 0)), input->bytes.size() - input->pos);
  std::memcpy(buffer, input->bytes.data() + input->pos, n);
  input->pos += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

absl::Status GifError(std::string_view step, int code) {
  const char* reason = GifErrorString(code);
  return absl::InvalidArgumentError(
      absl::StrCat("gif: ", std::string(step), ": ", reason ? reason : "unknown giflib error"));
}

// Reads records up to the first image descriptor, keeping the transparent
// colour index of the graphic control extension that precedes the frame.
absl::StatusOr<int> SkipToFirstImage(GifFileType* gif) {
  int transparent = NO_TRANSPARENT_COLOR;
  while (true) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return GifError("bad block", gif->Error);
    if (type == IMAGE_DESC_RECORD_TYPE) return transparent;
    if (type == TERMINATE_RECORD_TYPE) return absl::InvalidArgumentError("gif: no image");
    int code = 0;
    GifByteType* block = nullptr;
    if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) {
      return GifError("bad extension", gif->Error);
    }
    GraphicsControlBlock control;
    if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr &&
        DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) {
      transparent = control.TransparentColor;
    }
    while (block != nullptr) {
      if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) {
        return GifError("bad extension", gif->Error);
      }
    }
  }
}

cv::Vec3b ToBgr(const GifColorType& color) { return {color.Blue, color.Green, color.Red}; }

cv::Scalar Background(const GifFileType& gif) {
  const ColorMapObject* colors = gif.SColorMap;
  if (colors == nullptr || gif.SBackGroundColor >= colors->ColorCount) return cv::Scalar(0, 0, 0);
  const GifColorType& color = colors->Colors[gif.SBackGroundColor];
  return cv::Scalar(color.Blue, color.Green, color.Red);
}

// Reads the frame's rows in file order, one row buffer at a time, and draws
// each onto the canvas. Interlaced frames store rows in four passes.
absl::Status DrawFrame(GifFileType* gif, const GifCanvas& placement, int transparent,
                       const ColorMapObject& colors, cv::Mat& canvas) {
  struct Pass {
    int start, step;
  };
  static constexpr Pass kSequential[] = {{0, 1}};
  static constexpr Pass kInterlaced[] = {{0, 8}, {4, 8}, {2, 4}, {1, 2}};
  const GifImageDesc& frame = gif->Image;
  std::vector<GifPixelType> row(frame.Width);
  for (const Pass& pass :
       frame.Interlace ? std::span<const Pass>(kInterlaced) : std::span<const Pass>(kSequential)) {
    for (int y = pass.start; y < frame.Height; y += pass.step) {
      if (DGifGetLine(gif, row.data(), frame.Width) == GIF_ERROR) {
        return GifError("corrupt or truncated image data", gif->Error);
      }
      const int64_t canvas_y = placement.frame_top + y;
      if (canvas_y >= canvas.rows) continue;
      auto* out = canvas.ptr<cv::Vec3b>(static_cast<int>(canvas_y));
      const int64_t visible = std::min<int64_t>(frame.Width, canvas.cols - placement.frame_left);
      for (int64_t x = 0; x < visible; ++x) {
        const int index = row[x];
        // An index past the colour table has no colour: it shows the canvas.
        if (index == transparent || index >= colors.ColorCount) continue;
        out[placement.frame_left + x] = ToBgr(colors.Colors[index]);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeGifFirstFrame(std::string_view bytes, const DecodeLimits& limits) {
  MemoryInput input{.bytes = bytes};
  int error = 0;
  GifHandle gif(DGifOpen(&input, ReadFromMemory, &error));
  if (!gif) return GifError("bad screen descriptor", error);
  absl::StatusOr<int> transparent = SkipToFirstImage(gif.get());
  if (!transparent.ok()) return transparent.status();
  if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return GifError("bad image descriptor", gif->Error);

  const GifImageDesc& frame = gif->Image;
  if (frame.Width <= 0 || frame.Height <= 0) {
    return absl::InvalidArgumentError("gif: empty first frame");
  }
  const ColorMapObject* colors = frame.ColorMap != nullptr ? frame.ColorMap : gif->SColorMap;
  if (colors == nullptr) return absl::InvalidArgumentError("gif: first frame has no colour table");
  // The header reader checked this canvas already; giflib's parse is checked
  // again because it, not the header reader, drives the allocation.
  const GifCanvas placement =
      ComputeGifCanvas(gif->SWidth, gif->SHeight, frame.Left, frame.Top, frame.Width, frame.Height);
  if (absl::Status s = CheckImageSize(placement.width, placement.height, limits, "gif canvas");
      !s.ok()) {
    return s;
  }
  cv::Mat canvas(static_cast<int>(placement.height), static_cast<int>(placement.width), CV_8UC3,
                 Background(*gif));
  if (absl::Status s = DrawFrame(gif.get(), placement, *transparent, *colors, canvas); !s.ok()) {
    return s;
  }
  return canvas;
}

}  // namespace scrapewatch::detectors
