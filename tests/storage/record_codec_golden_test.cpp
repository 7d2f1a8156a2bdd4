// The bytes each record encoding writes, pinned: a store written by an
// earlier build must still decode, explain and replay the same, so an
// encoder may change only by adding a version or an append-only trailer.
// The pins were taken from the codec before its field lists were shared
// between encoder and decoder. When a pin fails, the encoding changed:
// do not re-pin, add a version (record_codec.hpp) instead.
#include "sample_records.hpp"

#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/storage/learned_sample.hpp"
#include "switchyard/storage/record_codec.hpp"
#include "switchyard/storage/spend_rollup.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

using namespace switchyard;
using namespace switchyard::storage;
using switchyard::test::full_decision;
using switchyard::test::full_round_decision;

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string unhex(std::string_view text) {
  auto nibble = [](char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  };
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(
      static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

// -- the pins -----------------------------------------------------------------

constexpr std::string_view decision_v1_full_hex
  = "010000018bcfe5687b90f1d9a2a302012a52657669657720746869732070756c"
    "6c2072657175657374206469666620666f72206275677320e29c930001010101"
    "010a01000000000000d03f019a9999999999e93f010000000000002940b00901"
    "840702010102066770742d346f146b65795f3031323334353637383961626364"
    "6566019a9999999999c93f020323232303454e44020202070101090b6770742d"
    "346f2d6d696e69020e010100030311fa012ab0098407333333333333eb3f80ca"
    "b5ee010000000000003e40064204020502000301040601030280d1ca08020400"
    "000000000044400000000000002f400000000000001d40000000000000084000"
    "00000000001440000000000000f83f00000000000000400000000000905240d7"
    "a3703d0ad7eb3f01c0b95580897ac0d89e010000000000001240050000000000"
    "003e400000000000003440000000000000000000000000000000000000000000"
    "000000000000000000084000000000000000000000000000804a4085eb51b81e"
    "85e33f00e0c508c09a0ca0ef0f000000000000f43f0201030000000000000000"
    "0000000000000000000205000000000000f03f000000000000004001c39695a7"
    "a8f6dfd5030103000000000000e03f0000000000000000000000000000e03f00"
    "000000000000000000000000000000666666666666e63f0000000000407a4033"
    "3333333333e33f0000000000804040d7a3703d0ad7e33fcdccccccccccec3f00"
    "00000000229c40000000000000e83f00000000000010409a9999999999b93f02"
    "000101aab4de7502000000000000e83f000000000000d03f03333333333333d3"
    "3f666666666666e63f000000000000e03f00000000000000009a9999999999e9"
    "3f9a9999999999b93f0000000000020c00000000000000000000000000000000"
    "0000000000000000800100000000000000000000c39695a7a8f6dfd503000000"
    "000000edbd01097265766965772d61620105106b657920627564676574207370"
    "656e740104dc0b800580d980040000000000648940010203040000000000003e"
    "40000400000000000060884080d9800404000001000862652062726965660000"
    "00000000000000000009657068656d6572616c020002002a5265766965772074"
    "6869732070756c6c2072657175657374206469666620666f72206275677320e2"
    "9c9300000000000000000000000001001968747470733a2f2f6578616d706c65"
    "2e636f6d2f612e706e6709696d6167652f706e670c6956424f5277304b47676f"
    "3d036c6f77000000000000000003087265766965776572030413726561642074"
    "68652064696666206669727374000000000000000000077369672d6162630100"
    "00084c6f6f6b696e672e00000000000000000000000002000000000007746f6f"
    "6c755f3109726561645f66696c65107b2270617468223a22612e637070227d00"
    "0000000004000103000000000007746f6f6c755f31000001000c6e6f20737563"
    "682066696c65000000000000000000000000010000000209726561645f66696c"
    "650c526561647320612066696c65117b2274797065223a226f626a656374227d"
    "010109657068656d6572616c026c7300027b7d00000409726561645f66696c65"
    "01000306726576696577117b2274797065223a226f626a656374227d01010866"
    "696e64696e6773010d01cdccccccccccec3f0128010101030468696768018010"
    "07757365722d313709657068656d6572616c0f636c617564652d736f6e6e6574"
    "2d34020002030000010000";
constexpr std::string_view decision_v1_minimal_hex
  = "010000018bcfe568000701067461736b20370000000000000000000000000000"
    "0000010000000000020c00000000000000000000000000000000000000000000"
    "000000000000000000000000002a000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view decision_v1_legacy_hex
  = "010000018bcfe568000701026869020673797374656d08626520627269656604"
    "75736572026869000000000000000000000000000000010000000000020c0000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "002a0000000000000000000000000000000000000000000000000000";
constexpr std::string_view decision_v2_full_hex
  = "020000018bcfe5687b90f1d9a2a30207002a5265766965772074686973207075"
    "6c6c2072657175657374206469666620666f72206275677320e29c9300010101"
    "01010a01000000000000d03f019a9999999999e93f010000000000002940b009"
    "01840702010102066770742d346f146b65795f30313233343536373839616263"
    "646566019a9999999999c93f020323232303454e440f636c617564652d736f6e"
    "6e65742d347b05040209726561645f66696c65026c73020202070101090b6770"
    "742d346f2d6d696e69020e010100030311fa012ab0098407333333333333eb3f"
    "80cab5ee010000000000003e40761bfacbafb17d790642040205020003010406"
    "01030280d1ca08c39695a7a8f6dfd503016484c749509ddfe401aab4de750333"
    "3333333333d33f666666666666e63f000000000000e03f00000000000000009a"
    "9999999999e93f9a9999999999b93f0000000000020c00000000000000000000"
    "0000000000000000000000000088201fb960ff64650080010000000000000000"
    "c39695a7a8f6dfd50300edbd01097265766965772d61620105106b6579206275"
    "64676574207370656e7404dc0b800580d9800400000000006489400203040000"
    "000000003e40000400000000000060884080d98004010205000000000000e43f"
    "03fca9f1d24d62703f7b14ae47e17a943f000000000000e03fffff0300000000"
    "000000000000";
constexpr std::string_view decision_v2_hash_hex
  = "020000018bcfe5687b90f1d9a2a3020701403061326632386163663236303066"
    "3936356131623863373731333336613965303232333764636264356364623733"
    "3161346462333334346135633537336465310001010101010a01000000000000"
    "d03f019a9999999999e93f010000000000002940b00901840702010102066770"
    "742d346f146b65795f30313233343536373839616263646566019a9999999999"
    "c93f020323232303454e440f636c617564652d736f6e6e65742d347b05040209"
    "726561645f66696c65026c73020202070101090b6770742d346f2d6d696e6902"
    "0e010100030311fa012ab0098407333333333333eb3f80cab5ee010000000000"
    "003e40761bfacbafb17d79064204020502000301040601030280d1ca08c39695"
    "a7a8f6dfd503016484c749509ddfe401aab4de7503333333333333d33f666666"
    "666666e63f000000000000e03f00000000000000009a9999999999e93f9a9999"
    "999999b93f0000000000020c0000000000000000000000000000000000000000"
    "00000088201fb960ff64650080010000000000000000c39695a7a8f6dfd50300"
    "edbd01097265766965772d61620105106b657920627564676574207370656e74"
    "04dc0b800580d9800400000000006489400203040000000000003e4000040000"
    "0000000060884080d98004010205000000000000e43f03fca9f1d24d62703f7b"
    "14ae47e17a943f000000000000e03fffff0300000000000000000000";
constexpr std::string_view decision_v2_none_hex
  = "020000018bcfe5687b90f1d9a2a3020702000001010101010a01000000000000"
    "d03f019a9999999999e93f010000000000002940b00901840702010102066770"
    "742d346f146b65795f30313233343536373839616263646566019a9999999999"
    "c93f020323232303454e440f636c617564652d736f6e6e65742d347b05040209"
    "726561645f66696c65026c73020202070101090b6770742d346f2d6d696e6902"
    "0e010100030311fa012ab0098407333333333333eb3f80cab5ee010000000000"
    "003e40761bfacbafb17d79064204020502000301040601030280d1ca08c39695"
    "a7a8f6dfd503016484c749509ddfe401aab4de7503333333333333d33f666666"
    "666666e63f000000000000e03f00000000000000009a9999999999e93f9a9999"
    "999999b93f0000000000020c0000000000000000000000000000000000000000"
    "00000088201fb960ff64650080010000000000000000c39695a7a8f6dfd50300"
    "edbd01097265766965772d61620105106b657920627564676574207370656e74"
    "04dc0b800580d9800400000000006489400203040000000000003e4000040000"
    "0000000060884080d98004010205000000000000e43f03fca9f1d24d62703f7b"
    "14ae47e17a943f000000000000e03fffff0300000000000000000000";
constexpr std::string_view decision_v2_minimal_hex
  = "020000018bcfe56800070100067461736b203700000000000000000000000000"
    "0000000000000000010000000000020c00000000000000000000000000000000"
    "0000000000000088201fb960ff6465000000000000000000002a000000000000"
    "00000000000000000000000000";
constexpr std::string_view shared_inputs_value_hex
  = "010000018bcfe569c803000000000000e03f0000000000000000000000000000"
    "e03f00000000000000000000000000000000666666666666e63f000000000040"
    "7a40333333333333e33f0000000000804040d7a3703d0ad7e33fcdcccccccccc"
    "ec3f0000000000229c40000000000000e83f00000000000010409a9999999999"
    "b93f02000102000000000000e83f000000000000d03f02000203000001";
constexpr std::string_view learned_hex
  = "01000000000000e83f010000000000487a40010000000000408f400100000000"
    "0000000000000000000000294000002040fc54d9410000000000802240000020"
    "40fc54d941000000000000f03f00000059fc54d941";
constexpr std::string_view feedback_full_hex
  = "014d80a0abfef96202019a9999999999d93f010101000108066770742d346f02";
constexpr std::string_view feedback_empty_hex = "0101000000000000000c";
constexpr std::string_view ledger_hex = "01e2a2f3ad07";
constexpr std::string_view ledger_negative_hex = "0153";
constexpr std::string_view experiment_hex
  = "01097265766965772d61620102046d696e690b6770742d346f2d6d696e690763"
    "6f6e74726f6c00000000000000e03f6300327b14ae47e17a843f0080c49fd50c"
    "808aaad50c02030000000000000040000000000000004001000000000000e03f"
    "000000000000d03f";
constexpr std::string_view registry_hex
  = "0102066f70656e6169001968747470733a2f2f6170692e6f70656e61692e636f"
    "6d2f76310e4f50454e41495f4150495f4b4559008020066f6c6c616d61041668"
    "7474703a2f2f3132372e302e302e313a3131343334000104030b6770742d346f"
    "2d6d696e69066f70656e6169166770742d346f2d6d696e692d323032342d3037"
    "2d313800f6285c8fc2f5e83f613255302aa9233f613255302aa9433f80e80700"
    "00000000207c40000000000080564003010000066770742d346f066f70656e61"
    "69066770742d346f00cdccccccccccec3f613255302aa9233f613255302aa943"
    "3f80e8070000000000207c400000000000805640030101000a7177656e333a31"
    "2e3762066f6c6c616d610a7177656e333a312e3762019a9999999999e13f0000"
    "00000000000000000000000000008080020000000000005e4000000000000044"
    "4000000001000002010001020000000000000000000000000000000000000000"
    "01020000000000000000e03f0000000000804640a09c0100019a9999999999d9"
    "3f333333333333e33f9a9999999999e93f666666666666ee3f030ad7a3703d0a"
    "ef3f01010209616e7468726f706963066f70656e6169079a9999999999d93f1e"
    "0c90bf05809f4902b0ea0104f403807d9a9999999999b93fe0d403effdfad7ec"
    "d9fef6fe0101b81e85eb51b89e3f";
constexpr std::string_view api_key_full_hex
  = "01146b65795f3031323334353637383961626364656620a59d2db1e2584c8124"
    "3871a44cb301eed58491036b21ef6dc06212d990773fd6026369010000000000"
    "00294001d80480c49fd50c01c8c59fd50c01";
constexpr std::string_view api_key_empty_hex
  = "01146b65795f3030303030303030303030303030303020000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view learned_sample_hex
  = "01f4a3abfef962020b6770742d346f2d6d696e69019a9999999999e93f000000"
    "0000407a40333333333333e33f0000000000c04040d7a3703d0ad7e33f0a7177"
    "656e333a312e37620c000000000000e03f0000000000805640000000000000e0"
    "3f000000000000f03f7b14ae47e17a843f";
constexpr std::string_view spend_rollup_hex
  = "0102146b65795f3031323334353637383961626364656601039423b00902c396"
    "95a7a8f6dfd5030480d98004c39695a7a8f6dfd50305e0c508000001000000";
constexpr std::string_view keys_hex
  = "0102030405060708000000000000000700000000000000097177656e333a312e"
    "37620067656e6572616c6b65793a6b65795f6162007ffffffffffffffd726567"
    "69737472792ffeedfacecafebeef69642f6b65795f61627368613235362f2d71"
    "1642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a48810a0b"
    "0c0d0e0f1011687ffffffffffff1f0";

// -- hedged ensembles ----------------------------------------------------------
//
// The hedging section (its version, then per round the ensemble's quorum and
// deadline) is appended: the pins above are what earlier builds wrote, and
// a record written now is the same bytes with the section after them.

/// Version 1 records always end with it: two rounds, neither hedged.
constexpr std::string_view v1_two_rounds_unhedged_hex = "0100000000";
/// One round, not hedged.
constexpr std::string_view v1_one_round_unhedged_hex = "010000";
/// hedged_decision()'s: round 0 with quorum 2 and a 4500 ms deadline.
constexpr std::string_view hedged_section_hex = "010294230000";
/// A version 2 record without the prompt model, hedged: the prompt-model
/// section (its inputs unused) precedes the hedging one.
constexpr std::string_view decision_v2_minimal_hedged_hex
  = "020000018bcfe56800070100067461736b203700000000000000000000000000"
    "0000000000000000010000000000020c00000000000000000000000000000000"
    "0000000000000088201fb960ff6465000000000000000000002a000000000000"
    "00000000000000000000000000"
    "01ffff030000000000000000000001009423";
/// hedged_registry()'s hedging: quorum 2, 12.5 s, factor 2.
constexpr std::string_view registry_hedging_hex
  = "0200000000000029400000000000000040";

// -- execution plans -----------------------------------------------------------
//
// The plan section (its version, the kind, the dropped roles, then each
// step's outcome, rounds and attempts) is appended after the hedging one,
// which a plan record always carries (a version 2 one with the prompt-model
// section before it) so that the sections stay where a reader looks.

/// full_plan_decision()'s plan in version 1: each step's rounds in full.
constexpr std::string_view plan_section_v1_hex
  = "010301067265766965770408726573656172636802000b04809bee0280be9201"
    "000000000000e03f0000000000628940ac02a403000000000000f0bf00000101"
    "05000180d1ca0800020e010100030311fa012ab0098407333333333333eb3f80"
    "cab5ee010000000000003e40064204020502000301040601030280d1ca080204"
    "00000000000044400000000000002f400000000000001d400000000000000840"
    "0000000000001440000000000000f83f00000000000000400000000000905240"
    "d7a3703d0ad7eb3f01c0b95580897ac0d89e0100000000000012400500000000"
    "00003e4000000000000034400000000000000000000000000000000000000000"
    "00000000000000000000084000000000000000000000000000804a4085eb51b8"
    "1e85e33f00e0c508c09a0ca0ef0f000000000000f43f02010300000000000000"
    "000000000000000000000205000000000000f03f000000000000004001c39695"
    "a7a8f6dfd5030103000000000000e03f0000000000000000000000000000e03f"
    "00000000000000000000000000000000666666666666e63f0000000000407a40"
    "333333333333e33f0000000000804040d7a3703d0ad7e33fcdccccccccccec3f"
    "0000000000229c40000000000000e83f00000000000010409a9999999999b93f"
    "02000101aab4de7502000000000000e83f000000000000d03f03333333333333"
    "d33f666666666666e63f000000000000e03f00000000000000009a9999999999"
    "e93f9a9999999999b93f020002030000010000010400000000000000894080be"
    "92010e696d706c656d656e746174696f6e02000902809bee0200000000000000"
    "e03f0000000000003e400000000000000000f0bf0a0c757073747265616d2035"
    "3033000102040000000000003e40000973796e74686573697302000f058092f4"
    "01c0ee6d000000000068894000000000000484408407f403000000000000f0bf"
    "0000010000000000020c00000000000000000000000000000000000000000000"
    "000800040001020405000000000000c39695a7a8f6dfd5030000000000000000"
    "029423000663726974696302000b03c0843dc09a0c0000000000b69640000000"
    "0000406a40bc05289a9999999999e13f003d61207265766973696f6e20776173"
    "206475653b2074686520627564676574206c656674202824302e303030312920"
    "63616e6e6f7420636f766572206974010000000000020c000000000000000000"
    "000000000000000000000000000000800100000000000000000000c39695a7a8"
    "f6dfd5030000000000000000000000";
/// full_plan_decision()'s plan in version 2: each step's rounds compact.
constexpr std::string_view plan_section_v2_hex
  = "010301067265766965770408726573656172636802000b04809bee0280be9201"
    "000000000000e03f0000000000628940ac02a403000000000000f0bf00000101"
    "05000180d1ca0800020e010100030311fa012ab0098407333333333333eb3f80"
    "cab5ee010000000000003e40761bfacbafb17d79064204020502000301040601"
    "030280d1ca08c39695a7a8f6dfd503016484c749509ddfe401aab4de75033333"
    "33333333d33f666666666666e63f000000000000e03f00000000000000009a99"
    "99999999e93f9a9999999999b93f010205000000000000e43f03fca9f1d24d62"
    "703f7b14ae47e17a943f000000000000e03f010400000000000000894080be92"
    "010e696d706c656d656e746174696f6e02000902809bee0200000000000000e0"
    "3f0000000000003e400000000000000000f0bf0a0c757073747265616d203530"
    "33000102040000000000003e40000973796e74686573697302000f058092f401"
    "c0ee6d000000000068894000000000000484408407f403000000000000f0bf00"
    "00010000000000020c0000000000000000000000000000000000000000000000"
    "88201fb960ff6465080004000102040500000000c39695a7a8f6dfd503000202"
    "9423000663726974696302000b03c0843dc09a0c0000000000b6964000000000"
    "00406a40bc05289a9999999999e13f003d61207265766973696f6e2077617320"
    "6475653b2074686520627564676574206c656674202824302e30303031292063"
    "616e6e6f7420636f766572206974010000000000020c00000000000000000000"
    "0000000000000000000000000088201fb960ff64650080010000000000000000"
    "c39695a7a8f6dfd503000000";
/// plans_registry()'s plan policy, after the hedging section's defaults.
constexpr std::string_view registry_default_hedging_hex
  = "000000000000003e400000000000000840";
constexpr std::string_view registry_plans_hex
  = "333333333333e33f0201000000000000e03f0d0002087365637572697479194c"
    "6f6f6b20666f722076756c6e65726162696c69746965732e057374796c650000"
    "00000000000000000000";

// -- traces ------------------------------------------------------------------
//
// The trace section (its version, then the task's 16-byte trace id) is
// appended after the plan one, which a traced record always carries (with
// the prompt-model and hedging sections before it), so that the sections
// stay where a reader looks.

/// traced()'s trace id, 4bf92f3577b34da6a3ce929d0e0e4736.
constexpr std::string_view trace_section_hex
  = "0110"
    "4bf92f3577b34da6a3ce929d0e0e4736";
/// What a traced record of one round holds before the trace section when
/// nothing else is appended: the prompt-model section (its inputs unused),
/// the hedging section (not hedged) and the plan section (a single call, no
/// steps, no dropped roles).
constexpr std::string_view v2_one_round_untouched_sections_hex
  = "01ffff0300000000000000000000"
    "010000"
    "01000000";

std::string joined_hex(std::string_view pinned, std::string_view section) {
  return std::string{pinned} + std::string{section};
}

std::string joined_hex(std::string_view pinned, std::string_view a,
                       std::string_view b) {
  return joined_hex(joined_hex(pinned, a), b);
}

/// `rec` as the log keeps a traced task's.
decision_record traced(decision_record rec) {
  rec.trace_id = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                  0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  return rec;
}

decision_record hedged_decision() {
  auto rec = full_decision();
  rec.rounds[0].decision.ensemble.quorum = 2;
  rec.rounds[0].decision.ensemble.deadline_ms = 4'500;
  return rec;
}

decision_record hedged_minimal() {
  auto rec = test::sample_decision(7, 1'700'000'000'000);
  rec.rounds[0].decision.ensemble.deadline_ms = 4'500;
  return rec;
}

engine::registry hedged_registry() {
  auto reg = test::full_registry();
  reg.policy.ensemble_quorum = 2;
  reg.policy.ensemble_member_timeout_s = 12.5;
  reg.policy.hedge_latency_factor = 2.0;
  return reg;
}

/// The hash of round 0's shared inputs, as the store keys them.
std::uint64_t round0_inputs_hash() {
  return encode_shared_inputs(full_round_decision().inputs).hash;
}

std::string full_shared_inputs_value() {
  return shared_inputs_value(encode_shared_inputs(full_round_decision().inputs),
                             1'700'000'000'456);
}

/// Shared inputs' hashes of full_plan_decision()'s rounds: the task's two,
/// then its steps' (research, synthesis, critic).
std::vector<std::uint64_t> plan_hashes() {
  return {round0_inputs_hash(), 0, round0_inputs_hash(), 0, 0};
}

/// The `inputs` column of a store holding round 0's shared inputs.
caf::expected<std::string> lookup(std::uint64_t hash) {
  if (hash == round0_inputs_hash())
    return full_shared_inputs_value();
  return caf::make_error(error_code::not_found, "no such inputs");
}

} // namespace

TEST_CASE("every record encoding writes the bytes it always wrote",
          "[storage][codec][golden]") {
  auto rec = full_decision();
  std::vector<std::uint64_t> hashes{round0_inputs_hash(), 0};
  auto minimal = test::sample_decision(7, 1'700'000'000'000);
  feedback_record no_report;
  no_report.decision_id = 1;
  api_key_record bare;
  bare.id = "key_0000000000000000";
  std::string keys = decision_key(0x0102030405060708) + feedback_key(7, 9)
                     + learned_key("qwen3:1.7b", engine::task_type::general)
                     + ledger_key("key:key_ab", -3)
                     + registry_key(0xfeedfacecafebeef)
                     + api_key_id_key("key_ab")
                     + api_key_hash_key(sha256("x"))
                     + shared_inputs_key(0x0a0b0c0d0e0f1011)
                     + spend_rollup_key(rollup_width::hour, -3'600);
  struct pin {
    std::string_view name;
    std::string bytes;
    std::string_view expected;
  };
  auto v1_full = joined_hex(decision_v1_full_hex, v1_two_rounds_unhedged_hex);
  auto v1_minimal
    = joined_hex(decision_v1_minimal_hex, v1_one_round_unhedged_hex);
  auto v1_hedged = joined_hex(decision_v1_full_hex, hedged_section_hex);
  auto v2_hedged = joined_hex(decision_v2_full_hex, hedged_section_hex);
  auto registry_hedged = joined_hex(registry_hex, registry_hedging_hex);
  auto v1_plan = joined_hex(decision_v1_full_hex, v1_two_rounds_unhedged_hex,
                            plan_section_v1_hex);
  auto v2_plan = joined_hex(decision_v2_full_hex, v1_two_rounds_unhedged_hex,
                            plan_section_v2_hex);
  auto registry_plans = joined_hex(registry_hex, registry_default_hedging_hex,
                                   registry_plans_hex);
  auto v2_minimal_traced
    = joined_hex(decision_v2_minimal_hex, v2_one_round_untouched_sections_hex,
                 trace_section_hex);
  auto v2_plan_traced = joined_hex(v2_plan, trace_section_hex);
  pin pins[] = {
    {"decision v2, minimal, traced",
     encode_decision(traced(minimal), prompt_retention::full, {}),
     v2_minimal_traced},
    {"decision v2, plan, traced",
     encode_decision(traced(test::full_plan_decision()),
                     prompt_retention::full, plan_hashes()),
     v2_plan_traced},
    {"decision v1, plan", encode_decision(test::full_plan_decision()),
     v1_plan},
    {"decision v2, plan",
     encode_decision(test::full_plan_decision(), prompt_retention::full,
                     plan_hashes()),
     v2_plan},
    {"registry, plans", encode_registry(test::plans_registry()),
     registry_plans},
    {"decision v1, every field", encode_decision(rec), v1_full},
    {"decision v1, minimal", encode_decision(minimal), v1_minimal},
    {"decision v1, hedged", encode_decision(hedged_decision()), v1_hedged},
    {"decision v2, hedged",
     encode_decision(hedged_decision(), prompt_retention::full, hashes),
     v2_hedged},
    {"decision v2, minimal, hedged",
     encode_decision(hedged_minimal(), prompt_retention::full, {}),
     decision_v2_minimal_hedged_hex},
    {"registry, hedged", encode_registry(hedged_registry()), registry_hedged},
    {"decision v2, prompts full",
     encode_decision(rec, prompt_retention::full, hashes),
     decision_v2_full_hex},
    {"decision v2, prompts hash",
     encode_decision(rec, prompt_retention::hash, hashes),
     decision_v2_hash_hex},
    {"decision v2, prompts none",
     encode_decision(rec, prompt_retention::none, hashes),
     decision_v2_none_hex},
    {"decision v2, minimal (no trailer)",
     encode_decision(minimal, prompt_retention::full, {}),
     decision_v2_minimal_hex},
    {"shared inputs", full_shared_inputs_value(), shared_inputs_value_hex},
    {"learned cell", encode_learned(test::full_learned_cell()), learned_hex},
    {"feedback, every field", encode_feedback(test::full_feedback()),
     feedback_full_hex},
    {"feedback, no report", encode_feedback(no_report), feedback_empty_hex},
    {"ledger", encode_ledger(987'654'321), ledger_hex},
    {"ledger, negative", encode_ledger(-42), ledger_negative_hex},
    {"experiment", encode_experiment(test::full_experiment()), experiment_hex},
    {"registry", encode_registry(test::full_registry()), registry_hex},
    {"API key, every field", encode_api_key(test::full_api_key()),
     api_key_full_hex},
    {"API key, no limits", encode_api_key(bare), api_key_empty_hex},
    {"learned sample", encode_learned_sample(test::full_learned_sample()),
     learned_sample_hex},
    {"spend rollup", encode_spend_rollup(test::full_spend_rollup()),
     spend_rollup_hex},
    {"keys", keys, keys_hex},
  };
  for (const auto& p : pins) {
    INFO(p.name);
    CHECK(hex(p.bytes) == p.expected);
  }
}

TEST_CASE("the pinned values decode to the records they were encoded from",
          "[storage][codec][golden]") {
  SECTION("decision version 1") {
    for (const auto& pinned :
         {joined_hex(decision_v1_full_hex, v1_two_rounds_unhedged_hex),
          joined_hex(decision_v1_minimal_hex, v1_one_round_unhedged_hex),
          joined_hex(decision_v1_full_hex, hedged_section_hex)}) {
      auto bytes = unhex(pinned);
      auto back = decode_decision(bytes);
      REQUIRE(back);
      CHECK(hex(encode_decision(*back)) == pinned);
    }
    auto hedged
      = decode_decision(unhex(joined_hex(decision_v1_full_hex,
                                         hedged_section_hex)));
    REQUIRE(hedged);
    CHECK(hedged->rounds[0].decision.ensemble.quorum == 2);
    CHECK(hedged->rounds[0].decision.ensemble.deadline_ms == 4'500);
    CHECK(hedged->rounds[1].decision.ensemble.deadline_ms == 0);
    auto back = decode_decision(unhex(decision_v1_full_hex));
    REQUIRE(back);
    auto rec = full_decision();
    CHECK(back->task.messages == rec.task.messages);
    CHECK(back->task.options == rec.task.options);
    CHECK(back->rounds[0].decision.inputs.model_unavailable
          == rec.rounds[0].decision.inputs.model_unavailable);
    CHECK(back->evidence_stored);
  }
  SECTION("decision version 2") {
    for (auto prompts : {prompt_retention::full, prompt_retention::hash,
                         prompt_retention::none}) {
      auto pinned = prompts == prompt_retention::full ? decision_v2_full_hex
                    : prompts == prompt_retention::hash ? decision_v2_hash_hex
                                                        : decision_v2_none_hex;
      INFO(to_string(prompts));
      auto back = decode_decision(unhex(pinned), lookup);
      REQUIRE(back);
      // What version 2 keeps: no transcript or request options, no evidence.
      auto expected = full_decision();
      expected.task.messages.clear();
      expected.task.options = {};
      if (prompts != prompt_retention::full)
        expected.task.text.clear();
      for (auto& round : expected.rounds) {
        round.decision.candidates.clear();
        round.decision.filtered_out.clear();
      }
      CHECK(hex(encode_decision(*back)) == hex(encode_decision(expected)));
      CHECK(back->prompts == prompts);
      CHECK_FALSE(back->evidence_stored);
      if (prompts == prompt_retention::hash) {
        auto digest = sha256(full_decision().task.text);
        CHECK(back->prompt_sha256 == to_hex(digest.data(), digest.size()));
      } else {
        CHECK(back->prompt_sha256.empty());
      }
      CHECK(back->task.sticky_model == "claude-sonnet-4");
      CHECK(back->shape.recorded);
      CHECK(back->shape.text_bytes == 123);
      CHECK(back->shape.tool_names == full_decision().shape.tool_names);
      auto original = full_decision();
      REQUIRE(back->rounds.size() == 2);
      for (std::size_t i = 0; i < 2; ++i)
        CHECK(back->rounds[i].evidence_hash
              == engine::evidence_hash(original.rounds[i].decision));
      const auto& in = back->rounds[0].decision.inputs;
      CHECK(in.recorded);
      CHECK(in.prompt == original.rounds[0].decision.inputs.prompt);
      REQUIRE(in.predicted_success.size() == 3);
      CHECK(in.predicted_success[2].cost_usd == 0.5);
      CHECK_FALSE(back->rounds[1].decision.inputs.recorded);
    }
    // Without the `inputs` column, the round's inputs are not recorded.
    auto alone = decode_decision(unhex(decision_v2_full_hex));
    REQUIRE(alone);
    CHECK_FALSE(alone->rounds[0].decision.inputs.recorded);
    auto minimal = decode_decision(unhex(decision_v2_minimal_hex), lookup);
    REQUIRE(minimal);
    CHECK(minimal->task.text == "task 7");
    CHECK(minimal->shape.recorded);
    CHECK_FALSE(minimal->rounds[0].decision.inputs.prompt.used());
  }
  SECTION("decision version 2 written before the prompt-model trailer") {
    // The trailer is appended: without it, a record's bytes are a prefix.
    auto rec = full_decision();
    rec.rounds[0].decision.inputs.prompt = {};
    for (auto& p : rec.rounds[0].decision.inputs.predicted_success)
      p.cost_usd = std::numeric_limits<double>::quiet_NaN();
    auto older = encode_decision(rec, prompt_retention::full,
                                 {round0_inputs_hash(), 0});
    auto pinned = unhex(decision_v2_full_hex);
    REQUIRE(older.size() < pinned.size());
    CHECK(hex(pinned.substr(0, older.size())) == hex(older));
    auto back = decode_decision(older, lookup);
    REQUIRE(back);
    const auto& in = back->rounds[0].decision.inputs;
    CHECK_FALSE(in.prompt.used());
    CHECK(std::isnan(in.predicted_success[0].cost_usd));
  }
  SECTION("decision records written before the hedging section") {
    // Version 1: each pin is the record without the section; it reads
    // back with no deadline, and is written again with the section.
    for (auto [pinned, section] :
         {std::pair{decision_v1_full_hex, v1_two_rounds_unhedged_hex},
          std::pair{decision_v1_minimal_hex, v1_one_round_unhedged_hex}}) {
      auto back = decode_decision(unhex(pinned));
      REQUIRE(back);
      for (const auto& round : back->rounds) {
        CHECK(round.decision.ensemble.deadline_ms == 0);
        CHECK(round.decision.ensemble.quorum == 0);
      }
      CHECK(hex(encode_decision(*back)) == joined_hex(pinned, section));
    }
    // Version 2: the section is only written for a hedged ensemble.
    auto back = decode_decision(unhex(decision_v2_full_hex), lookup);
    REQUIRE(back);
    CHECK(back->rounds[0].decision.ensemble.deadline_ms == 0);
  }
  SECTION("hedged decisions in version 2") {
    auto back = decode_decision(
      unhex(joined_hex(decision_v2_full_hex, hedged_section_hex)), lookup);
    REQUIRE(back);
    CHECK(back->rounds[0].decision.ensemble.quorum == 2);
    CHECK(back->rounds[0].decision.ensemble.deadline_ms == 4'500);
    CHECK(back->rounds[1].decision.ensemble.deadline_ms == 0);
    CHECK(back->rounds[0].decision.inputs.prompt
          == full_decision().rounds[0].decision.inputs.prompt);
    // Without the prompt model: its section is written, unused, before.
    auto pinned = unhex(decision_v2_minimal_hedged_hex);
    REQUIRE(pinned.starts_with(unhex(decision_v2_minimal_hex)));
    REQUIRE(pinned.ends_with(unhex("01009423")));
    auto minimal = decode_decision(pinned, lookup);
    REQUIRE(minimal);
    CHECK(minimal->rounds[0].decision.ensemble.deadline_ms == 4'500);
    CHECK_FALSE(minimal->rounds[0].decision.inputs.prompt.used());
    CHECK(hex(encode_decision(*minimal, prompt_retention::full, {}))
          == decision_v2_minimal_hedged_hex);
  }
  SECTION("decision version 1 written before the availability section") {
    // One round: two empty byte strings.
    auto bytes = unhex(decision_v1_minimal_hex);
    bytes.resize(bytes.size() - 2);
    auto back = decode_decision(bytes);
    REQUIRE(back);
    CHECK(back->task.text == "task 7");
    CHECK(back->rounds[0].decision.inputs.model_unavailable.empty());
  }
  SECTION("decision version 1 written before the conversation section") {
    // Its task held the messages as role and text.
    auto back = decode_decision(unhex(decision_v1_legacy_hex));
    REQUIRE(back);
    CHECK(back->task.text == "hi");
    REQUIRE(back->task.messages.size() == 2);
    CHECK(back->task.messages[0].role == engine::message_role::system);
    CHECK(back->task.messages[0].text() == "be brief");
    CHECK(back->task.messages[1].role == engine::message_role::user);
    CHECK(back->task.messages[1].text() == "hi");
    CHECK(back->task.options == engine::request_options{});
    CHECK(back->rounds.size() == 1);
  }
  SECTION("the other records") {
    auto learned = decode_learned(learned_key("m", engine::task_type::general),
                                  unhex(learned_hex));
    REQUIRE(learned);
    CHECK(hex(encode_learned(learned->cell)) == learned_hex);
    for (auto pinned : {feedback_full_hex, feedback_empty_hex}) {
      auto f = decode_feedback(unhex(pinned));
      REQUIRE(f);
      CHECK(hex(encode_feedback(*f)) == pinned);
      CHECK(feedback_received_unix_ms(unhex(pinned)) == f->received_unix_ms);
    }
    for (auto pinned : {ledger_hex, ledger_negative_hex}) {
      auto e = decode_ledger(ledger_key("global", 19'700), unhex(pinned));
      REQUIRE(e);
      CHECK(hex(encode_ledger(e->spent_nanos)) == pinned);
    }
    auto experiment = decode_experiment(unhex(experiment_hex));
    REQUIRE(experiment);
    CHECK(hex(encode_experiment(*experiment)) == experiment_hex);
    auto reg = decode_registry(unhex(registry_hex));
    REQUIRE(reg);
    CHECK(hex(encode_registry(*reg)) == registry_hex);
    for (auto pinned : {api_key_full_hex, api_key_empty_hex}) {
      auto k = decode_api_key(unhex(pinned));
      REQUIRE(k);
      CHECK(hex(encode_api_key(*k)) == pinned);
    }
    CHECK(secret_matches(*decode_api_key(unhex(api_key_full_hex)),
                         "sy-golden-secret"));
    auto sample = decode_learned_sample(unhex(learned_sample_hex));
    REQUIRE(sample);
    CHECK(hex(encode_learned_sample(*sample)) == learned_sample_hex);
    auto rollup = decode_spend_rollup(unhex(spend_rollup_hex));
    REQUIRE(rollup);
    CHECK(hex(encode_spend_rollup(*rollup)) == spend_rollup_hex);
  }
  SECTION("plan records") {
    auto original = test::full_plan_decision();
    // Version 1 keeps every step as it was.
    auto v1 = unhex(joined_hex(decision_v1_full_hex,
                               v1_two_rounds_unhedged_hex,
                               plan_section_v1_hex));
    auto back = decode_decision(v1);
    REQUIRE(back);
    CHECK(hex(encode_decision(*back)) == hex(v1));
    CHECK(back->plan == engine::plan_kind::critic);
    CHECK(back->plan_dropped == original.plan_dropped);
    REQUIRE(back->steps.size() == original.steps.size());
    for (std::size_t i = 0; i < original.steps.size(); ++i) {
      INFO("step " << i);
      const auto& s = back->steps[i];
      const auto& o = original.steps[i];
      CHECK(s.outcome == o.outcome);
      REQUIRE(s.rounds.size() == o.rounds.size());
      for (std::size_t r = 0; r < o.rounds.size(); ++r) {
        CHECK(s.rounds[r].context.exclude == o.rounds[r].context.exclude);
        CHECK(s.rounds[r].context.budget_remaining
              == o.rounds[r].context.budget_remaining);
        CHECK(s.rounds[r].decision.ensemble.deadline_ms
              == o.rounds[r].decision.ensemble.deadline_ms);
        CHECK(s.rounds[r].decision.inputs.model_unavailable
              == o.rounds[r].decision.inputs.model_unavailable);
      }
      REQUIRE(s.attempts.size() == o.attempts.size());
      for (std::size_t a = 0; a < o.attempts.size(); ++a) {
        CHECK(s.attempts[a].model == o.attempts[a].model);
        CHECK(s.attempts[a].error == o.attempts[a].error);
        CHECK(s.attempts[a].cost_nanos == o.attempts[a].cost_nanos);
      }
    }
    // Version 2 keeps each step's rounds without their evidence, and their
    // shared inputs in the `inputs` column.
    auto v2 = unhex(joined_hex(decision_v2_full_hex,
                               v1_two_rounds_unhedged_hex,
                               plan_section_v2_hex));
    auto compact = decode_decision(v2, lookup);
    REQUIRE(compact);
    auto expected = original;
    expected.task.messages.clear();
    expected.task.options = {};
    for_each_round(expected, [](decision_round& round) {
      round.decision.candidates.clear();
      round.decision.filtered_out.clear();
    });
    CHECK(hex(encode_decision(*compact)) == hex(encode_decision(expected)));
    REQUIRE(compact->steps.size() == 4);
    const auto& research = compact->steps[0].rounds.at(0);
    CHECK(research.decision.inputs.recorded);
    REQUIRE(research.decision.inputs.performance.size() == 3);
    CHECK(research.decision.inputs.performance[2].latency_ms == 1'800.5);
    CHECK(research.decision.inputs.prompt
          == original.steps[0].rounds[0].decision.inputs.prompt);
    CHECK(research.evidence_hash
          == engine::evidence_hash(original.steps[0].rounds[0].decision));
    const auto& synthesis = compact->steps[2].rounds.at(0);
    CHECK(synthesis.decision.ensemble.quorum == 2);
    CHECK(synthesis.decision.ensemble.deadline_ms == 4'500);
    CHECK(compact->steps[3].outcome.score == 0.55);
    // Without the `inputs` column, no step's inputs are recorded either.
    auto alone = decode_decision(v2);
    REQUIRE(alone);
    CHECK_FALSE(alone->steps[0].rounds[0].decision.inputs.recorded);
  }
  SECTION("traced records, and records written before the trace section") {
    auto minimal = decode_decision(
      unhex(joined_hex(decision_v2_minimal_hex,
                       v2_one_round_untouched_sections_hex, trace_section_hex)),
      lookup);
    REQUIRE(minimal);
    CHECK(minimal->traced());
    CHECK(minimal->trace_id == traced({}).trace_id);
    CHECK(minimal->plan == engine::plan_kind::single);
    CHECK(minimal->steps.empty());
    CHECK(minimal->task.text == "task 7");
    CHECK(hex(encode_decision(*minimal, prompt_retention::full, {}))
          == joined_hex(decision_v2_minimal_hex,
                        v2_one_round_untouched_sections_hex,
                        trace_section_hex));
    auto plan = decode_decision(
      unhex(joined_hex(joined_hex(decision_v2_full_hex,
                                  v1_two_rounds_unhedged_hex,
                                  plan_section_v2_hex),
                       trace_section_hex)),
      lookup);
    REQUIRE(plan);
    CHECK(plan->trace_id == traced({}).trace_id);
    CHECK(plan->plan == engine::plan_kind::critic);
    CHECK(plan->steps.size() == 4);
    // Every record pinned before the section reads back untraced.
    for (const auto& pinned :
         {std::string{decision_v1_full_hex}, std::string{decision_v2_full_hex},
          std::string{decision_v2_minimal_hex},
          std::string{decision_v2_minimal_hedged_hex},
          joined_hex(decision_v2_full_hex, v1_two_rounds_unhedged_hex,
                     plan_section_v2_hex)}) {
      auto back = decode_decision(unhex(pinned), lookup);
      REQUIRE(back);
      CHECK_FALSE(back->traced());
    }
    // A damaged section is refused, not read as another trace.
    auto short_id = unhex(joined_hex(decision_v2_minimal_hex,
                                     v2_one_round_untouched_sections_hex,
                                     "010f4bf92f3577b34da6a3ce929d0e0e47"));
    CHECK_FALSE(decode_decision(short_id, lookup));
    auto unknown = unhex(joined_hex(decision_v2_minimal_hex,
                                    v2_one_round_untouched_sections_hex,
                                    "0210"
                                    "4bf92f3577b34da6a3ce929d0e0e4736"));
    CHECK_FALSE(decode_decision(unknown, lookup));
  }
  SECTION("records written before the plan section are single calls") {
    for (const auto& pinned :
         {std::string{decision_v1_full_hex},
          joined_hex(decision_v1_full_hex, hedged_section_hex),
          std::string{decision_v2_full_hex},
          joined_hex(decision_v2_full_hex, hedged_section_hex),
          std::string{decision_v2_minimal_hex},
          std::string{decision_v2_minimal_hedged_hex}}) {
      auto back = decode_decision(unhex(pinned), lookup);
      REQUIRE(back);
      CHECK(back->plan == engine::plan_kind::single);
      CHECK(back->steps.empty());
      CHECK(back->plan_dropped.empty());
    }
  }
  SECTION("a registry's plan policy, and one written before it") {
    auto bytes = unhex(
      joined_hex(registry_hex, registry_default_hedging_hex, registry_plans_hex));
    auto reg = decode_registry(bytes);
    REQUIRE(reg);
    CHECK(hex(encode_registry(*reg)) == hex(bytes));
    auto expected = test::plans_registry();
    CHECK(reg->plans.critic_threshold == 0.6);
    CHECK(reg->plans.max_revisions == 2);
    CHECK(reg->plans.escalate_below_quality == 0.5);
    const auto& roles
      = reg->plans.roles[static_cast<std::size_t>(engine::task_type::code_review)];
    REQUIRE(roles.size() == 2);
    CHECK(roles[0].name == "security");
    CHECK(roles[0].prompt == "Look for vulnerabilities.");
    CHECK(roles[1].name == "style");
    CHECK(reg->plans.roles[0].empty());
    // The hedging section it needed in front holds the defaults.
    CHECK(reg->policy.ensemble_member_timeout_s
          == engine::routing_policy{}.ensemble_member_timeout_s);
    // Without the section: the defaults, which it is only left out for.
    for (auto pinned :
         {std::string{registry_hex},
          joined_hex(registry_hex, registry_hedging_hex)}) {
      auto before = decode_registry(unhex(pinned));
      REQUIRE(before);
      const engine::plan_policy defaults;
      CHECK(before->plans.critic_threshold == defaults.critic_threshold);
      CHECK(before->plans.max_revisions == defaults.max_revisions);
      CHECK_FALSE(before->plans.escalate_below_quality);
      for (const auto& r : before->plans.roles)
        CHECK(r.empty());
    }
  }
  SECTION("a registry's hedging, and one written before it") {
    auto hedged
      = decode_registry(unhex(joined_hex(registry_hex, registry_hedging_hex)));
    REQUIRE(hedged);
    CHECK(hedged->policy.ensemble_quorum == 2);
    CHECK(hedged->policy.ensemble_member_timeout_s == 12.5);
    CHECK(hedged->policy.hedge_latency_factor == 2.0);
    // Without the section: the policy's defaults, which it is only left out
    // for.
    auto before = decode_registry(unhex(registry_hex));
    REQUIRE(before);
    const engine::routing_policy defaults;
    CHECK(before->policy.ensemble_quorum == defaults.ensemble_quorum);
    CHECK(before->policy.ensemble_member_timeout_s
          == defaults.ensemble_member_timeout_s);
    CHECK(before->policy.hedge_latency_factor == defaults.hedge_latency_factor);
  }
  SECTION("a registry written before the selection mode") {
    // The trailing section: one enumeration byte and an 8-byte double.
    auto bytes = unhex(registry_hex);
    bytes.resize(bytes.size() - 9);
    auto reg = decode_registry(bytes);
    REQUIRE(reg);
    CHECK(reg->policy.selection == engine::selection_mode::smallest_capable);
    CHECK(reg->policy.success_value_usd
          == engine::routing_policy{}.success_value_usd);
    CHECK(reg->config_hash == 0xfeedfacecafebeef);
  }
  SECTION("the retention filters' fast paths") {
    for (auto pinned : {decision_v1_full_hex, decision_v2_full_hex})
      CHECK(decision_created_unix_ms(unhex(pinned)) == 1'700'000'000'123);
    CHECK(shared_inputs_written_unix_ms(unhex(shared_inputs_value_hex))
          == 1'700'000'000'456);
  }
}
