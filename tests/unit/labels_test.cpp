#include "labels/label_sets.h"

#include <gtest/gtest.h>

#include <set>

#include "etvision/models.h"

namespace etvision::detail {
namespace {

TEST(Labels, ImageNetHasThousandDistinctReferenceNames) {
  const auto labels = imagenetLabels();
  ASSERT_EQ(labels->size(), 1000u);
  EXPECT_EQ(labels->front(), "tench, Tinca tinca");
  EXPECT_EQ(labels->at(134), "crane(bird)");
  EXPECT_EQ(labels->at(517), "crane(machine)");
  EXPECT_EQ(labels->at(967), "espresso");
  EXPECT_EQ(labels->back(), "toilet tissue, toilet paper, bathroom tissue");
  EXPECT_EQ(std::set<std::string>(labels->begin(), labels->end()).size(), 1000u);
}

TEST(Labels, VocMatchesDeeplabLabelOrder) {
  const auto labels = vocLabels();
  ASSERT_EQ(labels->size(), 21u);
  EXPECT_EQ(labels->at(0), "BACKGROUND");
  EXPECT_EQ(labels->at(1), "AEROPLANE");
  EXPECT_EQ(labels->at(15), "PERSON");
  EXPECT_EQ(labels->at(20), "TVMONITOR");
}

TEST(Models, BuiltInDescriptorsAreFoundByName) {
  ASSERT_NE(findModel("efficientnet_v2_s"), nullptr);
  EXPECT_EQ(findModel("efficientnet_v2_s")->modelSource,
            "https://huggingface.co/software-mansion/react-native-executorch-efficientnet-v2-s/"
            "resolve/v0.9.0/xnnpack/efficientnet_v2_s_xnnpack_fp32.pte");
  EXPECT_FALSE(findModel("efficientnet_v2_s")->normalization.has_value());
  ASSERT_NE(findModel("mobilenet_v2"), nullptr);
  EXPECT_TRUE(findModel("mobilenet_v2")->normalization.has_value());
  EXPECT_EQ(findModel("nope"), nullptr);
  std::set<std::string> names;
  for (const auto* model : classificationModels()) names.insert(model->name);
  EXPECT_EQ(names.size(), classificationModels().size());
}

}  // namespace
}  // namespace etvision::detail
