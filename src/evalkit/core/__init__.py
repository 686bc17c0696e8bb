"""The foundation every stage shares: errors, configuration, the declared input contract,
argument checks, escaping of untrusted text, and guarded writes.

Imports nothing else from evalkit.
"""
