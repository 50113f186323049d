#!/usr/bin/env python3
"""Writes Sprout's bundled starter SNOMED CT release (RF2 Snapshot) into snomed/data/starter/.

Usage: python3 snomed/data/make_starter_release.py [--out DIR]

The curated content lives in starter_content.py; this script only lays it out as
two release folders in the real packaging layout:

  SnomedCT_InternationalRF2_PRODUCTION_20250701T120000Z/  International naming (INT)
  SnomedCT_UKClinicalRF2_PRODUCTION_20251001T000001Z/      UK naming (UKCL, GB1000000)

Concept ids are real. Description and relationship ids are real where the
source gave them; otherwise they are minted deterministically (a hash of the
component's content, so adding a concept does not renumber the others) in item
ranges no real release uses. Refset member ids are uuid5 of the member's key.
Output is byte-for-byte reproducible: UTF-8, tab-separated, CRLF, rows sorted.
Standard library only.
"""

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import uuid

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rf2lib  # noqa: E402

# =============================================================================
# Curated content. Every concept id is real and passes Verhoeff. For each concept:
# FSN, GB/NHS preferred term, optional US preferred term (where the dialects
# differ), acceptable synonyms, is-a parents, module, and provenance (source,
# certainty, and whether the parent is the real direct parent or a collapse to
# the nearest ancestor we could confirm). README.md is generated from the same
# table's provenance column, so keep `src` short and factual.
# =============================================================================

INT_DATE = "20250701"  # International Edition release date used for this subset
UK_DATE = "20251001"  # UK Clinical Edition release date used for this subset

CORE = "900000000000207008"  # SNOMED CT core module
MODEL = "900000000000012004"  # SNOMED CT model component module
UKCL = "999000011000000103"  # UK clinical extension module
UKREF = "999000021000000109"  # UK clinical extension reference set module

GB_LANG = "900000000000508004"
US_LANG = "900000000000509007"
NHS_LANG = "999001261000000100"
CONCEPT_INACTIVATION_REFSET = "900000000000489007"
REPLACED_BY = "900000000000526001"
SAME_AS = "900000000000527005"
POSSIBLY_EQUIVALENT_TO = "900000000000523009"
DUPLICATE = "900000000000482003"
OUTDATED = "900000000000483008"
AMBIGUOUS = "900000000000484002"
ERRONEOUS = "900000000000485001"
PRIMITIVE = "900000000000074008"
DEFINED = "900000000000073002"

# Provenance labels (expanded in README.md).
S_TOP = "top-level"  # SNOMED CT top-level hierarchy, DOMAIN.md 2.7
S_META = "metadata"  # RF2 metadata, DOMAIN.md 2.7 / RF2 specification
S_DOM = "DOMAIN"  # DOMAIN.md section 1 table (with the sources it cites)
S_FHIR = "FHIR-referral"  # member of FHIR STU3 referral-type expansion (<< 3457005)
S_TX = "tx.fhir.org"  # concept page of tx.fhir.org / tx-dev.fhir.org (stored copy)
S_CARER = "carer-list"  # public carer code list with FSNs (UK GP codes, R script)
S_EG = "SNOMED-editorial"  # SNOMED International editorial guide inactivation examples
S_ECL = "ECL-examples"  # ECL/SCG examples in public parser tests (MI model)
S_NRLF = "NHS-valueset"  # NHS England practice-setting value set (NRLF code)
S_UKCORE = "UK-Core"  # UK Core / Interweave FHIR guides
S_SOURCES = "UK-Core-expansion"  # UKCore-SourceOfServiceRequest expansion, UK edition 20220119


class Concept:
    """One curated concept. `parent_note` says how its parents were established."""

    def __init__(self, cid, fsn, pt, parents, module=CORE, synonyms=(), us_pt=None, ids=None,
                 active=True, defined=False, src=S_DOM, certainty="High",
                 parent_note="confirmed", effective=None):
        self.id, self.fsn, self.pt, self.parents = cid, fsn, pt, list(parents)
        self.module, self.synonyms, self.us_pt = module, list(synonyms), us_pt
        self.ids = dict(ids or {})  # term -> real description id, where known
        self.active = active
        self.definition_status = DEFINED if defined else PRIMITIVE
        self.src, self.certainty, self.parent_note = src, certainty, parent_note
        self.effective = effective  # concept row effectiveTime, if known and not the release's


CONCEPTS = []


def c(*args, **kwargs):
    CONCEPTS.append(Concept(*args, **kwargs))


SPEC = "spec"  # parent as in the metadata hierarchy of the RF2 specification and tools


def meta(cid, fsn, parents, module=MODEL, parent_note=SPEC, **kwargs):
    """A metadata concept: PT is the FSN without its semantic tag."""
    pt = fsn[:fsn.rindex(" (")]
    c(cid, fsn, pt, parents, module=module, src=S_META, parent_note=parent_note, **kwargs)


ROOT = "138875005"
FINDING, PROCEDURE, SITUATION, EVENT = "404684003", "71388002", "243796009", "272379006"
QUALIFIER, ORGANISM, BODY, SOCIAL_CONTEXT = "362981000", "410607006", "123037004", "48176007"
DISEASE, PERSON, REFERRAL, REFERRAL_TO_SERVICE = "64572001", "125676002", "3457005", "306206005"
COLLAPSED = "collapsed"  # real direct parent not confirmed: attached to nearest confirmed ancestor

# --- Root and top-level hierarchies -------------------------------------------
c(ROOT, "SNOMED CT Concept (SNOMED RT+CTV3)", "SNOMED CT Concept", [], src=S_TOP)
for cid, fsn in [
        (FINDING, "Clinical finding (finding)"), (PROCEDURE, "Procedure (procedure)"),
        (SITUATION, "Situation with explicit context (situation)"), (EVENT, "Event (event)"),
        ("363787002", "Observable entity (observable entity)"),
        ("419891008", "Record artifact (record artifact)"),
        (BODY, "Body structure (body structure)"), (QUALIFIER, "Qualifier value (qualifier value)"),
        ("308916002", "Environment or geographical location (environment / location)"),
        ("370115009", "Special concept (special concept)"), (ORGANISM, "Organism (organism)"),
        ("373873005", "Pharmaceutical / biologic product (product)"),
        (SOCIAL_CONTEXT, "Social context (social concept)")]:
    c(cid, fsn, fsn[:fsn.rindex(" (")], [ROOT], src=S_TOP)
c(DISEASE, "Disease (disorder)", "Disease", [FINDING], src=S_TOP, parent_note=COLLAPSED)
c(PERSON, "Person (person)", "Person", [SOCIAL_CONTEXT], src=S_UKCORE, parent_note=COLLAPSED)

# --- Model component metadata ---------------------------------------------------
MODEL_COMPONENT, CORE_META, FOUNDATION = ("900000000000441003", "900000000000442005",
                                          "900000000000454005")
meta(MODEL_COMPONENT, "SNOMED CT Model Component (metadata)", [ROOT])
meta(CORE_META, "Core metadata concept (core metadata concept)", [MODEL_COMPONENT])
meta(FOUNDATION, "Foundation metadata concept (foundation metadata concept)", [MODEL_COMPONENT])
meta("410662002", "Concept model attribute (attribute)", [MODEL_COMPONENT])
meta("762705008", "Concept model object attribute (attribute)", ["410662002"])
meta("116680003", "Is a (attribute)", ["410662002"])
meta("363698007", "Finding site (attribute)", ["762705008"])
meta("116676008", "Associated morphology (attribute)", ["762705008"])
meta("900000000000443000", "Module (core metadata concept)", [CORE_META])
meta("900000000000445007", "IHTSDO maintained module (core metadata concept)",
     ["900000000000443000"], certainty="Medium")
meta(CORE, "SNOMED CT core module (core metadata concept)", ["900000000000445007"],
     certainty="Medium")
meta(MODEL, "SNOMED CT model component module (core metadata concept)", ["900000000000445007"],
     certainty="Medium")
meta(UKCL, "SNOMED CT United Kingdom clinical extension module (core metadata concept)",
     ["900000000000443000"], module=UKCL, parent_note=COLLAPSED, certainty="High")
meta(UKREF, "SNOMED CT United Kingdom clinical extension reference set module "
     "(core metadata concept)", ["900000000000443000"], module=UKCL, parent_note=COLLAPSED,
     certainty="Medium")
meta("900000000000444006", "Definition status (core metadata concept)", [CORE_META])
meta(PRIMITIVE, "Not sufficiently defined by necessary conditions definition status "
     "(core metadata concept)", ["900000000000444006"])
meta(DEFINED, "Sufficiently defined by necessary conditions definition status "
     "(core metadata concept)", ["900000000000444006"])
meta("900000000000446008", "Description type (core metadata concept)", [CORE_META])
for cid, fsn in [("900000000000003001", "Fully specified name (core metadata concept)"),
                 ("900000000000013009", "Synonym (core metadata concept)"),
                 ("900000000000550004", "Definition (core metadata concept)")]:
    meta(cid, fsn, ["900000000000446008"])
meta("900000000000447004", "Case significance (core metadata concept)", [CORE_META])
for cid, fsn in [("900000000000448009", "Entire term case insensitive (core metadata concept)"),
                 ("900000000000017005", "Entire term case sensitive (core metadata concept)"),
                 ("900000000000020002",
                  "Only initial character case insensitive (core metadata concept)")]:
    meta(cid, fsn, ["900000000000447004"])
meta("900000000000449001", "Characteristic type (core metadata concept)", [CORE_META])
meta("900000000000006009", "Defining relationship (core metadata concept)",
     ["900000000000449001"])
meta("900000000000010007", "Stated relationship (core metadata concept)",
     ["900000000000006009"])
meta("900000000000011006", "Inferred relationship (core metadata concept)",
     ["900000000000006009"])
meta("900000000000227009", "Additional relationship (core metadata concept)",
     ["900000000000449001"])
meta("900000000000450001", "Modifier (core metadata concept)", [CORE_META])
meta("900000000000451002", "Existential restriction modifier (core metadata concept)",
     ["900000000000450001"])
meta("900000000000511003", "Acceptability (foundation metadata concept)", [FOUNDATION])
meta("900000000000548007", "Preferred (foundation metadata concept)", ["900000000000511003"])
meta("900000000000549004", "Acceptable (foundation metadata concept)", ["900000000000511003"])

# Reference set concepts.
REFSET = "900000000000455006"
meta(REFSET, "Reference set (foundation metadata concept)", [FOUNDATION])
meta("446609009", "Simple type reference set (foundation metadata concept)", [REFSET])
meta("900000000000496009", "Simple map type reference set (foundation metadata concept)",
     [REFSET])
meta("900000000000497000", "CTV3 simple map reference set (foundation metadata concept)",
     ["900000000000496009"])
meta("900000000000506000", "Language type reference set (foundation metadata concept)",
     [REFSET])
meta(GB_LANG, "Great Britain English language reference set (foundation metadata concept)",
     ["900000000000506000"])
meta(US_LANG, "United States of America English language reference set "
     "(foundation metadata concept)", ["900000000000506000"])
meta(NHS_LANG, "National Health Service realm language reference set (clinical part) "
     "(foundation metadata concept)", ["900000000000506000"], module=UKREF,
     parent_note=COLLAPSED)
meta("900000000000480006", "Attribute value type reference set (foundation metadata concept)",
     [REFSET])
meta(CONCEPT_INACTIVATION_REFSET, "Concept inactivation indicator attribute value reference set "
     "(foundation metadata concept)", ["900000000000480006"])
meta("900000000000521006", "Association type reference set (foundation metadata concept)",
     [REFSET])
meta("900000000000522004", "Historical association reference set (foundation metadata concept)",
     ["900000000000521006"], parent_note="confirmed")
for cid, name in [(REPLACED_BY, "REPLACED BY"), (SAME_AS, "SAME AS"),
                  (POSSIBLY_EQUIVALENT_TO, "POSSIBLY EQUIVALENT TO"),
                  ("900000000000528000", "WAS A"), ("900000000000524003", "MOVED TO"),
                  ("900000000000530003", "ALTERNATIVE")]:
    meta(cid, "%s association reference set (foundation metadata concept)" % name,
         ["900000000000522004"], parent_note="confirmed")
meta("1127531000000102", "Services simple reference set (foundation metadata concept)",
     ["446609009"], module=UKREF, parent_note=COLLAPSED)
meta("900000000000481005", "Concept inactivation value (foundation metadata concept)",
     [FOUNDATION], parent_note=COLLAPSED, certainty="Medium")
for cid, fsn in [(DUPLICATE, "Duplicate component (foundation metadata concept)"),
                 (OUTDATED, "Outdated component (foundation metadata concept)"),
                 (AMBIGUOUS, "Ambiguous component (foundation metadata concept)"),
                 (ERRONEOUS, "Erroneous component (foundation metadata concept)")]:
    meta(cid, fsn, ["900000000000481005"])

# --- Referral procedures (DOMAIN.md 1.2, 1.3) -----------------------------------
c(REFERRAL, "Patient referral (procedure)", "Patient referral", [PROCEDURE],
  synonyms=["Referral procedure", "Referral"], src=S_TX, parent_note=COLLAPSED,
  ids={"Patient referral (procedure)": "766109014", "Patient referral": "6837014",
       "Referral procedure": "1228184012", "Referral": "1490716015"})
c(REFERRAL_TO_SERVICE, "Referral to service (procedure)", "Referral to service", [REFERRAL],
  src=S_FHIR, parent_note=COLLAPSED)
c("306238000", "Referral to Social Services (procedure)", "Referral to Social Services",
  [REFERRAL_TO_SERVICE], src=S_TX)
c("306239008", "Referral to social services department customer services (procedure)",
  "Referral to social services department customer services", ["306238000"], src=S_TX,
  certainty="Medium")
c("306240005", "Referral to social services department duty team (procedure)",
  "Referral to social services department duty team", ["306238000"], src=S_TX,
  certainty="Medium")
c("444543005", "Referral to social services for adult protection (procedure)",
  "Referral to social services for adult protection", ["306238000"], src=S_TX,
  certainty="Medium")
c("308440001", "Referral to social worker (procedure)", "Referral to social worker", [REFERRAL],
  src=S_FHIR, parent_note=COLLAPSED)
c("390893007", "Referral to physical activity program (procedure)",
  "Referral to physical activity programme", [REFERRAL],
  us_pt="Referral to physical activity program", src=S_FHIR, parent_note=COLLAPSED)
c("306098008", "Self-referral (procedure)", "Self-referral", [REFERRAL], src=S_FHIR,
  parent_note=COLLAPSED)
c("871731000000106", "Referral to social prescribing service (procedure)",
  "Referral to social prescribing service", [PROCEDURE], module=UKCL, parent_note=COLLAPSED)
c("771491000000104", "Referral to local authority weight management programme (procedure)",
  "Referral to local authority weight management programme", [PROCEDURE], module=UKCL,
  certainty="Medium", parent_note=COLLAPSED)
c("837111000000105", "Referral to residential weight management programme (procedure)",
  "Referral to residential weight management programme", [PROCEDURE], module=UKCL,
  certainty="Medium", parent_note=COLLAPSED)
c("1084431000000106", "Signposting to Social Services (procedure)",
  "Signposting to Social Services", [PROCEDURE], module=UKCL, certainty="Medium",
  parent_note=COLLAPSED)
c("835181000000106", "Agreeing on health and social care plan (procedure)",
  "Agreeing on health and social care plan", [PROCEDURE], module=UKCL, certainty="Medium",
  parent_note=COLLAPSED)
c("871711000000103", "Social prescribing declined (situation)", "Social prescribing declined",
  [SITUATION], module=UKCL, parent_note=COLLAPSED)

# --- Referral source (DOMAIN.md 1.3) --------------------------------------------
c("397663001", "Referral source (finding)", "Referral source", [FINDING],
  synonyms=["Source of referral"], src=S_TX, parent_note=COLLAPSED,
  ids={"Referral source (finding)": "1765581019", "Referral source": "1777278010",
       "Source of referral": "1785907015"})
c("309013001", "Referred by person (finding)", "Referred by person", ["397663001"], src=S_TX)
# Referral sources: members of the UK Core SourceOfServiceRequest expansion
# (< 309013001 OR < 306098008, UK edition 20220119). A "Referred by ..." member cannot sit
# below the procedure 306098008, so it is below the finding 309013001 (hence its tag);
# self-referral procedures (also in the << 3457005 expansion) are below 306098008.
for cid, term, module in [("108161000000109", "Referred by general practitioner", UKCL),
                          ("1065391000000104", "Referred by carer", UKCL),
                          ("309014007", "Referred by doctor", CORE),
                          ("185362004", "Referred by nurse", CORE),
                          ("185365002", "Referred by social worker", CORE),
                          ("185369008", "Referred by pharmacist", CORE),
                          ("185373006", "Referred by family", CORE)]:
    c(cid, "%s (finding)" % term, term, ["309013001"], module=module, src=S_SOURCES,
      parent_note=COLLAPSED)
for cid, term in [("310434002", "Self-referral to service"),
                  ("183690008", "Psychiatric self-referral")]:
    c(cid, "%s (procedure)" % term, term, ["306098008"], src=S_SOURCES, parent_note=COLLAPSED)
c("811871000000107", "Health and social care plan agreed (finding)",
  "Health and social care plan agreed", [FINDING], module=UKCL, certainty="Medium",
  parent_note=COLLAPSED)

# --- Reasons for referral / wider determinants (DOMAIN.md 1.4) --------------------
for cid, term, cert in [
        ("267076002", "Feeling lonely", "High"), ("422650009", "Social isolation", "High"),
        ("423315002", "Limited social contact", "High"), ("105529008", "Lives alone", "High"),
        ("1230392000", "Not feeling lonely", "Medium"),
        ("1230391007", "Adequate social connection", "Medium"),
        ("160932005", "Financial problem", "High"),
        ("160934006", "Financial circumstances change", "Medium"),
        ("224165005", "Financially secure", "Medium"), ("81877007", "Housing problems", "High"),
        ("105531004", "Housing unsatisfactory", "High"), ("32911000", "Homeless", "High"),
        ("73438004", "Unemployed", "High"), ("160903007", "Full-time employment", "High"),
        ("741062008", "Not in labor force", "Medium"), ("33553000", "Widowed", "High"),
        ("48694002", "Anxiety", "High"), ("73595000", "Stress", "High"),
        ("40979000", "Lack of physical exercise", "Medium"),
        ("161152002", "Social problem", "High"), ("417430008", "Vulnerable adult", "High")]:
    c(cid, "%s (finding)" % term, term, [FINDING], certainty=cert, parent_note=COLLAPSED)
c("366979004", "Depressed mood (finding)", "Depressed mood", [FINDING], synonyms=["Low mood"],
  parent_note=COLLAPSED)
c("74506000", "Bereavement (life event - finding)", "Bereavement", [FINDING], certainty="Medium",
  parent_note=COLLAPSED)
c("105441003", "Death of spouse (event)", "Death of spouse", [EVENT], certainty="Medium",
  parent_note=COLLAPSED)

# Carers (DOMAIN.md 1.4; FSNs confirmed in a public carer code list).
c("133932002", "Caregiver (person)", "Caregiver", [PERSON], src=S_CARER, parent_note=COLLAPSED)
c("407542009", "Informal caregiver (person)", "Informal caregiver", [PERSON], src=S_CARER,
  certainty="Medium", parent_note=COLLAPSED)
c("1364141000000107", "Unpaid caregiver (person)", "Unpaid caregiver", [PERSON], module=UKCL,
  certainty="Medium", parent_note=COLLAPSED)
c("302767002", "Cares for a relative (finding)", "Cares for a relative", [FINDING], src=S_CARER,
  certainty="Medium", parent_note=COLLAPSED)
c("224486001", "Cares for a neighbor (finding)", "Cares for a neighbour", [FINDING],
  us_pt="Cares for a neighbor", src=S_CARER, certainty="Medium", parent_note=COLLAPSED)
c("413760003", "Caregiver of a person with chronic disease (finding)",
  "Caregiver of a person with chronic disease", [FINDING], src=S_CARER, certainty="Medium",
  parent_note=COLLAPSED)
c("300979000", "Caregiver stress syndrome (disorder)", "Caregiver stress syndrome", [DISEASE],
  src=S_CARER, certainty="Medium", parent_note=COLLAPSED)
c("824401000000105", "Carer of person with dementia (finding)", "Carer of person with dementia",
  [FINDING], module=UKCL, src=S_CARER, certainty="Medium", parent_note=COLLAPSED)
c("794111000000107", "Receiving carer allowance (finding)", "Receiving carer allowance",
  [FINDING], module=UKCL, certainty="Medium", parent_note=COLLAPSED)
c("1366321000000106", "Has Carer Contingency Plan (finding)", "Has Carer Contingency Plan",
  [FINDING], module=UKCL, certainty="Medium", parent_note=COLLAPSED)

# --- Safeguarding flags (DOMAIN.md 1.6, BaRS safeguarding CodeSystem) -----------
for cid, fsn, module in [
        ("707087005", "At risk of domestic violence (finding)", CORE),
        ("248054003", "Self-neglect (finding)", CORE),
        ("401206008", "At risk for deliberate self harm (finding)", CORE),
        ("766969008", "At risk of radicalization (finding)", CORE),
        ("713201008", "At risk of female genital mutilation (finding)", CORE),
        ("766561000000109", "Adult safeguarding concern (finding)", UKCL),
        ("836881000000105", "Child is cause for safeguarding concern (finding)", UKCL),
        ("881081000000100", "Domestic abuse victim in household (finding)", UKCL),
        ("761571000000106", "At risk of financial abuse (finding)", UKCL),
        ("919461000000108", "At risk of sexual exploitation (finding)", UKCL),
        ("861931000000100", "No safeguarding issues identified (finding)", UKCL)]:
    c(cid, fsn, fsn[:fsn.rindex(" (")], [FINDING], module=module, parent_note=COLLAPSED)
c("697950003", "Suspected domestic abuse (situation)", "Suspected domestic abuse", [SITUATION],
  parent_note=COLLAPSED)
c("864491000000105", "Has child subject of child protection plan (situation)",
  "Has child subject of child protection plan", [SITUATION], module=UKCL,
  parent_note=COLLAPSED)

# --- Service types for the simple refset (UK Core care setting type) ------------
# Semantic tags: 413294000 and 983341000000102 are seen with "(qualifier value)" in NHS code;
# 413331009 (same 4132xx/4133xx "... services" series) and 708168004 are inferred, Medium.
for cid, term, module, src in [
        ("413294000", "Community health services", CORE, S_UKCORE),
        ("983341000000102", "Pharmacy First service", UKCL, S_NRLF),
        ("413331009", "Voluntary services", CORE, S_NRLF),
        ("708168004", "Mental health service", CORE, S_NRLF)]:
    c(cid, "%s (qualifier value)" % term, term, [QUALIFIER], module=module, src=src,
      certainty="Medium", parent_note=COLLAPSED)
SIMPLE_REFSET = "1127531000000102"
SIMPLE_REFSET_MEMBERS = ["413294000", "983341000000102", "413331009", "708168004"]

# --- A fully modelled disorder for ECL attribute refinements -------------------
c("22298006", "Myocardial infarction (disorder)", "Myocardial infarction", [DISEASE],
  synonyms=["Heart attack"], src=S_ECL, parent_note=COLLAPSED, defined=True)
c("74281007", "Myocardium structure (body structure)", "Myocardium structure", [BODY],
  src=S_ECL, parent_note=COLLAPSED)
c("55641003", "Infarct (morphologic abnormality)", "Infarct", [BODY], src=S_ECL,
  parent_note=COLLAPSED)
ATTRIBUTES = [  # (source, attribute type, destination, relationship group)
    ("22298006", "363698007", "74281007", 1),
    ("22298006", "116676008", "55641003", 1),
]

# --- History: real inactivations documented by SNOMED International ------------
c("235998001", "Perinephric abscess (disorder)", "Perinephric abscess", [], active=False,
  src=S_EG)
c("80640009", "Perirenal abscess (disorder)", "Perirenal abscess", [DISEASE],
  synonyms=["Perinephric abscess"], src=S_EG, parent_note=COLLAPSED)
c("145857006", "Soft tissue X-ray abnormal (situation)", "Soft tissue X-ray abnormal", [],
  active=False, src=S_EG)
c("168711005", "Soft tissue X-ray abnormal (finding)", "Soft tissue X-ray abnormal", [FINDING],
  src=S_EG, parent_note=COLLAPSED)
c("69878008", "Polycystic ovaries (disorder)", "Polycystic ovaries", [], active=False, src=S_EG)
c("781067001", "Polycystic ovary (disorder)", "Polycystic ovary", [DISEASE], src=S_EG,
  parent_note=COLLAPSED)
c("237055002", "Polycystic ovary syndrome (disorder)", "Polycystic ovary syndrome", [DISEASE],
  src=S_EG, parent_note=COLLAPSED)
c("114457004", "Klebsiella ornithinolytica (organism)", "Klebsiella ornithinolytica", [],
  active=False, src=S_EG)
c("416832000", "Raoultella ornithinolytica (organism)", "Raoultella ornithinolytica",
  [ORGANISM], src=S_EG, parent_note=COLLAPSED)
c("301017003", "Decubitus ulcer of breast (disorder)", "Decubitus ulcer of breast", [],
  active=False, src=S_EG)
c("699212006", "Pressure ulcer of breast (disorder)", "Pressure ulcer of breast", [DISEASE],
  src=S_EG, parent_note=COLLAPSED)
c("305924006", "Referral by doctor (procedure)", "Referral by doctor", [], active=False,
  synonyms=["Referral from doctor"], src=S_TX, effective="20190131",
  ids={"Referral by doctor (procedure)": "702275018", "Referral by doctor": "448522015",
       "Referral from doctor": "448523013"})
ASSOCIATIONS = [  # (inactive concept, association refset, target)
    ("235998001", SAME_AS, "80640009"),
    ("145857006", SAME_AS, "168711005"),
    ("69878008", POSSIBLY_EQUIVALENT_TO, "781067001"),
    ("69878008", POSSIBLY_EQUIVALENT_TO, "237055002"),
    ("114457004", REPLACED_BY, "416832000"),
    ("301017003", REPLACED_BY, "699212006"),
]
INACTIVATION_REASONS = [  # (inactive concept, reason); 305924006's reason is inferred
    ("235998001", DUPLICATE), ("145857006", DUPLICATE), ("69878008", AMBIGUOUS),
    ("114457004", OUTDATED), ("301017003", OUTDATED), ("305924006", DUPLICATE),
]

# --- CTV3 simple map (GM-SDE code set pairs) -------------------------------------
SIMPLE_MAP = [  # (map refset, concept, CTV3 code)
    ("900000000000497000", "871731000000106", "XaaEC"),
    ("900000000000497000", "390893007", "XaIQY"),
    ("900000000000497000", "771491000000104", "XaXZ9"),
    ("900000000000497000", "837111000000105", "XaZKe"),
]

# --- Text definition (constructed from DOMAIN.md 1.2, see README) --------------
TEXT_DEFINITIONS = [
    ("871731000000106",
     "Referral of a person to a social prescribing link worker, recorded when the person "
     "accepts the referral. In England, NHS England guidance is to record this code once, at "
     "the first interaction of an episode of care with the link worker, and not for ongoing "
     "activity, welfare calls, appointment-booking calls or administrative tasks; a person who "
     "declines the referral is recorded with the social prescribing declined code instead."),
]

BY_ID = {concept.id: concept for concept in CONCEPTS}


def validate():
    """Fails loudly on curation mistakes before anything is written."""
    seen = set()
    for concept in CONCEPTS:
        problem = rf2lib.sctid_problem(concept.id, rf2lib.CONCEPT_PARTITIONS)
        assert problem is None, "%s: %s" % (concept.id, problem)
        assert concept.id not in seen, "duplicate concept %s" % concept.id
        seen.add(concept.id)
        uk_id = concept.id[-3:-1] == "10"
        assert uk_id == (concept.module in (UKCL, UKREF)) or concept.src == S_META, concept.id
        for parent in concept.parents:
            assert parent in BY_ID and BY_ID[parent].active, (concept.id, parent)
        assert concept.active or not concept.parents, concept.id
    refs = [a[2] for a in ATTRIBUTES] + [a[1] for a in ATTRIBUTES] + [a[0] for a in ATTRIBUTES]
    refs += [a[2] for a in ASSOCIATIONS] + [r[1] for r in INACTIVATION_REASONS]
    refs += SIMPLE_REFSET_MEMBERS + [SIMPLE_REFSET] + [m[1] for m in SIMPLE_MAP]
    for ref in refs:
        assert ref in BY_ID, "referenced concept %s is not curated" % ref

INT_DIR = "SnomedCT_InternationalRF2_PRODUCTION_%sT120000Z" % INT_DATE
UK_DIR = "SnomedCT_UKClinicalRF2_PRODUCTION_%sT000001Z" % UK_DATE

FSN, SYN, DEF = "900000000000003001", "900000000000013009", "900000000000550004"
PREFERRED, ACCEPTABLE = "900000000000548007", "900000000000549004"
IS_A, INFERRED, EXISTENTIAL = "116680003", "900000000000011006", "900000000000451002"
CASE_INSENSITIVE = "900000000000448009"
CASE_SENSITIVE = "900000000000017005"
INITIAL_INSENSITIVE = "900000000000020002"

# Namespace for refset member uuid5 ids (itself a uuid5 of a fixed project string).
MEMBER_NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sprout:snomed:starter-release")

# Minted component ids use item numbers far above those real releases have used so far:
# short format 888xxxxxxx (10-digit item, 13-digit id) and long format 888xxxxx in
# the UK namespace 1000000 (18-digit id).
_MINTED = set()


def _mint(key, partition, uk):
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    span, base = (10**5, 88800000) if uk else (10**7, 8880000000)
    offset = digest % span
    while True:
        sctid = rf2lib.mint_sctid(base + offset, partition, "1000000" if uk else None)
        if sctid not in _MINTED:
            _MINTED.add(sctid)
            return sctid
        offset = (offset + 1) % span


def _case(term):
    """Case significance as the authoring rules would set it for a new term."""
    first = term.split(" ")[0]
    if len(first) > 1 and first.isupper():
        return CASE_SENSITIVE  # starts with an acronym: SNOMED, NHS, REPLACED BY
    if any(ch.isupper() for ch in term[1:]):
        return INITIAL_INSENSITIVE
    return CASE_INSENSITIVE


def _is_uk(module):
    return module in (UKCL, UKREF)


def _eff(module):
    return UK_DATE if _is_uk(module) else INT_DATE


class Release:
    """Collects rows per (folder, file type) and writes them out."""

    def __init__(self):
        self.rows = {}

    def add(self, uk, kind, row):
        self.rows.setdefault((uk, kind), []).append([str(v) for v in row])

    def member(self, uk, kind, module, refset, component, *extra, active=1, key=None):
        member_key = key or ":".join([refset, component] + [str(e) for e in extra])
        member_id = str(uuid.uuid5(MEMBER_NS, member_key))
        self.add(uk, kind, [member_id, _eff(module), active, module, refset, component] +
                 list(extra))


def _file_name(uk, kind):
    ns, date = ("GB1000000", UK_DATE) if uk else ("INT", INT_DATE)
    part = "UKCL" if uk else ""
    names = {
        "Concept": ("Terminology", "sct2_Concept_%sSnapshot_%s_%s.txt"),
        "Description": ("Terminology", "sct2_Description_%sSnapshot-en_%s_%s.txt"),
        "TextDefinition": ("Terminology", "sct2_TextDefinition_%sSnapshot-en_%s_%s.txt"),
        "Relationship": ("Terminology", "sct2_Relationship_%sSnapshot_%s_%s.txt"),
        "Language": ("Refset/Language", "der2_cRefset_Language%sSnapshot-en_%s_%s.txt"),
        "Association": ("Refset/Content", "der2_cRefset_Association%sSnapshot_%s_%s.txt"),
        "AttributeValue": ("Refset/Content", "der2_cRefset_AttributeValue%sSnapshot_%s_%s.txt"),
        "Simple": ("Refset/Content", "der2_Refset_Simple%sSnapshot_%s_%s.txt"),
        "SimpleMap": ("Refset/Map", "der2_sRefset_SimpleMap%sSnapshot_%s_%s.txt"),
    }
    folder, pattern = names[kind]
    return os.path.join(UK_DIR if uk else INT_DIR, "Snapshot", folder,
                        pattern % (part, ns, date))


def build():
    """Turns starter_content into RF2 rows. Returns the Release."""
    rel = Release()
    for c in CONCEPTS:
        uk = _is_uk(c.module)
        rel.add(uk, "Concept", [c.id, c.effective or _eff(c.module), 1 if c.active else 0,
                                c.module, c.definition_status])
        _descriptions(rel, c)
        if not c.active:
            continue
        for parent in c.parents:
            _relationship(rel, c, parent, IS_A, 0)
    for source, type_id, dest, group in ATTRIBUTES:
        _relationship(rel, BY_ID[source], dest, type_id, group)
    _history(rel)
    _simple_refset(rel)
    _simple_map(rel)
    for concept_id, text in TEXT_DEFINITIONS:
        c = BY_ID[concept_id]
        uk = _is_uk(c.module)
        desc_id = _mint("def:%s" % concept_id, "11" if uk else "01", uk)
        rel.add(uk, "TextDefinition", [desc_id, _eff(c.module), 1, c.module, concept_id, "en",
                                       DEF, text, CASE_INSENSITIVE])
        _language_rows(rel, c, desc_id, PREFERRED, PREFERRED, PREFERRED)
    return rel


def _descriptions(rel, c):
    uk = _is_uk(c.module)
    part = "11" if uk else "01"

    # Organism names keep their capitalisation (genus); other terms follow _case().
    organism = c.fsn.endswith("(organism)")

    def add(kind, term, gb, us, nhs, real_id=None):
        desc_id = real_id or _mint("desc:%s:%s:%s" % (c.id, kind, term), part, uk)
        case = CASE_SENSITIVE if organism else _case(term)
        rel.add(uk, "Description", [desc_id, _eff(c.module), 1, c.module, c.id, "en",
                                    FSN if kind == "fsn" else SYN, term, case])
        _language_rows(rel, c, desc_id, gb, us, nhs)

    add("fsn", c.fsn, PREFERRED, PREFERRED, PREFERRED, c.ids.get(c.fsn))
    if c.us_pt:
        # GB and NHS realm prefer pt; the US term is preferred in US only.
        add("syn", c.pt, PREFERRED, None, PREFERRED, c.ids.get(c.pt))
        add("syn", c.us_pt, None, PREFERRED, None, c.ids.get(c.us_pt))
    else:
        add("syn", c.pt, PREFERRED, PREFERRED, PREFERRED, c.ids.get(c.pt))
    for term in c.synonyms:
        add("syn", term, ACCEPTABLE, ACCEPTABLE, ACCEPTABLE, c.ids.get(term))


def _language_rows(rel, c, desc_id, gb, us, nhs):
    """GB and US rows live with the description's module; NHS realm rows in UK refset module."""
    uk = _is_uk(c.module)
    if gb:
        rel.member(uk, "Language", c.module, GB_LANG, desc_id, gb)
    if us and not uk:  # the UK edition carries no US dialect rows for UK content
        rel.member(uk, "Language", c.module, US_LANG, desc_id, us)
    if nhs:
        rel.member(True, "Language", UKREF, NHS_LANG, desc_id, nhs)


def _relationship(rel, c, dest, type_id, group):
    uk = _is_uk(c.module)
    rel_id = _mint("rel:%s:%s:%s:%d" % (c.id, type_id, dest, group), "12" if uk else "02", uk)
    rel.add(uk, "Relationship", [rel_id, _eff(c.module), 1, c.module, c.id, dest, group,
                                 type_id, INFERRED, EXISTENTIAL])


def _history(rel):
    for inactive, refset, target in ASSOCIATIONS:
        c = BY_ID[inactive]
        rel.member(_is_uk(c.module), "Association", c.module, refset, inactive, target)
    for inactive, reason in INACTIVATION_REASONS:
        c = BY_ID[inactive]
        rel.member(_is_uk(c.module), "AttributeValue", c.module, CONCEPT_INACTIVATION_REFSET,
                   inactive, reason)


def _simple_refset(rel):
    refset = BY_ID[SIMPLE_REFSET]
    for member in SIMPLE_REFSET_MEMBERS:
        rel.member(_is_uk(refset.module), "Simple", refset.module, refset.id, member)


def _simple_map(rel):
    for refset_id, concept_id, target in SIMPLE_MAP:
        c = BY_ID[concept_id]
        rel.member(_is_uk(c.module), "SimpleMap", c.module, refset_id, concept_id, target)


def write(rel, out_dir):
    """Writes every file (header-only where a file type has no rows in a folder)."""
    for uk in (False, True):
        kinds = ["Concept", "Description", "TextDefinition", "Relationship", "Language",
                 "Association", "AttributeValue", "Simple", "SimpleMap"]
        for kind in kinds:
            rows = sorted(rel.rows.get((uk, kind), []))
            path = os.path.join(out_dir, _file_name(uk, kind))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("\t".join(rf2lib.COLUMNS[kind]) + "\r\n")
                for row in rows:
                    f.write("\t".join(row) + "\r\n")
    # Empty Metadata folder, as in the real packaging (module dependency etc. live there).
    for folder in (INT_DIR, UK_DIR):
        os.makedirs(os.path.join(out_dir, folder, "Snapshot", "Refset", "Metadata"),
                    exist_ok=True)
        keep = os.path.join(out_dir, folder, "Snapshot", "Refset", "Metadata", ".gitkeep")
        open(keep, "w").close()


README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")
BEGIN_MARK = "<!-- BEGIN GENERATED by make_starter_release.py: do not edit by hand -->"
END_MARK = "<!-- END GENERATED -->"


def generated_readme_section(rel):
    """Counts and the per-concept provenance table, derived from the curated content."""
    out = [BEGIN_MARK, "", "### Counts", "",
           "| file type | International folder | UK folder |", "|---|---|---|"]
    for kind in ["Concept", "Description", "TextDefinition", "Relationship", "Language",
                 "Association", "AttributeValue", "Simple", "SimpleMap"]:
        out.append("| %s | %d | %d |" % (kind, len(rel.rows.get((False, kind), [])),
                                         len(rel.rows.get((True, kind), []))))
    active = sum(1 for x in CONCEPTS if x.active)
    out += ["", "%d concepts (%d active, %d inactive); %d attribute relationships." %
            (len(CONCEPTS), active, len(CONCEPTS) - active, len(ATTRIBUTES)), "",
            "### Provenance of every concept", "",
            "Parent: `confirmed` = the source shows this is-a; `collapsed` = the real direct "
            "parent was not confirmed, so the concept hangs from the nearest ancestor that is "
            "certain (subsumption stays true, intermediate levels are missing).", "",
            "| SCTID | FSN | folder | parents | parent | source | certainty |",
            "|---|---|---|---|---|---|---|"]
    for x in CONCEPTS:
        folder = "UK" if _is_uk(x.module) else "INT"
        parents = ", ".join(x.parents) if x.active else "(inactive)"
        note = x.parent_note if x.parents else "-"
        out.append("| %s | %s | %s | %s | %s | %s | %s |" %
                   (x.id, x.fsn, folder, parents, note, x.src, x.certainty))
    out += ["", END_MARK]
    return "\n".join(out)


def readme_text(rel):
    """README.md with its generated section replaced (unchanged if markers are absent)."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    if BEGIN_MARK not in text or END_MARK not in text:
        return text
    head, rest = text.split(BEGIN_MARK, 1)
    tail = rest.split(END_MARK, 1)[1]
    return head + generated_readme_section(rel) + tail


def _tree(root):
    """Relative path -> bytes for every file under root."""
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "starter"), help="output directory (replaced)")
    parser.add_argument("--verify", metavar="DIR",
                        help="write to a temporary directory and require DIR to be identical")
    args = parser.parse_args()
    validate()
    rel = build()
    if args.verify:
        with tempfile.TemporaryDirectory() as tmp:
            write(rel, tmp)
            want, have = _tree(tmp), _tree(args.verify)
        stale = sorted(p for p in set(want) | set(have) if want.get(p) != have.get(p))
        if stale:
            print("%s is stale; rerun make_starter_release.py. Differs: %s" %
                  (args.verify, ", ".join(stale)), file=sys.stderr)
            return 1
        with open(README, encoding="utf-8") as f:
            if f.read() != readme_text(rel):
                print("README.md generated section is stale; rerun make_starter_release.py",
                      file=sys.stderr)
                return 1
        print("%s matches the generator (%d files)" % (args.verify, len(want)))
        return 0
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    write(rel, args.out)
    text = readme_text(rel)
    with open(README, "w", encoding="utf-8") as f:
        f.write(text)
    counts = {}
    for (_, kind), rows in rel.rows.items():
        counts[kind] = counts.get(kind, 0) + len(rows)
    print("wrote %s: %s" % (args.out, ", ".join("%s=%d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
