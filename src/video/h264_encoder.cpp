#include "video/h264_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "etvision/error.h"
#include "image/source_text.h"

namespace etvision::detail {
namespace {

// Speed against size: "veryfast" encodes 720p in a few milliseconds per
// frame on one core (bench/video/README.md); "ultrafast" is faster still
// but drops CABAC and makes files about twice as large at the same CRF.
constexpr const char* kPreset = "veryfast";
// x264's default quality target: visually transparent for most footage.
constexpr const char* kCrf = "23";

std::string avError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

}  // namespace

struct H264Encoder::State {
  std::string shown;
  int sourceWidth = 0;
  int width = 0;
  int height = 0;
  std::int64_t nextPts = 0;
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* convert = nullptr;

  ~State() {
    sws_freeContext(convert);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format != nullptr) {
      if (format->pb != nullptr) avio_closep(&format->pb);
      avformat_free_context(format);
    }
  }

  [[noreturn]] void fail(const std::string& what, int code) const {
    throw Error(ErrorCode::FileWriteFailed, "cannot write the video " + shown + ": " + what + " (" +
                                                avError(code) +
                                                "); check the folder is writable and has space");
  }

  // Sends `input` (nullptr flushes) and writes every packet it yields.
  void encode(const AVFrame* input) {
    int status = avcodec_send_frame(codec, input);
    if (status < 0) fail("the H.264 encoder refused a frame", status);
    while ((status = avcodec_receive_packet(codec, packet)) == 0) {
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      status = av_interleaved_write_frame(format, packet);
      if (status < 0) fail("writing a frame failed", status);
    }
    if (status != AVERROR(EAGAIN) && status != AVERROR_EOF) {
      fail("the H.264 encoder failed", status);
    }
  }
};

H264Encoder::H264Encoder(std::unique_ptr<State> state) : state_(std::move(state)) {}

H264Encoder::~H264Encoder() = default;

std::unique_ptr<H264Encoder> H264Encoder::open(const std::filesystem::path& path, int width,
                                               int height, double fps) {
  const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
  if (x264 == nullptr) return nullptr;
  auto state = std::make_unique<State>();
  // Appended rather than concatenated: GCC 12 warns (-Wrestrict, falsely)
  // about "'" + string + "'".
  state->shown.append("'").append(shortenForMessage(path.string())).append("'");
  state->sourceWidth = width;
  state->width = width - width % 2;
  state->height = height - height % 2;
  if (state->width <= 0 || state->height <= 0) return nullptr;

  if (avformat_alloc_output_context2(&state->format, nullptr, nullptr, path.c_str()) < 0 ||
      state->format == nullptr ||
      avformat_query_codec(state->format->oformat, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) != 1) {
    return nullptr;  // no muxer for this extension, or one without H.264 (.webm): the fallback
  }
  state->codec = avcodec_alloc_context3(x264);
  state->frame = av_frame_alloc();
  state->packet = av_packet_alloc();
  if (state->codec == nullptr || state->frame == nullptr || state->packet == nullptr) {
    throw Error(ErrorCode::MemoryAllocationFailed, "Out of memory opening the H.264 encoder.");
  }
  const AVRational rate = av_d2q(fps > 0 ? fps : 30.0, 1 << 16);
  AVCodecContext& codec = *state->codec;
  codec.width = state->width;
  codec.height = state->height;
  codec.pix_fmt = AV_PIX_FMT_YUV420P;  // what every player decodes
  codec.time_base = av_inv_q(rate);
  codec.framerate = rate;
  if ((state->format->oformat->flags & AVFMT_GLOBALHEADER) != 0) {
    codec.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  }
  av_opt_set(codec.priv_data, "preset", kPreset, 0);
  av_opt_set(codec.priv_data, "crf", kCrf, 0);
  if (const int status = avcodec_open2(&codec, x264, nullptr); status < 0) {
    state->fail("the H.264 encoder did not open", status);
  }

  state->stream = avformat_new_stream(state->format, nullptr);
  if (state->stream == nullptr) {
    throw Error(ErrorCode::MemoryAllocationFailed, "Out of memory opening the video muxer.");
  }
  state->stream->time_base = codec.time_base;
  state->stream->avg_frame_rate = rate;
  if (const int status = avcodec_parameters_from_context(state->stream->codecpar, &codec);
      status < 0) {
    state->fail("the muxer refused the H.264 stream", status);
  }
  if (const int status = avio_open(&state->format->pb, path.c_str(), AVIO_FLAG_WRITE); status < 0) {
    state->fail("the file cannot be created", status);
  }
  if (const int status = avformat_write_header(state->format, nullptr); status < 0) {
    state->fail("the container header cannot be written", status);
  }

  state->frame->format = AV_PIX_FMT_YUV420P;
  state->frame->width = state->width;
  state->frame->height = state->height;
  if (const int status = av_frame_get_buffer(state->frame, 0); status < 0) {
    state->fail("no memory for a frame", status);
  }
  // BT.601 limited range, as x264 and players assume for SD and HD alike
  // when nothing is signalled; bilinear is exact at 1:1 (only chroma is
  // subsampled).
  state->convert =
      sws_getContext(state->width, state->height, AV_PIX_FMT_RGB24, state->width, state->height,
                     AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (state->convert == nullptr) {
    throw Error(ErrorCode::MemoryAllocationFailed, "Out of memory opening the colour converter.");
  }
  return std::unique_ptr<H264Encoder>(new H264Encoder(std::move(state)));
}

void H264Encoder::write(const std::uint8_t* rgb) {
  State& s = *state_;
  if (const int status = av_frame_make_writable(s.frame); status < 0) {
    s.fail("no memory for a frame", status);
  }
  // Rows keep the source's full length; an odd last column or row is left out.
  const std::uint8_t* const planes[1] = {rgb};
  const int strides[1] = {s.sourceWidth * 3};
  sws_scale(s.convert, planes, strides, 0, s.height, s.frame->data, s.frame->linesize);
  s.frame->pts = s.nextPts++;
  s.encode(s.frame);
}

void H264Encoder::finish() {
  State& s = *state_;
  s.encode(nullptr);
  if (const int status = av_write_trailer(s.format); status < 0) {
    s.fail("the container could not be completed", status);
  }
  if (const int status = avio_closep(&s.format->pb); status < 0) {
    s.fail("closing the file failed", status);
  }
}

}  // namespace etvision::detail
