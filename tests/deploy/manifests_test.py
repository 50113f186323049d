#!/usr/bin/env python3
"""The deployment files, checked without a cluster or a container engine:

- every flag the container image, compose file, Kubernetes Deployment and
  systemd unit pass to sproutd is one this build's sproutd knows;
- the image's runtime stage installs packages that provide every shared
  library sproutd, sproutctl and sprout-keys link (through their dependencies),
  runs as a non-root user and checks health with the probe certificate;
- compose runs PostgreSQL, two read-only non-root replicas after the
  certificate job and the database, and HAProxy in front;
- the Kubernetes objects are the ones an operator needs, consistent with each
  other (selectors, volumes, Secrets and ConfigMaps), hardened, with probes
  through grpc.health.v1 and resource requests.

Usage: manifests_test.py SPROUTD SPROUTCTL SPROUT_KEYS SOURCE_DIR
"""
import re
import subprocess
import sys
import unittest
from pathlib import Path

import yaml

SPROUTD, SPROUTCTL, SPROUT_KEYS, SRC = (Path(a) for a in sys.argv[1:5])
DEPLOY = SRC / "deploy"


def known_flags():
    out = subprocess.run([str(SPROUTD), "--helpfull"], capture_output=True, text=True).stdout
    return set(re.findall(r"^\s+--([a-z_]+) \(", out, re.M))


def flags_in(args):
    return {m.group(1) for a in args for m in [re.match(r"--([a-z_]+)(=|$)", a)] if m}


def dockerfile():
    return (DEPLOY / "docker" / "Dockerfile").read_text()


def docker_cmd():
    text = dockerfile()
    cmd = re.search(r"^CMD (\[.*?\])\s*$", text.replace("\\\n", ""), re.M | re.S).group(1)
    return yaml.safe_load(cmd)


def k8s_objects():
    objects = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        objects += [o for o in yaml.safe_load_all(path.read_text()) if o]
    return objects


def by_kind(kind):
    return [o for o in k8s_objects() if o["kind"] == kind]


class FlagsTest(unittest.TestCase):
    def test_every_deployment_passes_only_flags_sproutd_knows(self):
        known = known_flags()
        self.assertIn("metrics_listen", known)
        compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
        unit = (DEPLOY / "systemd" / "sproutd.service").read_text().replace("\\\n", " ")
        exec_start = re.search(r"^ExecStart=/usr/bin/env sproutd (.*)$", unit, re.M).group(1).split()
        deployment = by_kind("Deployment")[0]
        sources = {
            "Dockerfile CMD": docker_cmd(),
            "compose sproutd-1": compose["services"]["sproutd-1"]["command"],
            "k8s Deployment": deployment["spec"]["template"]["spec"]["containers"][0]["args"],
            "systemd ExecStart": exec_start,
        }
        for name, args in sources.items():
            with self.subTest(name):
                flags = flags_in(args)
                self.assertGreater(len(flags), 10, name)
                self.assertEqual(flags - known, set(), f"{name} passes flags sproutd does not know")


class ImageTest(unittest.TestCase):
    def test_runtime_packages_provide_every_linked_library(self):
        packages = re.search(r'ARG RUNTIME_PACKAGES="([^"]*)"', dockerfile(), re.S).group(1).split()
        closure = subprocess.run(
            ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
             "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
            capture_output=True, text=True, check=True).stdout
        provided = {line.strip() for line in closure.splitlines() if not line.startswith(" ")}
        provided |= {"libc6", "libgcc-s1", "libstdc++6"}  # in debian:12-slim already
        needed = {}
        for binary in (SPROUTD, SPROUTCTL, SPROUT_KEYS):
            ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True)
            for lib in re.findall(r"=> (/\S+)", ldd.stdout):
                owner = None
                for path in (str(Path(lib).resolve()), lib):
                    found = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
                    if found.returncode == 0:
                        owner = found.stdout.split(":")[0]
                        break
                self.assertIsNotNone(owner, f"{lib} belongs to no Debian package")
                needed.setdefault(owner, set()).add(Path(lib).name)
        missing = {p: libs for p, libs in needed.items() if p not in provided}
        self.assertEqual(missing, {}, "the runtime stage would lack these packages")

    def test_runtime_stage_is_slim_non_root_and_probes_health(self):
        text = dockerfile()
        self.assertRegex(text, r"(?m)^FROM debian:12 AS build$")
        self.assertRegex(text, r"(?m)^FROM debian:12-slim AS runtime$")
        self.assertRegex(text, r"(?m)^USER sprout:sprout$")
        self.assertRegex(text, re.compile(r'HEALTHCHECK.*?"--as", "probe", "health"\]', re.S))
        self.assertIn("-DSPROUT_BUILD_TESTS=OFF", text)


class ComposeTest(unittest.TestCase):
    def setUp(self):
        self.compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
        self.services = self.compose["services"]

    def test_two_hardened_replicas_on_postgres_behind_haproxy(self):
        self.assertEqual(set(self.services), {"certs", "postgres", "sproutd-1", "sproutd-2", "lb"})
        self.assertEqual(self.services["postgres"]["image"], "postgres:15")
        self.assertIn("healthcheck", self.services["postgres"])
        for name in ("sproutd-1", "sproutd-2"):
            with self.subTest(name):
                s = self.services[name]
                self.assertTrue(s["read_only"])
                self.assertNotIn(s["user"].split(":")[0], ("0", "root"))
                self.assertEqual(s["depends_on"]["certs"]["condition"],
                                 "service_completed_successfully")
                self.assertEqual(s["depends_on"]["postgres"]["condition"], "service_healthy")
                db = [a for a in s["command"] if a.startswith("--db=")]
                self.assertEqual(len(db), 1)
                self.assertTrue(db[0].startswith("--db=postgresql://"))
        self.assertNotEqual(self.services["sproutd-1"]["volumes"],
                            self.services["sproutd-2"]["volumes"], "each replica its own state")
        lb = self.services["lb"]
        self.assertTrue(lb["image"].startswith("haproxy:"))
        self.assertEqual(set(lb["environment"]),
                         {"SPROUT_LB_LISTEN", "SPROUTD_1", "SPROUTD_2", "SPROUT_CERTS"})


class KubernetesTest(unittest.TestCase):
    def test_the_objects_an_operator_needs(self):
        kinds = sorted(o["kind"] for o in k8s_objects())
        self.assertEqual(kinds, ["Deployment", "HorizontalPodAutoscaler",
                                 "PodDisruptionBudget", "Service"])

    def test_deployment_is_hardened_probed_and_sized(self):
        d = by_kind("Deployment")[0]
        pod = d["spec"]["template"]["spec"]
        self.assertGreaterEqual(d["spec"]["replicas"], 2)
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertFalse(pod["automountServiceAccountToken"])
        c = pod["containers"][0]
        self.assertTrue(c["securityContext"]["readOnlyRootFilesystem"])
        self.assertFalse(c["securityContext"]["allowPrivilegeEscalation"])
        self.assertEqual(c["securityContext"]["capabilities"]["drop"], ["ALL"])
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            with self.subTest(probe):
                command = c[probe]["exec"]["command"]
                self.assertEqual(command[0], "sproutctl")
                self.assertEqual(command[-3:], ["--as", "probe", "health"])
        self.assertIn("cpu", c["resources"]["requests"])
        self.assertIn("memory", c["resources"]["requests"])
        volumes = {v["name"]: v for v in pod["volumes"]}
        for mount in c["volumeMounts"]:
            self.assertIn(mount["name"], volumes, "every mount has a volume")
        self.assertEqual(volumes["tls"]["secret"]["secretName"], "sprout-tls")
        self.assertEqual(volumes["keys"]["secret"]["secretName"], "sprout-keys")
        self.assertEqual(volumes["directory"]["configMap"]["name"], "sprout-directory")
        self.assertEqual(volumes["config"]["configMap"]["name"], "sprout-config")
        db = c["env"][0]["valueFrom"]["secretKeyRef"]
        self.assertEqual(db["name"], "sprout-db")
        self.assertIn("--db=$(SPROUT_DB)", c["args"])

    def test_service_pdb_and_hpa_point_at_the_deployment(self):
        labels = by_kind("Deployment")[0]["spec"]["template"]["metadata"]["labels"]
        service = by_kind("Service")[0]
        for key, value in service["spec"]["selector"].items():
            self.assertEqual(labels[key], value)
        self.assertEqual({p["name"] for p in service["spec"]["ports"]}, {"grpc", "metrics"})
        pdb = by_kind("PodDisruptionBudget")[0]
        for key, value in pdb["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels[key], value)
        hpa = by_kind("HorizontalPodAutoscaler")[0]
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"], "sproutd")
        self.assertEqual(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu")
        self.assertGreaterEqual(hpa["spec"]["minReplicas"], 2)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
