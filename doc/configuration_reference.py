#!/usr/bin/env python3
"""Writes doc/configuration.md from sproutd's own flag definitions.

The reference is generated from `sproutd --helpfull` (the ABSL_FLAG
definitions in server/main.cc, with their help text and defaults), so it
cannot drift from the binary:

  configuration_reference.py SPROUTD OUT.md           # write (the build target
                                                      #   `configuration_doc`)
  configuration_reference.py --check SPROUTD OUT.md   # exit 1 if OUT.md is stale
"""
import re
import subprocess
import sys

HEADER = """# Configuration reference

Every flag sproutd accepts, with its default. Generated from the flag definitions in
`server/main.cc` by `cmake --build build --target configuration_doc`
(`doc/configuration_reference.py`); the `configuration_doc_test` test fails when this file
no longer matches the binary. Edit the flag's help text, not this file.

Relative paths resolve against sproutd's working directory; the defaults are the embedded
demo set-up of the README's quickstart. SIGHUP and `sproutctl --as admin admin reload` re-read
the TLS certificates, data keys, directory and routing policy; everything else is read at
start-up. A flag may also be given in a file with `--flagfile`.

| flag | default | meaning |
| --- | --- | --- |
"""


def sprout_flags(sproutd):
    text = subprocess.run([sproutd, "--helpfull"], capture_output=True, text=True).stdout
    # Only the flags defined by sproutd itself, not Abseil's own.
    section = re.split(r"^  Flags from .*?server/main\.cc:\n", text, flags=re.M)
    if len(section) < 2:
        sys.exit("configuration_reference: no flags from server/main.cc in --helpfull output")
    body = re.split(r"^  Flags from |^\S", section[1], flags=re.M)[0]
    entries = re.split(r"^    (?=--)", body, flags=re.M)
    flags = []
    for entry in entries:
        entry = " ".join(line.strip() for line in entry.splitlines()).strip()
        if not entry:
            continue
        m = re.match(r"--(\w+) \((.*)\); default: (.*);$", entry)
        if not m:
            sys.exit(f"configuration_reference: cannot read flag entry: {entry}")
        flags.append(m.groups())
    return flags


def render(flags):
    def cell(text):
        return text.replace("|", "\\|")

    rows = [f"| `--{name}` | `{cell(default)}` | {cell(help_text)} |"
            for name, help_text, default in flags]
    return HEADER + "\n".join(rows) + "\n"


def main(argv):
    check = argv[:1] == ["--check"]
    if check:
        argv = argv[1:]
    if len(argv) != 2:
        sys.exit(__doc__)
    sproutd, out = argv
    text = render(sprout_flags(sproutd))
    if check:
        with open(out) as f:
            if f.read() != text:
                sys.exit(f"{out} is stale: run `cmake --build build --target configuration_doc` "
                         "and commit it")
        print(f"{out} matches sproutd's flags")
        return
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
