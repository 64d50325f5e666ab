"""Reads HXL-tagged CSV files with libhxl (PyPI, the HXL reference library) and checks that
every column carries a hashtag of the HXL core schema, valid attributes included.

    python3 hxl_check.py FILE...   ->  one line per file: its name, columns, data rows
"""
import re
import sys

import hxl

# The core hashtags of the HXL standard (1.1).
CORE = {
    "access", "activity", "adm1", "adm2", "adm3", "adm4", "adm5", "affected", "beneficiary",
    "capacity", "cause", "channel", "contact", "country", "crisis", "currency", "date",
    "delivery", "description", "event", "frequency", "geo", "group", "impact", "indicator",
    "inneed", "item", "loc", "meta", "modality", "need", "operations", "org", "output",
    "population", "reached", "region", "respondee", "sector", "service", "severity", "status",
    "subsector", "targeted", "value",
}
ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_]*$")

for path in sys.argv[1:]:
    data = hxl.data(path, hxl.InputOptions(allow_local=True))
    columns = data.columns
    for column in columns:
        tag = column.tag
        if not tag or tag.lstrip("#") not in CORE:
            sys.exit(f"{path}: column {column.header!r} has no core hashtag: {column.display_tag!r}")
        for attribute in column.attributes:
            if not ATTRIBUTE.match(attribute):
                sys.exit(f"{path}: column {column.header!r} has an invalid attribute {attribute!r}")
    rows = sum(1 for _ in data)
    print(f"{path} {len(columns)} {rows}")
