#include "tasks/model_metadata.h"

#include <gtest/gtest.h>

#include <string>

#include "etvision/error.h"
#include "labels/label_sets.h"

namespace etvision::detail {
namespace {

constexpr const char* kWhere = "Model 'm.pte'";

ModelMetadata parse(const std::string& json) {
  return parseModelMetadata(json, kWhere);
}

// The error a malformed text raises, or a test failure when it parses.
Error refusal(const std::string& json) {
  try {
    parse(json);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "parsed: " << json;
  return Error(ErrorCode::UnknownError, "");
}

TEST(ModelMetadata, ReadsWhatTheExportToolsWrite) {
  // python/etv_common.model_metadata("classification", "mobilenet_v2", True, "imagenet1k")
  const ModelMetadata m =
      parse(R"({"etvision_model_metadata":1,"task":"classification","name":"mobilenet_v2",)"
            R"("normalization":{"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]},)"
            R"("labels":"imagenet1k"})");
  EXPECT_EQ(m.task, Task::Classification);
  EXPECT_EQ(m.name, "mobilenet_v2");
  ASSERT_TRUE(m.normalization);
  EXPECT_EQ(m.normalization->mean, kImageNetNormalization.mean);
  EXPECT_EQ(m.normalization->stddev, kImageNetNormalization.stddev);
  // A named set is the library's own list, shared rather than copied.
  EXPECT_EQ(m.labels, imagenetLabels());
}

TEST(ModelMetadata, NullNormalizationAndAListOfLabels) {
  const ModelMetadata m =
      parse(R"({"etvision_model_metadata":1,"task":"segmentation","name":"selfie",)"
            R"("normalization":null,"labels":["BACKGROUND","PERSON"]})");
  EXPECT_EQ(m.task, Task::Segmentation);
  EXPECT_FALSE(m.normalization);
  ASSERT_TRUE(m.labels);
  EXPECT_EQ(*m.labels, (std::vector<std::string>{"BACKGROUND", "PERSON"}));
  EXPECT_EQ(parse(R"({"etvision_model_metadata":1,"task":"segmentation","normalization":null,)"
                  R"("labels":"voc21"})")
                .labels,
            vocLabels());
}

TEST(ModelMetadata, LabelsMayBeLeftToTheTask) {
  const ModelMetadata m =
      parse(R"({"etvision_model_metadata":1,"task":"classification","normalization":null})");
  EXPECT_FALSE(m.labels);
  EXPECT_EQ(m.name, "");
}

TEST(ModelMetadata, MalformedTextIsInvalidConfigNamingTheModelAndTheFault) {
  const struct {
    const char* json;
    const char* fault;
  } cases[] = {
      {"{not json", "not a JSON object"},
      {"[1, 2]", "not a JSON object"},
      {R"({"task":"classification","normalization":null})", "no etvision_model_metadata"},
      {R"({"etvision_model_metadata":1,"normalization":null})", "no task"},
      {R"({"etvision_model_metadata":1,"task":"detection","normalization":null})",
       "unknown task 'detection'"},
      {R"({"etvision_model_metadata":1,"task":"classification"})", "no normalization"},
      {R"({"etvision_model_metadata":1,"task":"classification","normalization":{"mean":[0,0],"std":[1,1,1]}})",
       "normalization.mean must be 3 numbers"},
      {R"({"etvision_model_metadata":1,"task":"classification","normalization":{"mean":[0,0,0],"std":[1,0,1]}})",
       "normalization.std must be 3 finite numbers above 0"},
      {R"({"etvision_model_metadata":1,"task":"classification","normalization":null,"labels":"coco"})",
       "unknown label set 'coco'"},
      {R"({"etvision_model_metadata":1,"task":"classification","normalization":null,"labels":[1]})",
       "labels must be a set name or a list of strings"},
      {R"({"etvision_model_metadata":1,"task":"classification","name":3,"normalization":null})",
       "name must be a string"},
  };
  for (const auto& c : cases) {
    const Error error = refusal(c.json);
    EXPECT_EQ(error.code(), ErrorCode::InvalidConfig) << c.json;
    const std::string message = error.what();
    EXPECT_NE(message.find(kWhere), std::string::npos) << message;
    EXPECT_NE(message.find(c.fault), std::string::npos) << c.json << " -> " << message;
  }
}

TEST(ModelMetadata, AFutureVersionSaysWhichEtvisionReadsIt) {
  const Error error =
      refusal(R"({"etvision_model_metadata":2,"task":"classification","normalization":null})");
  EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
  EXPECT_NE(std::string(error.what()).find("version 2; this etvision reads version 1"),
            std::string::npos)
      << error.what();
}

}  // namespace
}  // namespace etvision::detail
