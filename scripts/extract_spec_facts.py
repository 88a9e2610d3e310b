"""Extract the facts the tests need from ../shared (specs and SDK wire captures) into tests/data.

Run from the repo root: `python scripts/extract_spec_facts.py [path/to/shared]`. The outputs are
committed so that CI, which has no ../shared, runs the same checks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
SPEC_FILES = ("instance_folder.json", "job_package.json", "queue_cluster_project.json")
OUT = ROOT / "tests" / "data"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    vectors = json.loads((SHARED / "api" / "wire_vectors.json").read_text())
    keep = []
    for v in vectors["vectors"]:
        i, e = v["input"], v["expected"]
        keep.append(
            {
                "name": v["name"],
                "operation": v["operation"],
                "input": {k: i[k] for k in (
                    "region_id", "credential", "method", "scheme", "host", "uri_pattern",
                    "path_params", "query_params", "body_params", "content_type", "date")},
                "expected": {k: e[k] for k in (
                    "url", "headers", "body", "content_md5", "string_to_sign", "signature",
                    "authorization")},
            }
        )
    facts = {
        "vectors": keep,
        "error_parsing": vectors["error_parsing"],
        "seed_rpc_example": vectors["seed_rpc_example"],
    }
    (OUT / "wire_vectors.json").write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n")

    operations = []
    for name in SPEC_FILES:
        for op in json.loads((SHARED / "api" / name).read_text()):
            operations.append(
                {
                    "operation": op["operation"],
                    "group": op["group"],
                    "summary": op["summary"],
                    "method": op["method"],
                    "path": op["path"],
                    "params": [
                        {k: p[k] for k in ("name", "in", "type", "required")}
                        for p in op["params"]
                        if p["name"] != "RegionId"
                    ],
                    "sdk_params": {k: op["sdk"][k] for k in ("path_params", "query_params", "body_params")},
                    "response_fields": [f["path"] for f in op["response"]["fields"]],
                    "example_json": op["response"]["example_json"],
                }
            )
    (OUT / "operations.json").write_text(json.dumps(operations, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(keep)} vectors and {len(operations)} operations to {OUT}")


if __name__ == "__main__":
    main()
