"""The foundation every stage shares: errors, configuration, the declared input contract
and domain vocabulary, argument checks, escaping of untrusted text, guarded writes, and
the digests that say what an output was made from.

Imports nothing else from evalkit.
"""
