"""`make bench`: latency and throughput of Rasa, the gateway, its fail-safe path and the
handoff to counsellors.

Entry point: `python -m tests.bench.run`. The `test_*.py` files here only check the load
generators against the in-process app with small numbers; no test depends on timing.
"""
