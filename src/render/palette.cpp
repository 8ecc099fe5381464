#include "render/palette.h"

#include <utility>

namespace etvision::detail {

namespace {

constexpr std::pair<std::string_view, Rgb> kVocColours[] = {
    {"AEROPLANE", {86, 180, 233}},  {"BICYCLE", {0, 158, 115}},      {"BIRD", {240, 228, 66}},
    {"BOAT", {0, 114, 178}},        {"BOTTLE", {204, 121, 167}},     {"BUS", {230, 159, 0}},
    {"CAR", {57, 106, 177}},        {"CAT", {0, 200, 200}},          {"CHAIR", {146, 94, 63}},
    {"COW", {148, 103, 189}},       {"DININGTABLE", {188, 189, 34}}, {"DOG", {255, 187, 120}},
    {"HORSE", {140, 86, 75}},       {"MOTORBIKE", {214, 39, 40}},    {"PERSON", {255, 64, 96}},
    {"POTTEDPLANT", {44, 160, 44}}, {"SHEEP", {220, 220, 220}},      {"SOFA", {127, 60, 141}},
    {"TRAIN", {255, 127, 14}},      {"TVMONITOR", {23, 190, 207}},
};

constexpr Rgb kFallback[] = {{255, 64, 96}, {0, 200, 200},  {240, 228, 66},  {0, 158, 115},
                             {230, 159, 0}, {86, 180, 233}, {204, 121, 167}, {148, 103, 189},
                             {44, 160, 44}, {214, 39, 40},  {23, 190, 207},  {255, 127, 14}};

}  // namespace

Rgb classColour(std::string_view label, int index) noexcept {
  for (const auto& [name, colour] : kVocColours) {
    if (name == label) return colour;
  }
  const int slots = static_cast<int>(std::size(kFallback));
  return kFallback[((index - 1) % slots + slots) % slots];
}

}  // namespace etvision::detail
