"""The synthetic demo programme: a seeded generator with known parameters and its survey
form. Used by ``evalkit demo-data`` and by the tests; no stage imports it.
"""
