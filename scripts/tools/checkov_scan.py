"""checkov's terraform_json scan of a directory in one process, as JSON: the report, and the resources checkov's own
parser found per file.

    <checkov venv>/bin/python checkov_scan.py DIR

One process instead of three (the scan, a second scan of the stack-wide skips without them, and a parser run for the
resource count): each checkov start imports for seconds. Every check runs, none is skipped here: scripts/tools/checkov.ts
applies .checkov.yaml's skips to the findings, so it sees what a skip hides and whether a skip is still needed.
checkov's JSON report has no resource count for terraform_json (summary.resource_count is always 0 there), so the
parsed definitions give it. Prints {"report": <checkov's JSON report>, "files": {"<relative path>": <resources>},
"parsing_errors": [...]}.
"""
import json
import logging
import os
import sys

from checkov.runner_filter import RunnerFilter
from checkov.terraform_json.runner import TerraformJsonRunner


def main() -> None:
    logging.disable(logging.WARNING)
    root = sys.argv[1]
    runner = TerraformJsonRunner()
    result = runner.run(root_folder=root, runner_filter=RunnerFilter(framework=["terraform_json"], download_external_modules=False))
    reports = result if isinstance(result, list) else [result]
    files = {}
    for path, definition in sorted((runner.definitions or {}).items()):
        count = 0
        for block in definition.get("resource", []):
            # one entry per resource: {"<type>": {"<name>": {...}}}
            for names in block.values():
                count += len([n for n in names if n != "//"]) if isinstance(names, dict) else 1
        files[os.path.relpath(path, root)] = count
    print(
        json.dumps(
            {
                "report": [r.get_dict(is_quiet=False) for r in reports],
                "files": files,
                "parsing_errors": sorted({str(e) for r in reports for e in r.parsing_errors}),
            }
        )
    )


if __name__ == "__main__":
    main()
