"""Ratio benchmarks: every figure is a median of subject/baseline pairs measured alternately in
one run on this machine (absolute numbers on a shared 2-core machine mean little).

Run ``make bench`` (or ``python -m bench [--sqlite] [--quick]``); see ``bench/run.py``.
"""
