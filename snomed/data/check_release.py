#!/usr/bin/env python3
"""Checks that one or more RF2 Snapshot release folders are well formed and consistent.

Usage:
  check_release.py DIR [DIR...]   check every release folder found under the DIRs
  check_release.py --self-test DIR
                                  copy DIR to a temporary directory, break the copy in
                                  known ways one at a time and require the checker to
                                  report each break (and to pass the untouched copy)

Checks (Snapshot files only; Full/Delta are ignored, and Snapshot refset types not
listed in rf2lib.COLUMNS are reported as not checked): header columns exactly as the RF2
specification; every row has the header's column count; UTF-8 with CRLF line
endings; effectiveTime is YYYYMMDD and active is 0/1; one row per id (Snapshot);
every SCTID is 6-18 digits, no leading zero, a partition that matches the column's
component type, and passes Verhoeff; refset member ids are unique UUIDs; every
referenced concept exists in the union of the folders; language rows refer to
existing descriptions; the is-a graph is acyclic and every active concept reaches
138875005; each active concept has exactly one active FSN (with a semantic tag) and one
preferred synonym in the NHS realm language refset 999001261000000100.

Exit status 0 when clean, 1 when problems were found (they are listed on stderr).
Standard library only.
"""

import os
import re
import shutil
import sys
import tempfile
import uuid

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rf2lib  # noqa: E402

ROOT = "138875005"
IS_A = "116680003"
FSN = "900000000000003001"
SYNONYM = "900000000000013009"
PREFERRED = "900000000000548007"
NHS_LANG = "999001261000000100"
MAX_PROBLEMS_PER_KIND = 20


class Problems:
    """Collects problems, capping repeats of one kind so output stays readable."""

    def __init__(self):
        self.items = []
        self._per_kind = {}

    def add(self, kind, message):
        count = self._per_kind.get(kind, 0) + 1
        self._per_kind[kind] = count
        if count <= MAX_PROBLEMS_PER_KIND:
            self.items.append("%s: %s" % (kind, message))
        elif count == MAX_PROBLEMS_PER_KIND + 1:
            self.items.append("%s: ... more problems of this kind omitted" % kind)


def find_files(roots):
    """RF2 Snapshot files under the roots, with their type (None if not one we check).

    Full and Delta files are ignored: Sprout loads Snapshots only.
    """
    found = []
    for root in roots:
        for dirpath, _, names in os.walk(root):
            for name in sorted(names):
                if name.endswith(".txt") and re.match(r"^x?z?(sct2|der2)_", name) and \
                        "Snapshot" in name:
                    found.append((os.path.join(dirpath, name), rf2lib.file_type(name)))
    return sorted(found)


def read_rows(path, kind, problems):
    """Parses one file; checks encoding, line endings, header and column counts."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add("encoding", "%s: not UTF-8 (%s)" % (path, e))
        return []
    if not text.endswith("\r\n"):
        problems.add("line-endings", "%s: last line does not end with CRLF" % path)
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    if any("\n" in line or "\r" in line for line in lines):
        problems.add("line-endings", "%s: lines must end with CRLF" % path)
        lines = [ln for line in lines for ln in line.replace("\r", "").split("\n")]
        while lines and lines[-1] == "":
            lines.pop()
    if not lines:
        problems.add("header", "%s: empty file" % path)
        return []
    expected = rf2lib.COLUMNS[kind]
    header = lines[0].split("\t")
    if header != expected:
        problems.add("header", "%s: header %s, expected %s" % (path, header, expected))
        return []
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(expected):
            problems.add("columns", "%s:%d: %d columns, expected %d" %
                         (path, number, len(fields), len(expected)))
            continue
        rows.append(dict(zip(expected, fields), _where="%s:%d" % (path, number)))
    return rows


def check_row_fields(kind, row, problems):
    where = row["_where"]
    if not re.fullmatch(r"[0-9]{8}", row["effectiveTime"]):
        problems.add("effectiveTime", "%s: %r" % (where, row["effectiveTime"]))
    if row["active"] not in ("0", "1"):
        problems.add("active", "%s: %r" % (where, row["active"]))
    if kind in ("Concept", "Description", "TextDefinition", "Relationship"):
        partitions = {"Concept": rf2lib.CONCEPT_PARTITIONS,
                      "Relationship": rf2lib.RELATIONSHIP_PARTITIONS}.get(
                          kind, rf2lib.DESCRIPTION_PARTITIONS)
        _check_sctid(row["id"], partitions, where, "id", problems)
    else:
        try:
            uuid.UUID(row["id"])
        except ValueError:
            problems.add("member-id", "%s: %r is not a UUID" % (where, row["id"]))
    for column in rf2lib.CONCEPT_COLUMNS[kind]:
        _check_sctid(row[column], rf2lib.CONCEPT_PARTITIONS, where, column, problems)
    if kind == "Language":
        _check_sctid(row["referencedComponentId"], rf2lib.DESCRIPTION_PARTITIONS, where,
                     "referencedComponentId", problems)
    elif kind in ("Simple", "Association", "AttributeValue", "SimpleMap"):
        _check_sctid(row["referencedComponentId"], rf2lib.CONCEPT_PARTITIONS, where,
                     "referencedComponentId", problems)
    if kind == "Association":
        _check_sctid(row["targetComponentId"], rf2lib.CONCEPT_PARTITIONS, where,
                     "targetComponentId", problems)


def _check_sctid(value, partitions, where, column, problems):
    problem = rf2lib.sctid_problem(value, partitions)
    if problem:
        problems.add("sctid", "%s: %s %r %s" % (where, column, value, problem))


def check(roots):
    """Runs every check over the union of the release folders. Returns a Problems."""
    problems = Problems()
    tables = {kind: [] for kind in rf2lib.COLUMNS}
    files = find_files(roots)
    if not files:
        problems.add("files", "no RF2 files under %s" % ", ".join(roots))
    for path, kind in files:
        if kind is None:
            # Other refset types (OWL axioms, extended maps, module dependency...) are
            # legitimate in a real edition; they are not checked here.
            print("check_release: not checked (type not covered): %s" % path, file=sys.stderr)
            continue
        for row in read_rows(path, kind, problems):
            check_row_fields(kind, row, problems)
            tables[kind].append(row)
    for kind in ("Concept", "Description", "TextDefinition", "Relationship"):
        if not any(kind == k for _, k in files):
            problems.add("files", "no %s file" % kind)
    _check_unique_ids(tables, problems)
    concepts = {row["id"]: row["active"] == "1" for row in tables["Concept"]}
    _check_references(tables, concepts, problems)
    _check_hierarchy(tables["Relationship"], concepts, problems)
    _check_terms(tables, concepts, problems)
    return problems


def _check_unique_ids(tables, problems):
    seen = {}
    for kind, rows in tables.items():
        for row in rows:
            if row["id"] in seen:
                problems.add("duplicate-id", "%s: id %s already used at %s" %
                             (row["_where"], row["id"], seen[row["id"]]))
            else:
                seen[row["id"]] = row["_where"]


def _check_references(tables, concepts, problems):
    descriptions = {row["id"] for row in tables["Description"] + tables["TextDefinition"]}

    def need(value, where, column):
        if rf2lib.sctid_problem(value, rf2lib.CONCEPT_PARTITIONS) is None and \
                value not in concepts:
            problems.add("missing-concept", "%s: %s %s is not in any Concept file" %
                         (where, column, value))

    for kind, rows in tables.items():
        for row in rows:
            for column in rf2lib.CONCEPT_COLUMNS[kind]:
                need(row[column], row["_where"], column)
            if kind == "Language":
                if row["referencedComponentId"] not in descriptions:
                    problems.add("missing-description", "%s: %s is not in any Description file"
                                 % (row["_where"], row["referencedComponentId"]))
            elif kind in ("Simple", "Association", "AttributeValue", "SimpleMap"):
                need(row["referencedComponentId"], row["_where"], "referencedComponentId")
            if kind == "Association":
                need(row["targetComponentId"], row["_where"], "targetComponentId")
                if concepts.get(row["referencedComponentId"]) is True and row["active"] == "1":
                    problems.add("history", "%s: active association from active concept %s" %
                                 (row["_where"], row["referencedComponentId"]))


def _check_hierarchy(relationships, concepts, problems):
    parents = {}
    for row in relationships:
        if row["active"] == "1" and row["typeId"] == IS_A:
            parents.setdefault(row["sourceId"], set()).add(row["destinationId"])
            if concepts.get(row["sourceId"]) is False:
                problems.add("hierarchy", "%s: inactive concept %s has an active is-a" %
                             (row["_where"], row["sourceId"]))
            if concepts.get(row["destinationId"]) is False:
                problems.add("hierarchy", "%s: is-a points at inactive concept %s" %
                             (row["_where"], row["destinationId"]))
    # Iterative three-colour DFS: finds cycles without recursion limits.
    white, grey, black = 0, 1, 2
    colour = {}
    for start in sorted(parents):
        if colour.get(start, white) != white:
            continue
        stack = [(start, iter(sorted(parents.get(start, ()))))]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = black
                stack.pop()
            elif colour.get(child, white) == grey:
                problems.add("cycle", "is-a cycle through %s -> %s" % (node, child))
            elif colour.get(child, white) == white:
                colour[child] = grey
                stack.append((child, iter(sorted(parents.get(child, ())))))
    reaches_root = {ROOT}
    changed = True
    while changed:
        changed = False
        for node, ups in parents.items():
            if node not in reaches_root and ups & reaches_root:
                reaches_root.add(node)
                changed = True
    for concept, active in sorted(concepts.items()):
        if active and concept not in reaches_root:
            problems.add("hierarchy", "active concept %s does not reach %s" % (concept, ROOT))
    if ROOT in parents:
        problems.add("hierarchy", "root %s has is-a parents" % ROOT)


def _check_terms(tables, concepts, problems):
    fsn_count, preferred = {}, {}
    synonym_of = {}
    for row in tables["Description"]:
        if row["active"] != "1":
            continue
        if row["typeId"] == FSN:
            fsn_count[row["conceptId"]] = fsn_count.get(row["conceptId"], 0) + 1
            if not re.search(r" \([^()]+\)$", row["term"]):
                problems.add("fsn", "%s: FSN %r has no semantic tag" % (row["_where"], row["term"]))
        elif row["typeId"] == SYNONYM:
            synonym_of[row["id"]] = row["conceptId"]
        if not row["term"]:
            problems.add("term", "%s: empty term" % row["_where"])
    for row in tables["Language"]:
        if row["active"] == "1" and row["refsetId"] == NHS_LANG and \
                row["acceptabilityId"] == PREFERRED and row["referencedComponentId"] in synonym_of:
            concept = synonym_of[row["referencedComponentId"]]
            preferred[concept] = preferred.get(concept, 0) + 1
    for concept, active in sorted(concepts.items()):
        if not active:
            continue
        if fsn_count.get(concept, 0) != 1:
            problems.add("fsn", "active concept %s has %d active FSNs" %
                         (concept, fsn_count.get(concept, 0)))
        if preferred.get(concept, 0) != 1:
            problems.add("preferred-term", "active concept %s has %d preferred synonyms in %s" %
                         (concept, preferred.get(concept, 0), NHS_LANG))


# --- Self-test ------------------------------------------------------------------


def _edit(root, name_part, transform):
    """Applies transform(text) -> text to the first file whose name contains name_part."""
    for path, _ in find_files([root]):
        if name_part in os.path.basename(path):
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
            new_text = transform(text)
            assert new_text != text, "corruption of %s changed nothing" % path
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(new_text)
            return
    raise AssertionError("no file matching %s" % name_part)


def _replace_line(match, new):
    def transform(text):
        lines = text.split("\r\n")
        for i, line in enumerate(lines):
            if i > 0 and match(line):
                lines[i] = new(line)
                return "\r\n".join(lines)
        raise AssertionError("no line matched")
    return transform


def _fields(line):
    return line.split("\t")


CORRUPTIONS = [
    # (name, file name part, transform, problem kind the checker must report)
    ("bad Verhoeff digit", "sct2_Concept_Snapshot",
     _replace_line(lambda l: _fields(l)[0] == "404684003",
                   lambda l: l.replace("404684003", "404684004", 1)), "sctid"),
    ("renamed header column", "sct2_Relationship_Snapshot",
     lambda t: t.replace("destinationId", "targetId", 1), "header"),
    ("missing column", "sct2_Description_Snapshot",
     _replace_line(lambda l: True, lambda l: "\t".join(_fields(l)[:-1])), "columns"),
    ("LF line endings", "der2_cRefset_AssociationSnapshot",
     lambda t: t.replace("\r\n", "\n"), "line-endings"),
    ("description id in a concept column", "sct2_Relationship_Snapshot",
     _replace_line(lambda l: _fields(l)[7] == IS_A,
                   lambda l: "\t".join(_fields(l)[:5] + ["766109014"] + _fields(l)[6:])),
     "sctid"),
    ("is-a cycle", "sct2_Relationship_Snapshot",
     lambda t: t.rstrip("\r\n") + "\r\n" + "\t".join(
         [rf2lib.mint_sctid(8880000001, "02"), "20250701", "1", "900000000000207008",
          "404684003", "267076002", "0", IS_A, "900000000000011006", "900000000000451002"]) +
     "\r\n", "cycle"),
    ("orphaned concept", "sct2_Relationship_Snapshot",
     lambda t: "\r\n".join(l for l in t.split("\r\n")
                           if not (l.count("\t") == 9 and _fields(l)[4] == "267076002")),
     "hierarchy"),
    ("dangling reference", "sct2_Relationship_Snapshot",
     _replace_line(lambda l: _fields(l)[5] == "404684003",
                   lambda l: l.replace("\t404684003\t", "\t24700007\t", 1)),
     "missing-concept"),
    ("missing FSN", "sct2_Description_Snapshot",
     lambda t: "\r\n".join(l for l in t.split("\r\n")
                           if l != next(x for x in t.split("\r\n")
                                        if "\t267076002\ten\t900000000000003001\t" in x)),
     "fsn"),
    ("FSN without semantic tag", "sct2_Description_Snapshot",
     lambda t: t.replace("Feeling lonely (finding)", "Feeling lonely", 1), "fsn"),
    ("duplicate member id", "der2_cRefset_LanguageUKCLSnapshot",
     lambda t: t + t.split("\r\n")[1] + "\r\n", "duplicate-id"),
    ("member id not a UUID", "der2_Refset_SimpleUKCLSnapshot",
     _replace_line(lambda l: True, lambda l: "not-a-uuid\t" + "\t".join(_fields(l)[1:])),
     "member-id"),
    ("no NHS realm preferred term", "der2_cRefset_LanguageUKCLSnapshot",
     lambda t: "\r\n".join(
         l for l in t.split("\r\n")
         if not (l.count("\t") == 6 and _fields(l)[4] == NHS_LANG and
                 _fields(l)[6] == PREFERRED and _fields(l)[5] in _SYNONYMS_OF_267076002)),
     "preferred-term"),
]
_SYNONYMS_OF_267076002 = set()


VERHOEFF_VECTORS = [  # DOMAIN.md 2.4 test vectors
    ("138875005", None), ("116680003", None), ("404684003", None), ("71388002", None),
    ("243796009", None), ("871731000000106", None), ("871711000000103", None),
    ("24700007", None), ("24700008", "fails Verhoeff"), ("1234567890", "partition"),
    ("0138875005", "leading zero"), ("12345", "not 6-18 digits"),
]


def _check_vectors():
    failures = 0
    for value, expected in VERHOEFF_VECTORS:
        problem = rf2lib.sctid_problem(value)
        ok = problem is None if expected is None else (problem or "").startswith(expected)
        if not ok:
            print("self-test: SCTID %s -> %r, expected %r" % (value, problem, expected))
            failures += 1
    for stem, digit in [("2470000", "7"), ("31122019000", "6")]:
        if rf2lib.verhoeff_digit(stem) != digit:
            print("self-test: check digit of %s is not %s" % (stem, digit))
            failures += 1
    print("self-test: %-36s -> %s" % ("SCTID and Verhoeff vectors",
                                       "ok" if failures == 0 else "FAILED"))
    return failures


def self_test(source):
    """Returns 0 if the clean copy passes and every corruption is detected."""
    failures = _check_vectors()
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean")
        shutil.copytree(source, clean)
        problems = check([clean]).items
        if problems:
            print("self-test: the untouched copy has problems:\n  " + "\n  ".join(problems))
            failures += 1
        for path, kind in find_files([clean]):
            if kind == "Description":
                for row in read_rows(path, kind, Problems()):
                    if row["conceptId"] == "267076002" and row["typeId"] == SYNONYM:
                        _SYNONYMS_OF_267076002.add(row["id"])
        for index, (name, part, transform, expected) in enumerate(CORRUPTIONS):
            broken = os.path.join(tmp, "broken%d" % index)
            shutil.copytree(source, broken)
            _edit(broken, part, transform)
            kinds = {item.split(":", 1)[0] for item in check([broken]).items}
            status = "detected" if expected in kinds else "MISSED"
            if expected not in kinds:
                failures += 1
            print("self-test: %-36s -> %s (%s)" % (name, status, ", ".join(sorted(kinds))))
            shutil.rmtree(broken)
    print("self-test: %s" % ("PASS" if failures == 0 else "FAIL (%d)" % failures))
    return 0 if failures == 0 else 1


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    if args[0] == "--self-test":
        if len(args) != 2:
            print("usage: check_release.py --self-test DIR", file=sys.stderr)
            return 2
        return self_test(args[1])
    problems = check(args)
    for item in problems.items:
        print(item, file=sys.stderr)
    if problems.items:
        print("check_release: %d problem(s)" % len(problems.items), file=sys.stderr)
        return 1
    files = find_files(args)
    print("check_release: OK (%d files under %s)" % (len(files), ", ".join(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
