#!/usr/bin/env python3
"""Regenerates schemas/department/*.json from department-backend.yaml (the source of truth).

Run from contracts/: python3 lint/sync_department_schemas.py
DepartmentSchemasInSyncTest fails when the two differ.
"""
import json
import pathlib

import yaml

contract = yaml.safe_load(pathlib.Path("department-backend.yaml").read_text(encoding="utf-8"))
schemas = contract["components"]["schemas"]
target = pathlib.Path("schemas/department")
target.mkdir(parents=True, exist_ok=True)


def rewrite(node):
    if isinstance(node, dict):
        return {k: (v.replace("#/components/schemas/", "") + ".json" if k == "$ref" else rewrite(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(x) for x in node]
    return node


for old in target.glob("*.json"):
    old.unlink()
for name, schema in schemas.items():
    document = {"$schema": "http://json-schema.org/draft-07/schema#",
                "$id": f"https://govgate.cn/contracts/schemas/department/{name}.json",
                "title": name}
    document.update(rewrite(schema))
    (target / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
