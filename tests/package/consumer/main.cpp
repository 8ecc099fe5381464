// Classifies one image with the bundled MobileNetV2 through an installed
// etvision and prints the top label.
#include <etvision/etvision.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer IMAGE\n";
    return 2;
  }
  try {
    // Where the bundled model was found: the install prefix's share/ directory.
    std::cout << etvision::fetchResource({etvision::MOBILENET_V2.modelSource}).string() << "\n";
    etvision::ClassificationModule classifier;
    classifier.load(etvision::MOBILENET_V2);
    const auto result = classifier.classify(argv[1], {.maxResults = 1});
    std::cout << result.categories.at(0).label << " " << result.categories.at(0).probability
              << "\n";
  } catch (const etvision::Error& e) {
    std::cerr << "error " << static_cast<int>(e.code()) << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
