"""Parses OpenMetrics text with the Prometheus Python client's parser (PyPI: prometheus-client)
and prints each metric family: its name, type and number of samples.

    python3 metrics_check.py < metrics.txt
"""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, len(family.samples))
