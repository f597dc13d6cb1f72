"""The scan stage: web crawls (WARC/WET) in, incident notices out, on a laptop or a Dask cluster.

``scan_input(path)`` is the pure job for one crawl file (prefilter → read → extract);
``scan(inputs, out_dir)`` runs it over many files in a local process pool or on Dask and writes
one JSON Lines file per input; ``iter_scan_output(path)`` reads those files back for the store.
"""

from jikenbo.scan.core import InputResult, ScanConfig, ScanStats, output_name, scan_input
from jikenbo.scan.output import ScanOutputError, is_scan_output, iter_scan_output
from jikenbo.scan.prefilter import Prefilter
from jikenbo.scan.run import ScanError, ScanSummary, expand_inputs, scan
from jikenbo.scan.warc import Page, WarcError, iter_pages

__all__ = ["InputResult", "Page", "Prefilter", "ScanConfig", "ScanError", "ScanOutputError", "ScanStats",
           "ScanSummary", "WarcError", "expand_inputs", "is_scan_output", "iter_pages", "iter_scan_output",
           "output_name", "scan", "scan_input"]
