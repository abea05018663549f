"""The bench suite: seed a realistic register, measure it over HTTP and under load (see
bench/README.md). Not run by the test suite, except tests/test_bench_smoke.py."""
