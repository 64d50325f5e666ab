"""Reads GeoJSON files with the `geojson` package (PyPI) and checks that each is a valid feature
collection, each feature's geometry valid.

    python3 geojson_check.py FILE...   ->  one line per file: its name and its features
"""
import sys

import geojson

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        collection = geojson.load(f)
    if not isinstance(collection, geojson.FeatureCollection):
        sys.exit(f"{path}: not a FeatureCollection")
    if not collection.is_valid:
        sys.exit(f"{path}: invalid: {collection.errors()}")
    for feature in collection["features"]:
        if not feature.is_valid:
            sys.exit(f"{path}: feature {feature['properties'].get('code')} invalid: {feature.errors()}")
    print(f"{path} {len(collection['features'])}")
