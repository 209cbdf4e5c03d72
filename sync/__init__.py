"""How a case moves: events, lifecycle, reducer, wire protocol, client, bundles.

Shared by the station and the centre; imports ``forms`` and nothing else of ours.
"""
