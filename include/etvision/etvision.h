// etvision: react-native-executorch's computer-vision modules for Linux, on
// the ExecuTorch runtime: classification and semantic segmentation. Include
// this for everything.
#pragma once

#include "etvision/batch.h"
#include "etvision/classification.h"
#include "etvision/error.h"
#include "etvision/fetch.h"
#include "etvision/image_source.h"
#include "etvision/model.h"
#include "etvision/models.h"
#include "etvision/overlay.h"
#include "etvision/runtime.h"
#include "etvision/segmentation.h"
#include "etvision/version.h"
