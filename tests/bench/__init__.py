"""`make bench`: latency and throughput of Rasa, the gateway and its fail-safe path.

Entry point: `python -m tests.bench.run`. No file here starts with `test_`: pytest never
collects the benchmark, and no test depends on timing.
"""
