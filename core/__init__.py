"""reqgate core: the domain and data layers shared by the v1 and v2 APIs.

Nothing in this package imports a web framework; the apps are thin adapters over it.
"""
