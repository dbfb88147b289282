#include "tinymlops/core/table.h"

#include <gtest/gtest.h>

namespace tinymlops {
namespace {

TEST(Table, TextPadsColumnsToTheWidestCellWithoutTrailingSpaces) {
  const Table table{{"stage", "state"}, {{"prepare", "up to date"}, {"train", ""}}};
  EXPECT_EQ(render_text(table), "stage    state\nprepare  up to date\ntrain\n");
}

TEST(Table, AnEmptyHeaderPrintsNoHeaderLine) {
  const Table table{{}, {{"a", "1"}, {"bbb", "22"}}};
  EXPECT_EQ(render_text(table), "a    1\nbbb  22\n");
  EXPECT_EQ(render_csv(table), "a,1\nbbb,22\n");
}

TEST(Table, CsvQuotesCellsWithCommasQuotesAndLineBreaks) {
  const Table table{{"id", "note"}, {{"x", "a, \"b\""}, {"y", "two\nlines"}}};
  EXPECT_EQ(render_csv(table), "id,note\nx,\"a, \"\"b\"\"\"\ny,\"two\nlines\"\n");
}

}  // namespace
}  // namespace tinymlops
