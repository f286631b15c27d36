"""Counts the resources checkov's own terraform_json parser finds in a directory, per file, as JSON.

    <checkov venv>/bin/python checkov_count.py DIR

checkov's JSON report has no resource count for the terraform_json framework (summary.resource_count is always 0
there), so scripts/tools/checkov.ts asks the same parser the runner uses (checkov.terraform_json.utils) what it
parsed, and compares that with the synthesized JSON. Prints {"files": {"<relative path>": <resources>}, "parsing_errors": [...]}.
"""
import json
import os
import sys
from pathlib import Path

from checkov.terraform_json.utils import create_definitions, get_scannable_file_paths


def main() -> None:
    root = sys.argv[1]
    definitions, _raw, errors = create_definitions(get_scannable_file_paths(root_folder=root))
    files = {}
    for path, definition in sorted(definitions.items()):
        count = 0
        for block in definition.get("resource", []):
            # one entry per resource: {"<type>": {"<name>": {...}}}
            for names in block.values():
                count += len([n for n in names if n != "//"]) if isinstance(names, dict) else 1
        files[os.path.relpath(path, root)] = count
    print(json.dumps({"files": files, "parsing_errors": [str(e) for e in errors]}))


if __name__ == "__main__":
    main()
