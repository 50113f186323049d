// A small directory used across the routing tests.
//
//   ICB QA1: SICBLs 01A, 01B; ICB QB2: SICBL 02C.
//   PCNs: U00001 Alpha (01A), U00002 Beta (01A), U00003 Gamma (02C, closed 2023-12-31).
//   Practices: A00001 -> Alpha; A00002 moves Alpha -> Beta on 2024-10-01 (Alpha
//   until 2024-09-30 inclusive); B00003 -> Beta (from 2020); C00004 -> Gamma until
//   2023-12-31 (none after).
//   Coverage: district AB1 -> Alpha, sector "AB1 2" -> Beta, district AB2 -> Beta.
//   Link workers: Alpha lw-a1 (debt, en/pl), lw-a2 (housing, 0.5 WTE), lw-a3
//   (ages 11-25); Beta lw-b1; Gamma none.
#ifndef SPROUT_TESTS_SERVER_ROUTING_TEST_DIRECTORY_H_
#define SPROUT_TESTS_SERVER_ROUTING_TEST_DIRECTORY_H_

#include "server/routing/directory_loader.h"

namespace sprout::routing::testing {

inline DirectorySources SmallSources() {
  DirectorySources s;
  s.sub_icb_locations = {"sicbl.csv",
                         "ICB Code,ICB Name,Sub ICB Location Code,Sub ICB Location Name\n"
                         "QA1,Test ICB One,01A,Test SICBL A\n"
                         "QA1,Test ICB One,01B,Test SICBL B\n"
                         "QB2,Test ICB Two,02C,Test SICBL C\n"};
  s.pcn_details = {"pcns.csv",
                   "U00001,Alpha PCN,01A,Test SICBL A,20190701,\n"
                   "U00002,Beta PCN,01A,Test SICBL A,20190701,\n"
                   "U00003,Gamma PCN,02C,Test SICBL C,20190701,20231231\n"};
  s.core_partners = {
      "partners.csv",
      "A00001,ALPHA SURGERY,01A,TEST SICBL A,U00001,ALPHA PCN,01A,TEST SICBL A,20190701,,Y\r\n"
      "A00002,MOVER SURGERY,01A,TEST SICBL A,U00001,ALPHA PCN,01A,TEST SICBL "
      "A,20190701,20240930,Y\r\n"
      "A00002,MOVER SURGERY,01A,TEST SICBL A,U00002,BETA PCN,01A,TEST SICBL A,20241001,,Y\r\n"
      "B00003,\"BETA SURGERY, BRANCH\",01B,TEST SICBL B,U00002,BETA PCN,01A,TEST SICBL "
      "A,20200101,,N\r\n"
      "C00004,LAPSED SURGERY,02C,TEST SICBL C,U00003,GAMMA PCN,02C,TEST SICBL "
      "C,20190701,20231231,Y\r\n"};
  s.postcode_coverage = {"coverage.csv",
                         "Postcode Sector or District,PCN Code\n"
                         "AB1,U00001\n"
                         "AB1 2,U00002\n"
                         "AB2,U00002\n"};
  s.link_workers = {
      "workers.csv",
      "link_worker_id,pcn_code,display_name,wte,annual_caseload_cap,open_caseload_cap,"
      "specialisms,languages,age_groups,available_from,available_to\n"
      "lw-a1,U00001,Alpha 1,1.0,,,debt=<< 160932005,en;pl,,,\n"
      "lw-a2,U00001,Alpha 2,0.5,,,housing=<< 81877007,en,,,\n"
      "lw-a3,U00001,Alpha 3,1.0,,,,en,11-25,,\n"
      "lw-b1,U00002,Beta 1,1.0,,,,en,,,\n"};
  return s;
}

}  // namespace sprout::routing::testing

#endif  // SPROUT_TESTS_SERVER_ROUTING_TEST_DIRECTORY_H_
