"""Evaluations and benchmarks: run by command, they print figures."""
