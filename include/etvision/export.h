// Symbol visibility for the shared library. Everything not marked
// ETVISION_API stays internal to libetvision.so.
#pragma once

#if defined(ETVISION_STATIC_DEFINE)
#define ETVISION_API
#elif defined(_WIN32)
#if defined(ETVISION_BUILDING_LIBRARY)
#define ETVISION_API __declspec(dllexport)
#else
#define ETVISION_API __declspec(dllimport)
#endif
#else
#define ETVISION_API __attribute__((visibility("default")))
#endif
