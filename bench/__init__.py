"""Benchmarks of QUALITY.md "Speed and cost": cold-import ratios and gateway throughput (`make bench`, never tests)."""
