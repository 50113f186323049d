#!/usr/bin/env python3
"""Content expectations for the starter release, read back from the RF2 files.

check_release.py proves the files are well formed; these tests pin down what Sprout
and its tests rely on being in them (DOMAIN.md codes, dialects, history, refsets).

Usage: python3 snomed/data/test_starter_content.py [STARTER_DIR]   (unittest; stdlib only)
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import check_release  # noqa: E402

STARTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "starter")
NHS, GB, US = "999001261000000100", "900000000000508004", "900000000000509007"
PREFERRED, SYNONYM, FSN = "900000000000548007", "900000000000013009", "900000000000003001"
IS_A = "116680003"

# DOMAIN.md section 1.2-1.6 codes of High or Medium certainty.
DOMAIN_CODES = """
871731000000106 871711000000103 3457005 306206005 306238000 308440001 306239008 306240005
444543005 1084431000000106 390893007 771491000000104 837111000000105 306098008 309013001
811871000000107 835181000000106 267076002 422650009 423315002 105529008 1230392000 1230391007
160932005 160934006 224165005 81877007 105531004 32911000 73438004 160903007 741062008
74506000 33553000 105441003 366979004 48694002 73595000 40979000 161152002 417430008
133932002 407542009 302767002 413760003 824401000000105 1364141000000107 794111000000107
1366321000000106 766561000000109 836881000000105 707087005 881081000000100 697950003
761571000000106 248054003 401206008 766969008 713201008 919461000000108 864491000000105
861931000000100
""".split()
# Low certainty or failing Verhoeff: must not be shipped as if real.
EXCLUDED_CODES = ["871691000000100", "415510005", "1054321000000100", "1076171000000100",
                  "104586100000100", "1054321000000107", "1076171000000104",
                  "1045861000000108", "224165006"]
ECL_ANCHORS = ["404684003", "71388002", "272379006", "363787002", "243796009", "3457005",
               "306206005", "309013001", "306098008"]


class Release:
    """The starter release as tables of rows keyed by RF2 file type."""

    def __init__(self, root):
        self.tables = {}
        for path, kind in check_release.find_files([root]):
            if kind:
                rows = check_release.read_rows(path, kind, check_release.Problems())
                self.tables.setdefault(kind, []).extend(rows)
        self.concepts = {r["id"]: r for r in self.tables["Concept"]}
        self.descriptions = {r["id"]: r for r in self.tables["Description"]}
        self.parents = {}
        for r in self.tables["Relationship"]:
            if r["active"] == "1" and r["typeId"] == IS_A:
                self.parents.setdefault(r["sourceId"], set()).add(r["destinationId"])

    def ancestors(self, concept):
        seen, todo = set(), [concept]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def preferred_term(self, concept, refset):
        for r in self.tables["Language"]:
            d = self.descriptions.get(r["referencedComponentId"])
            if (r["refsetId"] == refset and r["active"] == "1" and
                    r["acceptabilityId"] == PREFERRED and d and d["conceptId"] == concept and
                    d["typeId"] == SYNONYM):
                return d["term"]
        return None

    def members(self, kind, refset):
        return [r for r in self.tables.get(kind, []) if r["refsetId"] == refset and
                r["active"] == "1"]


class StarterContentTest(unittest.TestCase):
    release = None

    @classmethod
    def setUpClass(cls):
        cls.release = Release(STARTER_DIR)

    def test_every_domain_code_of_high_or_medium_certainty_is_active(self):
        for code in DOMAIN_CODES:
            with self.subTest(code=code):
                self.assertIn(code, self.release.concepts)
                self.assertEqual(self.release.concepts[code]["active"], "1")

    def test_low_certainty_and_verhoeff_failing_codes_are_absent(self):
        for code in EXCLUDED_CODES:
            self.assertNotIn(code, self.release.concepts)

    def test_ecl_anchors_are_active(self):
        for code in ECL_ANCHORS:
            self.assertEqual(self.release.concepts[code]["active"], "1", code)

    def test_social_prescribing_codes_have_nhs_preferred_terms(self):
        self.assertEqual(self.release.preferred_term("871731000000106", NHS),
                         "Referral to social prescribing service")
        self.assertEqual(self.release.preferred_term("871711000000103", NHS),
                         "Social prescribing declined")

    def test_uk_and_international_content_sit_in_their_own_folders(self):
        uk_modules = {"999000011000000103", "999000021000000109"}
        for row in self.release.tables["Concept"]:
            in_uk_folder = "UKClinicalRF2" in row["_where"]
            self.assertEqual(in_uk_folder, row["moduleId"] in uk_modules, row["_where"])

    def test_gb_and_us_dialects_differ_where_spelling_differs(self):
        for concept, gb, us in [
                ("390893007", "Referral to physical activity programme",
                 "Referral to physical activity program"),
                ("224486001", "Cares for a neighbour", "Cares for a neighbor")]:
            self.assertEqual(self.release.preferred_term(concept, GB), gb)
            self.assertEqual(self.release.preferred_term(concept, NHS), gb)
            self.assertEqual(self.release.preferred_term(concept, US), us)

    def test_low_mood_is_an_acceptable_synonym_of_depressed_mood(self):
        terms = {d["term"] for d in self.release.descriptions.values()
                 if d["conceptId"] == "366979004" and d["typeId"] == SYNONYM}
        self.assertIn("Low mood", terms)

    def test_confirmed_hierarchy_is_present(self):
        self.assertIn("306206005", self.release.parents["306238000"])
        self.assertIn("306238000", self.release.parents["444543005"])
        self.assertIn("3457005", self.release.ancestors("306238000"))
        self.assertIn("397663001", self.release.parents["309013001"])
        self.assertIn("404684003", self.release.ancestors("185369008"))

    def test_referral_source_bindings_are_not_empty(self):
        below_person = [c for c in self.release.concepts
                        if "309013001" in self.release.ancestors(c)]
        below_self = [c for c in self.release.concepts
                      if "306098008" in self.release.ancestors(c)]
        self.assertGreaterEqual(len(below_person), 5)
        self.assertGreaterEqual(len(below_self), 2)

    def test_history_has_each_association_type_from_inactive_concepts(self):
        for refset, minimum in [("900000000000527005", 2), ("900000000000526001", 2),
                                ("900000000000523009", 2)]:
            rows = self.release.members("Association", refset)
            self.assertGreaterEqual(len(rows), minimum, refset)
            for row in rows:
                self.assertEqual(self.release.concepts[row["referencedComponentId"]]["active"],
                                 "0")
                self.assertEqual(self.release.concepts[row["targetComponentId"]]["active"], "1")

    def test_every_inactive_concept_has_an_inactivation_reason(self):
        reasons = {r["referencedComponentId"]
                   for r in self.release.members("AttributeValue", "900000000000489007")}
        inactive = {c for c, r in self.release.concepts.items() if r["active"] == "0"}
        self.assertTrue(inactive)
        self.assertEqual(inactive, reasons)

    def test_simple_refset_has_a_handful_of_active_members(self):
        members = self.release.members("Simple", "1127531000000102")
        self.assertGreaterEqual(len(members), 3)

    def test_a_text_definition_longer_than_255_characters_exists(self):
        self.assertTrue(any(len(r["term"]) > 255 for r in self.release.tables["TextDefinition"]))

    def test_attribute_relationships_refine_myocardial_infarction(self):
        attributes = {(r["typeId"], r["destinationId"], r["relationshipGroup"])
                      for r in self.release.tables["Relationship"]
                      if r["sourceId"] == "22298006" and r["typeId"] != IS_A}
        self.assertEqual(attributes, {("363698007", "74281007", "1"),
                                      ("116676008", "55641003", "1")})


STARTER_DIR = STARTER

if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        STARTER_DIR = sys.argv.pop(1)
    unittest.main(verbosity=1)
