"""How many generated inputs the fuzz tests try.

The suite's default keeps CI within minutes; ``FUZZ_EXAMPLES=10000`` (parsers) and
``FUZZ_FORM_EXAMPLES`` (per form, through HTTP) make a thorough run:

    FUZZ_EXAMPLES=10000 FUZZ_FORM_EXAMPLES=200 .venv/bin/python -m pytest tests/test_fuzz_forms.py \
        tests/test_deadline_parser.py tests/test_importer_extract.py -k "never or crash or fuzz"
"""

from __future__ import annotations

import os

# HYPOTHESIS_PROFILE=thorough (see tests/test_fuzz.py) asks for the 10 000 each.
_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PARSER_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000" if _THOROUGH else "300"))
FORM_EXAMPLES = int(os.environ.get("FUZZ_FORM_EXAMPLES", "4"))
