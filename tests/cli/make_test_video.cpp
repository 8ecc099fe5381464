// Writes a short test video from a photo, for the CLI's video tests (the
// suite generates its videos instead of committing them):
//   etvision_make_test_video OUT.mp4 WIDTH HEIGHT FRAMES FPS PHOTO [FOURCC]
// Each frame is a window panning across the enlarged photo, so frames differ
// and keep the photo's content (a person, for the selfie model). FOURCC
// defaults to MPEG-4 part 2 ('mp4v'), which every FFmpeg build encodes;
// bench/video/ asks for 'avc1' (H.264, as cameras and phones record).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc != 7 && !(argc == 8 && std::strlen(argv[7]) == 4)) {
    std::fprintf(stderr, "usage: %s OUT WIDTH HEIGHT FRAMES FPS PHOTO [FOURCC]\n", argv[0]);
    return 2;
  }
  const int width = std::atoi(argv[2]);
  const int height = std::atoi(argv[3]);
  const int frames = std::atoi(argv[4]);
  const double fps = std::atof(argv[5]);
  const cv::Mat photo = cv::imread(argv[6], cv::IMREAD_COLOR);
  if (photo.empty() || width <= 0 || height <= 0 || frames <= 0 || fps <= 0) {
    std::fprintf(stderr, "bad arguments or unreadable photo %s\n", argv[6]);
    return 2;
  }
  cv::Mat enlarged;
  cv::resize(photo, enlarged, cv::Size(width * 6 / 5, height * 6 / 5), 0, 0, cv::INTER_LINEAR);
  const char* fourcc = argc == 8 ? argv[7] : "mp4v";
  cv::VideoWriter writer(argv[1], cv::CAP_FFMPEG,
                         cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), fps,
                         cv::Size(width, height));
  if (!writer.isOpened()) {
    std::fprintf(stderr, "cannot write %s\n", argv[1]);
    return 1;
  }
  const int travel = enlarged.cols - width;
  for (int i = 0; i < frames; ++i) {
    const int x = frames > 1 ? travel * i / (frames - 1) : 0;
    writer.write(enlarged(cv::Rect(x, (enlarged.rows - height) / 2, width, height)));
  }
  writer.release();
  return 0;
}
