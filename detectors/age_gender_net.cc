#include "detectors/age_gender_net.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace scrapewatch::detectors {
namespace {

// tfjs writes float32 weights little-endian; they are copied as they are.
static_assert(std::endian::native == std::endian::little);

// A weight in TF's layouts: filters H x W x in x out, depthwise filters
// H x W x channels x 1, dense weights in x out.
struct Tensor {
  std::vector<int> shape;
  std::vector<float> values;
};
using WeightMap = std::map<std::string, Tensor>;

// tfjs's format: the manifest lists the tensors in file order; a quantized
// one takes a byte per value (min + scale * byte), the others four.
absl::StatusOr<WeightMap> DecodeWeights(const std::string& path, const std::string& manifest_json,
                                        const std::string& bytes) {
  auto invalid = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("age model manifest '", path, "': ", why));
  };
  nlohmann::json manifest = nlohmann::json::parse(manifest_json, nullptr, false);
  if (!manifest.is_array() || manifest.size() != 1) return invalid("expected one weights group");
  WeightMap weights;
  size_t offset = 0;
  try {
    for (const nlohmann::json& entry : manifest[0].at("weights")) {
      std::string name = entry.at("name").get<std::string>();
      Tensor tensor{.shape = entry.at("shape").get<std::vector<int>>()};
      size_t count = 1;
      for (int dim : tensor.shape) {
        if (dim <= 0 || count > bytes.size() / dim) {
          return invalid(absl::StrCat(name, ": shape does not fit the weights"));
        }
        count *= dim;
      }
      bool quantized = entry.contains("quantization");
      if (entry.at("dtype") != "float32" ||
          (quantized && entry["quantization"].at("dtype") != "uint8")) {
        return invalid(absl::StrCat(name, ": only float32 and uint8-quantized weights are read"));
      }
      size_t size = count * (quantized ? 1 : sizeof(float));
      if (size > bytes.size() - offset) {
        return invalid(absl::StrCat(name, ": past the weights' end"));
      }
      tensor.values.resize(count);
      if (quantized) {
        double scale = entry["quantization"].at("scale").get<double>();
        double min = entry["quantization"].at("min").get<double>();
        for (size_t i = 0; i < count; ++i) {
          auto quantum = static_cast<uint8_t>(bytes[offset + i]);
          tensor.values[i] = static_cast<float>(quantum * scale + min);
        }
      } else {
        std::memcpy(tensor.values.data(), bytes.data() + offset, size);
      }
      offset += size;
      weights.emplace(std::move(name), std::move(tensor));
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid(e.what());
  }
  if (offset != bytes.size()) {
    return invalid(
        absl::StrCat("describes ", offset, " bytes of weights, the file has ", bytes.size()));
  }
  return weights;
}

// Builds the network a layer at a time. Each method takes the id of the
// layer feeding it (0 is the network's input) and returns the new layer's id;
// the first missing or misshapen weight is kept in status() and later calls
// add nothing, so the architecture reads as straight-line code.
class Builder {
 public:
  Builder(const std::string& path, const WeightMap& weights) : path_(path), weights_(weights) {}

  // TF conv2d with SAME padding (OpenCV pads the same way: the odd pixel
  // after), plus bias.
  int Conv(const std::string& prefix, int input, int stride) {
    const Tensor* filters = Find(prefix + "/filters", 4);
    const Tensor* bias = Find(prefix + "/bias", 1);
    if (filters == nullptr || bias == nullptr) return 0;
    cv::dnn::LayerParams params = ConvParams(filters->shape[0], filters->shape[3], stride, 1, true);
    params.blobs = {Oihw(*filters), Row(*bias)};
    return Add(prefix, "Convolution", params, {input});
  }

  // TF separableConv2d (depthwise 3x3 SAME, then pointwise 1x1), plus bias.
  int Separable(const std::string& prefix, int input) {
    const Tensor* depthwise = Find(prefix + "/depthwise_filter", 4);
    const Tensor* pointwise = Find(prefix + "/pointwise_filter", 4);
    const Tensor* bias = Find(prefix + "/bias", 1);
    if (depthwise == nullptr || pointwise == nullptr || bias == nullptr) return 0;
    if (depthwise->shape[3] != 1) return Fail(prefix + ": depth multiplier is not 1");
    int channels = depthwise->shape[2];
    cv::dnn::LayerParams dw = ConvParams(depthwise->shape[0], channels, 1, channels, false);
    // H x W x C x 1 is, element for element, the layout of a filter with C
    // outputs of one input channel each.
    Tensor as_filters{{depthwise->shape[0], depthwise->shape[1], 1, channels}, depthwise->values};
    dw.blobs = {Oihw(as_filters)};
    int id = Add(prefix + "/depthwise", "Convolution", dw, {input});
    cv::dnn::LayerParams pw = ConvParams(1, pointwise->shape[3], 1, 1, true);
    pw.blobs = {Oihw(*pointwise), Row(*bias)};
    return Add(prefix + "/pointwise", "Convolution", pw, {id});
  }

  int Relu(int input) {
    cv::dnn::LayerParams params;
    return Add(absl::StrCat("relu_", ++unnamed_), "ReLU", params, {input});
  }

  // TF maxPool 3x3, stride 2, SAME: padding never wins a max.
  int MaxPool(int input) {
    cv::dnn::LayerParams params;
    params.set("pool", "max");
    params.set("kernel_size", 3);
    params.set("stride", 2);
    params.set("pad_mode", "SAME");
    return Add(absl::StrCat("max_pool_", ++unnamed_), "Pooling", params, {input});
  }

  int Sum(int a, int b) {
    cv::dnn::LayerParams params;
    params.set("operation", "sum");
    return Add(absl::StrCat("sum_", ++unnamed_), "Eltwise", params, {a, b});
  }

  // face-api's avgPool 7x7 stride 2 VALID, on a 7x7 map: the global mean.
  int GlobalAverage(int input) {
    cv::dnn::LayerParams params;
    params.set("pool", "ave");
    params.set("global_pooling", true);
    return Add("global_average", "Pooling", params, {input});
  }

  int Dense(const std::string& prefix, int input) {
    const Tensor* weights = Find(prefix + "/weights", 2);
    const Tensor* bias = Find(prefix + "/bias", 1);
    if (weights == nullptr || bias == nullptr) return 0;
    int in = weights->shape[0], out = weights->shape[1];
    cv::Mat transposed(out, in, CV_32F);
    for (int i = 0; i < in; ++i) {
      for (int o = 0; o < out; ++o) transposed.at<float>(o, i) = weights->values[i * out + o];
    }
    cv::dnn::LayerParams params;
    params.set("num_output", out);
    params.set("bias_term", true);
    params.blobs = {transposed, Row(*bias)};
    return Add(prefix, "InnerProduct", params, {input});
  }

  // OK once every weight in the manifest went into a layer.
  absl::Status status() const {
    if (status_.ok() && used_ != weights_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "age model manifest '", path_, "' has ", weights_.size() - used_, " unused weights"));
    }
    return status_;
  }

  cv::dnn::Net Take() { return std::move(net_); }

 private:
  const Tensor* Find(const std::string& name, size_t rank) {
    if (!status_.ok()) return nullptr;
    auto it = weights_.find(name);
    if (it == weights_.end() || it->second.shape.size() != rank) {
      Fail(absl::StrCat(name, it == weights_.end() ? " is missing" : " has the wrong rank"));
      return nullptr;
    }
    ++used_;
    return &it->second;
  }

  int Fail(const std::string& why) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat("age model manifest '", path_, "': ", why));
    }
    return 0;
  }

  static cv::dnn::LayerParams ConvParams(int kernel, int outputs, int stride, int group,
                                         bool bias) {
    cv::dnn::LayerParams params;
    params.set("kernel_size", kernel);
    params.set("stride", stride);
    params.set("pad_mode", "SAME");
    params.set("num_output", outputs);
    params.set("group", group);
    params.set("bias_term", bias);
    return params;
  }

  // H x W x in x out (TF) to out x in x H x W (OpenCV).
  static cv::Mat Oihw(const Tensor& t) {
    const int h = t.shape[0], w = t.shape[1], in = t.shape[2], out = t.shape[3];
    const int sizes[] = {out, in, h, w};
    cv::Mat blob(4, sizes, CV_32F);
    float* dst = blob.ptr<float>();
    for (int o = 0; o < out; ++o) {
      for (int i = 0; i < in; ++i) {
        for (int y = 0; y < h; ++y) {
          for (int x = 0; x < w; ++x) *dst++ = t.values[((y * w + x) * in + i) * out + o];
        }
      }
    }
    return blob;
  }

  static cv::Mat Row(const Tensor& t) { return cv::Mat(t.values, true).reshape(1, 1); }

  int Add(const std::string& name, const std::string& type, cv::dnn::LayerParams& params,
          std::initializer_list<int> inputs) {
    if (!status_.ok()) return 0;
    params.name = name;
    params.type = type;
    int id = net_.addLayer(name, type, params);
    int port = 0;
    for (int input : inputs) net_.connect(input, 0, id, port++);
    return id;
  }

  std::string path_;
  const WeightMap& weights_;
  cv::dnn::Net net_;
  absl::Status status_;
  size_t used_ = 0;
  int unnamed_ = 0;
};

// face-api's TinyXception blocks (src/xception/TinyXception.ts). The
// expansion conv reads the block's input before the ReLU.
int ReductionBlock(Builder& b, const std::string& prefix, int x, bool activate_input) {
  int out = activate_input ? b.Relu(x) : x;
  out = b.Separable(prefix + "/separable_conv0", out);
  out = b.Separable(prefix + "/separable_conv1", b.Relu(out));
  out = b.MaxPool(out);
  return b.Sum(out, b.Conv(prefix + "/expansion_conv", x, 2));
}

int MainBlock(Builder& b, const std::string& prefix, int x) {
  int out = b.Separable(prefix + "/separable_conv0", b.Relu(x));
  out = b.Separable(prefix + "/separable_conv1", b.Relu(out));
  out = b.Separable(prefix + "/separable_conv2", b.Relu(out));
  return b.Sum(out, x);
}

}  // namespace

absl::StatusOr<cv::dnn::Net> BuildAgeGenderNet(const std::string& manifest_path,
                                               const std::string& manifest_json,
                                               const std::string& weights) {
  absl::StatusOr<WeightMap> map = DecodeWeights(manifest_path, manifest_json, weights);
  if (!map.ok()) return map.status();
  Builder b(manifest_path, *map);
  // AgeGenderNet = TinyXception with two main blocks, then two dense heads.
  int x = b.Relu(b.Conv("entry_flow/conv_in", 0, 2));
  x = ReductionBlock(b, "entry_flow/reduction_block_0", x, false);
  x = ReductionBlock(b, "entry_flow/reduction_block_1", x, true);
  x = MainBlock(b, "middle_flow/main_block_0", x);
  x = MainBlock(b, "middle_flow/main_block_1", x);
  x = ReductionBlock(b, "exit_flow/reduction_block", x, true);
  x = b.GlobalAverage(b.Relu(b.Separable("exit_flow/separable_conv", x)));
  b.Dense(kAgeOutput, x);
  b.Dense(kGenderOutput, x);
  if (!b.status().ok()) return b.status();
  cv::dnn::Net net = b.Take();
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  // One pass now, so shape errors surface at load time rather than per face.
  try {
    const int sizes[] = {1, 3, kAgeGenderInputSize, kAgeGenderInputSize};
    net.setInput(cv::Mat(4, sizes, CV_32F, cv::Scalar(0)));
    std::vector<cv::Mat> outputs;
    net.forward(outputs, std::vector<cv::String>{kAgeOutput, kGenderOutput});
    if (outputs.size() != 2 || outputs[0].total() != 1 || outputs[1].total() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("age model manifest '", manifest_path, "': unexpected output shapes"));
    }
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("OpenCV rejected the age model '", manifest_path, "': ", e.what()));
  }
  return net;
}

}  // namespace scrapewatch::detectors
