// Black-box tests of include/tinymlops/data/csv.h.
#include "tinymlops/data/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "error_expect.h"
#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using Strings = std::vector<std::string>;
using Lines = std::vector<int64_t>;
using testing::catch_error;
using testing::location_is_or_has_column;

// Parses `text` as "bad.csv", expects Error(kParse) and returns it.
std::optional<Error> parse_error(const std::string& text) {
  auto e = catch_error([&] { parse_csv(text, "bad.csv"); });
  if (e) {
    EXPECT_EQ(e->kind(), ErrorKind::kParse) << e->what();
    EXPECT_CONTAINS(e->what(), "bad.csv");
  }
  return e;
}

// ---------------------------------------------------------------------------
// Well-formed input

TEST(ParseCsv, HeaderRowsAndLineNumbers) {
  CsvTable t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "good.csv");
  EXPECT_EQ(t.source, "good.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b", "c"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(t.line_numbers, (Lines{2, 3}));
}

TEST(ParseCsv, NoTrailingNewline) {
  CsvTable t = parse_csv("a,b\n1,2\n3,4", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.line_numbers, (Lines{2, 3}));
}

TEST(ParseCsv, HeaderOnlyHasNoRows) {
  CsvTable t = parse_csv("a,b\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b"}));
  EXPECT_TRUE(t.rows.empty());
  EXPECT_TRUE(t.line_numbers.empty());
}

TEST(ParseCsv, SingleColumn) {
  CsvTable t = parse_csv("x\n1\n2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"x"}));
  EXPECT_EQ(t.rows, (Rows{{"1"}, {"2"}}));
}

TEST(ParseCsv, EmptyUnquotedFieldsAreKept) {
  CsvTable t = parse_csv("a,b,c\n,2,\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"", "2", ""}}));
}

TEST(ParseCsv, QuotedFieldHoldsCommas) {
  CsvTable t = parse_csv("name,n\n\"Smith, John\",1\n\"a,b,c\",2\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"Smith, John", "1"}, {"a,b,c", "2"}}));
}

TEST(ParseCsv, DoubledQuoteInsideQuotesIsOneQuote) {
  CsvTable t = parse_csv("q,n\n\"say \"\"hi\"\"\",1\n\"\"\"\",2\n\"\",3\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"say \"hi\"", "1"}, {"\"", "2"}, {"", "3"}}));
}

TEST(ParseCsv, QuotedHeaderNames) {
  CsvTable t = parse_csv("\"a,1\",\"b\"\"\"\n1,2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a,1", "b\""}));
}

TEST(ParseCsv, TrimsSpacesAroundFields) {
  CsvTable t = parse_csv("  a ,b  ,   c\n 1 ,  2,3   \n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b", "c"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2", "3"}}));
}

TEST(ParseCsv, TrimsSpacesAroundQuotedFields) {
  CsvTable t = parse_csv("a,b\n  \"x, y\"  ,1\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"x, y", "1"}}));
}

TEST(ParseCsv, SpacesInsideQuotesAreKept) {
  CsvTable t = parse_csv("a,b\n\"  x  \",1\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"  x  ", "1"}}));
}

TEST(ParseCsv, BlankLinesAreSkippedAndLineNumbersCountThem) {
  CsvTable t = parse_csv("a,b\n\n1,2\n\n\n3,4\n\n5,6\n\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"3", "4"}, {"5", "6"}}));
  EXPECT_EQ(t.line_numbers, (Lines{3, 6, 8}));
}

TEST(ParseCsv, BlankLinesBeforeHeaderAreSkipped) {
  CsvTable t = parse_csv("\n\na,b\n1,2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}}));
  EXPECT_EQ(t.line_numbers, (Lines{4}));
}

TEST(ParseCsv, ByteOrderMarkIsIgnored) {
  CsvTable t = parse_csv("\xEF\xBB\xBF" "a,b\n1,2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}}));
  EXPECT_EQ(t.line_numbers, (Lines{2}));
}

TEST(ParseCsv, CrLfLineEndings) {
  CsvTable t = parse_csv("a,b\r\n1,2\r\n\r\n3,4\r\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"a", "b"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.line_numbers, (Lines{2, 4}));
}

TEST(ParseCsv, CrLfWithQuotedLastFieldAndNoTrailingNewline) {
  CsvTable t = parse_csv("a,b\r\n1,\"x\"\r\n2,\"y\"", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"1", "x"}, {"2", "y"}}));
}

TEST(ParseCsv, BomAndCrLfTogether) {
  CsvTable t = parse_csv("\xEF\xBB\xBF" "x,y\r\n1,2\r\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"x", "y"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}}));
}

TEST(ParseCsv, ValidUtf8IsAccepted) {
  CsvTable t = parse_csv("name,température\nüber,1\n日本,2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"name", "température"}));
  EXPECT_EQ(t.rows, (Rows{{"über", "1"}, {"日本", "2"}}));
}

TEST(ParseCsv, HeaderNamesAreCaseSensitive) {
  CsvTable t = parse_csv("A,a\n1,2\n", "f.csv");
  EXPECT_EQ(t.header, (Strings{"A", "a"}));
}

TEST(ParseCsv, WhitespaceOnlyLineBetweenRowsIsBlank) {
  CsvTable t = parse_csv("a,b\n1,2\n   \n3,4\n", "f.csv");
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.line_numbers, (Lines{2, 4}));
}

// ---------------------------------------------------------------------------
// Malformed input: every error names the file, and the line / column.

TEST(ParseCsvError, EmptyFile) {
  auto e = parse_error("");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
}

TEST(ParseCsvError, OnlyBlankLinesIsEmpty) {
  auto e = parse_error("\n\r\n\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
}

TEST(ParseCsvError, OnlyByteOrderMarkIsEmpty) {
  auto e = parse_error("\xEF\xBB\xBF");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
}

TEST(ParseCsvError, HeaderWithNoFields) {
  // A header line holding nothing but spaces has no (non-empty) fields; whether it
  // is reported as "no fields", "empty header name" or "empty file", it is an error.
  auto e = parse_error("   \n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
}

TEST(ParseCsvError, NulByteIsNotText) {
  auto e = parse_error(std::string("a,b\n1,2\n3,\0\n", 12));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
}

TEST(ParseCsvError, NulByteInHeaderIsNotText) {
  auto e = parse_error(std::string("a\0,b\n1,2\n", 9));
  ASSERT_TRUE(e);
}

TEST(ParseCsvError, InvalidUtf8IsNotText) {
  for (std::string bad : {std::string("\xFF\xFE"), std::string("\xC3"),      // lone lead byte
                          std::string("\x80"),                                // lone continuation
                          std::string("\xC0\xAF"),                            // overlong '/'
                          std::string("\xE2\x82"),                            // truncated 3-byte
                          std::string("\xED\xA0\x80")}) {                     // UTF-16 surrogate
    SCOPED_TRACE(::testing::PrintToString(bad));
    auto e = parse_error("a,b\n1,2\n3,x" + bad + "y\n");
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->location().rfind("bad.csv", 0) == 0) << e->location();
  }
}

TEST(ParseCsvError, DuplicateHeaderName) {
  auto e = parse_error("a,b,a\n1,2,3\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:1");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
  EXPECT_TRUE(e->location() == "bad.csv:1" || e->location() == "bad.csv:1:3") << e->location();
  EXPECT_CONTAINS(e->message(), "a");
}

TEST(ParseCsvError, DuplicateHeaderNameAfterTrimming) {
  auto e = parse_error("x, x\n1,2\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
}

TEST(ParseCsvError, DuplicateHeaderNameOnLaterLine) {
  // Blank lines before the header: the header is on line 3.
  auto e = parse_error("\n\nq,q\n1,2\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:3")) << e->location();
}

TEST(ParseCsvError, EmptyHeaderName) {
  auto e = parse_error("a,,c\n1,2,3\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:1");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
  EXPECT_TRUE(e->location() == "bad.csv:1" || e->location() == "bad.csv:1:2") << e->location();
}

TEST(ParseCsvError, EmptyHeaderNameAtEnd) {
  auto e = parse_error("a,b,\n1,2,3\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
  EXPECT_TRUE(e->location() == "bad.csv:1" || e->location() == "bad.csv:1:3") << e->location();
}

TEST(ParseCsvError, BlankHeaderNameAfterTrimming) {
  auto e = parse_error("a,   ,c\n1,2,3\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
}

TEST(ParseCsvError, QuotedEmptyHeaderName) {
  auto e = parse_error("a,\"\"\n1,2\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:1")) << e->location();
}

TEST(ParseCsvError, RaggedRowWithMoreFields) {
  auto e = parse_error("a,b\n1,2\n3,4,5\n6,7\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:3")) << e->location();
}

TEST(ParseCsvError, RaggedRowWithFewerFields) {
  auto e = parse_error("a,b,c\n1,2,3\n4,5,6\n7,8\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:4");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:4")) << e->location();
}

TEST(ParseCsvError, RaggedRowLineCountsBlankLines) {
  auto e = parse_error("a,b\n\n1,2\n\n\n3\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:6");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:6")) << e->location();
}

TEST(ParseCsvError, RaggedRowLineCountsCrLfAndBom) {
  auto e = parse_error("\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n3,4,5\r\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:4")) << e->location();
}

TEST(ParseCsvError, CommaInsideQuotesDoesNotMakeARaggedRow) {
  // Sanity counterpart of the ragged tests: 2 fields, not 3.
  EXPECT_NO_THROW(parse_csv("a,b\n\"1,5\",2\n", "ok.csv"));
}

TEST(ParseCsvError, UnterminatedQuoteOnLastLine) {
  auto e = parse_error("a,b\n1,2\n3,\"abc");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:3");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:3")) << e->location();
  EXPECT_TRUE(e->location() == "bad.csv:3" || e->location() == "bad.csv:3:2") << e->location();
}

TEST(ParseCsvError, UnterminatedQuoteInHeader) {
  auto e = parse_error("\"a,b\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:1");
}

TEST(ParseCsvError, UnterminatedQuoteWithTrailingNewlineNamesItsLine) {
  // The quote opens on line 2; whatever the parser does with the rest of the
  // file, the error must point at line 2 (where the quote starts).
  auto e = parse_error("a,b\n\"x,1\n");
  ASSERT_TRUE(e);
  EXPECT_CONTAINS(e->what(), "bad.csv:2");
  EXPECT_TRUE(location_is_or_has_column(e->location(), "bad.csv:2")) << e->location();
}

// ---------------------------------------------------------------------------
// read_csv

TEST(ReadCsv, ReadsFileAndNamesItAsSource) {
  testing::TempDir dir;
  auto path = dir.write("data.csv", "x,y\n\n1,2\n3,4\n");
  CsvTable t = read_csv(path);
  EXPECT_CONTAINS(t.source, "data.csv");
  EXPECT_EQ(t.header, (Strings{"x", "y"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.line_numbers, (Lines{3, 4}));
}

TEST(ReadCsv, ErrorsNameTheFileLineAndColumn) {
  testing::TempDir dir;
  auto path = dir.write("bad.csv", "a,b\n1,2\n3,4,5\n");
  auto e = catch_error([&] { read_csv(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kParse);
  EXPECT_CONTAINS(e->what(), "bad.csv:3");
}

TEST(ReadCsv, EmptyFileIsParseError) {
  testing::TempDir dir;
  auto path = dir.write("bad.csv", "");
  auto e = catch_error([&] { read_csv(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kParse);
  EXPECT_CONTAINS(e->what(), "bad.csv");
}

TEST(ReadCsv, BinaryFileIsParseError) {
  testing::TempDir dir;
  auto path = dir.write("bad.csv", std::string("a,b\n\x01\x00\x02\xFF,1\n", 10));
  auto e = catch_error([&] { read_csv(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kParse);
  EXPECT_CONTAINS(e->what(), "bad.csv");
}

TEST(ReadCsv, MissingFileIsIoError) {
  testing::TempDir dir;
  auto path = dir.path() / "missing.csv";
  auto e = catch_error([&] { read_csv(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kIo);
  EXPECT_CONTAINS(e->what(), "missing.csv");
}

TEST(ReadCsv, DirectoryIsIoError) {
  testing::TempDir dir;
  auto path = dir.path() / "adir.csv";
  std::filesystem::create_directory(path);
  auto e = catch_error([&] { read_csv(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::kIo);
  EXPECT_CONTAINS(e->what(), "adir.csv");
}

// ---------------------------------------------------------------------------
// parse_number

TEST(ParseNumber, AcceptsNumbers) {
  double v = 0;
  EXPECT_TRUE(parse_number("1", &v));
  EXPECT_EQ(v, 1.0);
  EXPECT_TRUE(parse_number("-2.5e3", &v));
  EXPECT_EQ(v, -2500.0);
  EXPECT_TRUE(parse_number(" 4 ", &v));
  EXPECT_EQ(v, 4.0);
  EXPECT_TRUE(parse_number("0.125", &v));
  EXPECT_EQ(v, 0.125);
  EXPECT_TRUE(parse_number("-0", &v));
  EXPECT_EQ(v, 0.0);
  EXPECT_TRUE(parse_number("1E-2", &v));
  EXPECT_DOUBLE_EQ(v, 0.01);
  EXPECT_TRUE(parse_number(".5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(parse_number("12345678901", &v));
  EXPECT_EQ(v, 12345678901.0);
}

TEST(ParseNumber, RejectsNonNumbers) {
  for (const char* cell : {"", "   ", "abc", "1.5x", "x1", "1 2", "1,5", "--1", "e5", "-"}) {
    SCOPED_TRACE(cell);
    double v = 42;
    EXPECT_FALSE(parse_number(cell, &v));
  }
}

TEST(ParseNumber, RejectsNanAndInf) {
  for (const char* cell : {"nan", "NaN", "NAN", "-nan", "inf", "-inf", "+inf", "Inf", "INF",
                           "infinity", "-Infinity"}) {
    SCOPED_TRACE(cell);
    double v = 42;
    EXPECT_FALSE(parse_number(cell, &v));
  }
}

TEST(ParseNumber, RejectsNumbersTooLargeForADouble) {
  double v = 42;
  EXPECT_FALSE(parse_number("1e999", &v));
  EXPECT_FALSE(parse_number("-1e999", &v));
}

}  // namespace
}  // namespace tinymlops
