"""Issue 9: flxd under crashes, a hostile store, bad data, bad operator input and many stores.

Each test prints the counts behind its verdict (kills, faults by kind, records checked); the
`reliability counts` section at the end of the pytest run repeats them (see conftest.py).
"""
