"""Shared helpers for the starter SNOMED CT release: SCTID checks and RF2 file layout.

Standard library only. Used by make_starter_release.py (writer) and
check_release.py (checker) so both agree on the Verhoeff tables, partitions
and the column list of every RF2 file type.
"""

import re

# Verhoeff tables, SNOMED CT Release File Specification section 6.4.2.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]

CONCEPT_PARTITIONS = ("00", "10")
DESCRIPTION_PARTITIONS = ("01", "11")
RELATIONSHIP_PARTITIONS = ("02", "12")
ALL_PARTITIONS = ("00", "01", "02", "10", "11", "12", "16")


def verhoeff_ok(digits):
    """True if the decimal string passes the Verhoeff check (check digit last)."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def verhoeff_digit(stem):
    """The check digit that makes stem + digit pass Verhoeff."""
    c = 0
    for i, ch in enumerate(reversed(stem)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def sctid_problem(value, partitions=ALL_PARTITIONS):
    """None if value is a well-formed SCTID in one of partitions, else a reason."""
    if not re.fullmatch(r"[0-9]{6,18}", value):
        return "not 6-18 digits"
    if value[0] == "0":
        return "leading zero"
    if value[-3:-1] not in partitions:
        return "partition %s not in %s" % (value[-3:-1], "/".join(partitions))
    if not verhoeff_ok(value):
        return "fails Verhoeff"
    return None


def mint_sctid(item, partition, namespace=None):
    """Builds an SCTID from an item number, partition and optional namespace."""
    stem = str(item) + (str(namespace) if namespace else "") + partition
    return stem + verhoeff_digit(stem)


# Column lists, DOMAIN.md section 2.6 / RF2 specification.
_REFSET_BASE = ["id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId"]
COLUMNS = {
    "Concept": ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"],
    "Description": ["id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode",
                    "typeId", "term", "caseSignificanceId"],
    "TextDefinition": ["id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode",
                       "typeId", "term", "caseSignificanceId"],
    "Relationship": ["id", "effectiveTime", "active", "moduleId", "sourceId", "destinationId",
                     "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"],
    "Simple": _REFSET_BASE,
    "Language": _REFSET_BASE + ["acceptabilityId"],
    "Association": _REFSET_BASE + ["targetComponentId"],
    "AttributeValue": _REFSET_BASE + ["valueId"],
    "SimpleMap": _REFSET_BASE + ["mapTarget"],
}

# Columns (beyond referencedComponentId) holding concept ids, per file type.
CONCEPT_COLUMNS = {
    "Concept": ["moduleId", "definitionStatusId"],
    "Description": ["moduleId", "conceptId", "typeId", "caseSignificanceId"],
    "TextDefinition": ["moduleId", "conceptId", "typeId", "caseSignificanceId"],
    "Relationship": ["moduleId", "sourceId", "destinationId", "typeId", "characteristicTypeId",
                     "modifierId"],
    "Simple": ["moduleId", "refsetId"],
    "Language": ["moduleId", "refsetId", "acceptabilityId"],
    "Association": ["moduleId", "refsetId"],
    "AttributeValue": ["moduleId", "refsetId", "valueId"],
    "SimpleMap": ["moduleId", "refsetId"],
}

def file_type(name):
    """Maps an RF2 file name to a key of COLUMNS, or None if it is not one we know.

    Accepts both International names (sct2_Concept_Snapshot_INT_20250701.txt) and
    UK names (sct2_Concept_UKCLSnapshot_GB1000000_20251001.txt).
    """
    m = re.match(r"^(?:x|z)?(sct2|der2)_([A-Za-z]+)_([A-Za-z]*?)(?:UKCL|UKCR|UKED)?"
                 r"(Snapshot|Full|Delta)(-[a-z]{2})?_([A-Z]+[0-9]*)_([0-9]{8})\.txt$", name)
    if not m:
        return None
    kind, sub = m.group(2), m.group(3)
    if m.group(1) == "sct2":
        return kind if kind in ("Concept", "Description", "TextDefinition",
                                "Relationship") else None
    table = {("Refset", "Simple"): "Simple", ("cRefset", "Language"): "Language",
             ("cRefset", "Association"): "Association",
             ("cRefset", "AttributeValue"): "AttributeValue",
             ("sRefset", "SimpleMap"): "SimpleMap"}
    return table.get((kind, sub))
