// FrameChannel (src/video/frame_channel.h): the two policies, and that either
// side can end the exchange without leaving the other blocked.
#include "video/frame_channel.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace etvision::detail {
namespace {

TEST(FrameChannel, BlockingDeliversEveryItemInOrderThenTheProducersError) {
  FrameChannel<int> channel(2, ChannelPolicy::Blocking);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(channel.push(i));
    channel.close(std::make_exception_ptr(std::runtime_error("ended")));
  });
  for (int i = 0; i < 100; ++i) {
    const std::optional<int> item = channel.pop();
    ASSERT_TRUE(item);
    EXPECT_EQ(*item, i);
  }
  EXPECT_FALSE(channel.pop());
  producer.join();
  ASSERT_TRUE(channel.error());
  EXPECT_THROW(std::rethrow_exception(channel.error()), std::runtime_error);
  EXPECT_EQ(channel.dropped(), 0);
}

TEST(FrameChannel, LatestWinsKeepsTheNewestAndCountsTheReplaced) {
  FrameChannel<int> channel(2, ChannelPolicy::LatestWins);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(channel.push(i));  // never waits
  EXPECT_EQ(channel.dropped(), 4);
  EXPECT_EQ(channel.pop(), 4);
  EXPECT_TRUE(channel.push(5));
  channel.close();
  EXPECT_EQ(channel.pop(), 5);  // a pending item survives close()
  EXPECT_FALSE(channel.pop());
  EXPECT_FALSE(channel.error());
}

TEST(FrameChannel, CancelReleasesABlockedProducer) {
  FrameChannel<int> channel(1, ChannelPolicy::Blocking);
  ASSERT_TRUE(channel.push(0));
  bool pushed = true;
  std::thread producer([&] { pushed = channel.push(1); });  // full: waits
  channel.cancel();
  producer.join();
  EXPECT_FALSE(pushed);
  EXPECT_FALSE(channel.pop());
  EXPECT_FALSE(channel.push(2));
}

TEST(FrameChannel, CancelReleasesABlockedConsumer) {
  FrameChannel<int> channel(1, ChannelPolicy::Blocking);
  std::optional<int> item = 7;
  std::thread consumer([&] { item = channel.pop(); });  // empty: waits
  channel.cancel();
  consumer.join();
  EXPECT_FALSE(item);
}

}  // namespace
}  // namespace etvision::detail
