#include "sluice/core/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace sluice {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Error(ErrorKind::kInvalidArgument, "not positive", ErrorSource::kClient);
  return v;
}

TEST(ResultTest, CarriesValueOrError) {
  auto good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().source(), ErrorSource::kClient);
  EXPECT_FALSE(bad.error().retryable());
  EXPECT_EQ(bad.error().message(), "not positive");
}

TEST(ResultTest, MovesOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, VoidResult) {
  Result<void> ok = Ok();
  EXPECT_TRUE(ok.ok());
  Result<void> bad = Error(ErrorKind::kTimeout, "late", ErrorSource::kUpstream, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().retryable());
}

}  // namespace
}  // namespace sluice
